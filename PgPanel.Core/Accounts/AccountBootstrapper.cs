using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace PgPanel.Core.Accounts;

/// <summary>At start-up, after the migrations: the roles exist, and the first admin is made from PgPanel:Bootstrap:AdminPassword.</summary>
internal sealed class AccountBootstrapper(AccountService accounts, IConfiguration configuration) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await accounts.EnsureRolesAsync().ConfigureAwait(false);
        var password = configuration["PgPanel:Bootstrap:AdminPassword"];
        if (!string.IsNullOrEmpty(password) && !await accounts.AnyUserAsync(cancellationToken).ConfigureAwait(false))
        {
            var errors = await accounts.BootstrapAdminAsync(password, cancellationToken).ConfigureAwait(false);
            if (errors.Count > 0)
            {
                throw new InvalidOperationException($"PgPanel:Bootstrap:AdminPassword was not accepted: {string.Join(" ", errors)}");
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
