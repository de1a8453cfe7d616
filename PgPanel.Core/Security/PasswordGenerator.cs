using System.Security.Cryptography;

namespace PgPanel.Core.Security;

/// <summary>Generates strong passwords from a set that needs no quoting in a conninfo, a config file or a shell.</summary>
public static class PasswordGenerator
{
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    public static Secret Generate(int length = 32) => new(RandomNumberGenerator.GetString(Alphabet, length));
}
