namespace PgPanel.Core.Records;

/// <summary>A user's API token: only its SHA-256 hash is stored; the token is shown once when it is made.</summary>
public sealed class ApiToken
{
    public Guid Id { get; set; }

    public required string UserId { get; set; }

    public required string Name { get; set; }

    /// <summary>Hex SHA-256 of the token.</summary>
    public required string Hash { get; set; }

    /// <summary>The first characters, so a user can tell tokens apart.</summary>
    public required string Prefix { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary>When the token stops working; null: it works until revoked.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }
}
