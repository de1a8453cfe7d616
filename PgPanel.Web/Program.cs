using PgPanel.Core.Extensions;
using PgPanel.Web.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddPgPanelCore();
builder.AddPgPanelWeb();

var app = builder.Build();

app.UsePgPanelWeb();
app.MapPgPanelApi();

app.Run();

/// <summary>Entry point; public so integration tests can host the panel.</summary>
public partial class Program;
