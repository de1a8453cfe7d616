using Microsoft.AspNetCore.DataProtection;

namespace PgPanel.Core.Security;

/// <summary>Seals secrets for storage at rest with ASP.NET Core Data Protection (key ring outside the SQLite file).</summary>
public sealed class SecretProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("PgPanel.Secrets.v1");

    public string Seal(Secret secret) => _protector.Protect(secret.Reveal());

    public Secret Unseal(string sealedValue) => new(_protector.Unprotect(sealedValue));
}
