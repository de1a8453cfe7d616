namespace PgPanel.Core.Specs;

/// <summary>One PostgreSQL server of the pair: where it is and how to reach it.</summary>
public sealed record NodeSpec
{
    /// <summary>The address the panel dials and the address the other nodes use.</summary>
    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; } = 5432;

    /// <summary>The address the other nodes use, when it differs from <see cref="Host"/> (a VPC address behind an EIP); null: host.</summary>
    public string? PrivateAddress { get; init; }

    /// <summary>Null: the layout's default (the OS package's directory, or under PgPanel:DataDirectory for the local target).</summary>
    public string? DataDirectory { get; init; }

    /// <summary>"debian-12", "centos-7", … lets a plan be made without reaching the host; null: detected.</summary>
    public string? Os { get; init; }

    public ConnectionSpec Connection { get; init; } = ConnectionSpec.Local;

    /// <summary>This host's package source when it differs from the cluster's; null: the cluster's.</summary>
    public PackageSourceSpec? Packages { get; init; }
}
