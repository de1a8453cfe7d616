# The PgPanel web panel. Build context: the repository root.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish PgPanel.Web -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
ENV PgPanel__DataDirectory=/var/lib/pgpanel ASPNETCORE_URLS=http://0.0.0.0:5080
VOLUME /var/lib/pgpanel
EXPOSE 5080
ENTRYPOINT ["dotnet", "PgPanel.Web.dll"]
