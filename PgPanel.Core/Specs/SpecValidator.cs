using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace PgPanel.Core.Specs;

/// <summary>
/// The one validation layer for a <see cref="ClusterSpec"/>. Everything a plan puts into a command or a file passes
/// through here first, and each bad field is named with the reason.
/// </summary>
public static partial class SpecValidator
{
    /// <summary>Settings PgPanel writes itself from other spec fields; overriding them would break the pair.</summary>
    public static readonly IReadOnlySet<string> ManagedSettings = new HashSet<string>(StringComparer.Ordinal)
    {
        "port", "data_directory", "config_file", "hba_file", "ident_file", "external_pid_file",
        "primary_conninfo", "primary_slot_name", "standby_mode", "include", "include_dir", "include_if_exists",
        "unix_socket_directories", "synchronous_standby_names",
    };

    private static readonly string[] ForbiddenDataDirectoryRoots =
        ["/", "/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/root", "/run", "/sbin", "/sys", "/usr", "/var", "/tmp", "/home"];

    public static SpecValidationResult Validate(ClusterSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var result = new SpecValidationResult();

        if (!ClusterNameRegex().IsMatch(spec.Name ?? ""))
        {
            result.Add("name", "Use 1–40 characters: lower-case letters, digits, '-' or '_', starting with a letter.");
        }

        if (!spec.PostgresVersion.IsSupported)
        {
            result.Add("postgresVersion", $"PostgreSQL {spec.PostgresVersion} is not supported; choose one of {string.Join(", ", PgVersion.Supported)}.");
        }

        if (spec.Primary is null)
        {
            result.Add("primary", "A primary node is required.");
        }
        else
        {
            ValidateNode(spec.Primary, "primary", result, spec.Cloud is not null);
        }

        var standbys = spec.Standbys ?? [];
        if (standbys.Count == 0)
        {
            result.Add("standbys", "At least one standby is required.");
        }
        else if (standbys.Count > 8)
        {
            result.Add("standbys", "At most 8 standbys are supported.");
        }

        for (var i = 0; i < standbys.Count; i++)
        {
            if (standbys[i] is null)
            {
                result.Add($"standbys[{i}]", "A standby cannot be null.");
                continue;
            }

            ValidateNode(standbys[i], $"standbys[{i}]", result, spec.Cloud is not null);
        }

        if (spec.Primary is not null && spec.Cloud is null)
        {
            ValidateDistinctNodes(spec, result);
        }

        if (spec.Cloud is not null)
        {
            CloudSpecValidator.Validate(spec, result);
        }

        ValidatePackages(spec.Packages, "packages", result);
        ValidateReplication(spec.Replication ?? new ReplicationSpec(), result);
        ValidateSettings(spec.Settings ?? new SettingsSpec(), result);
        return result;
    }

    /// <summary>Validates one node on its own (for probing a host before a whole spec exists).</summary>
    public static SpecValidationResult ValidateNode(NodeSpec node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var result = new SpecValidationResult();
        ValidateNode(node, "", result, onCloud: false);
        return result.WithoutLeadingDot();
    }

    /// <summary>A node on a new cloud instance has no host yet and is reached as root with the instance's password or key.</summary>
    private static void ValidateNode(NodeSpec node, string path, SpecValidationResult result, bool onCloud)
    {
        if (!onCloud && !IsValidHost(node.Host))
        {
            result.Add($"{path}.host", "Enter an IPv4/IPv6 address or a DNS host name (ASCII letters, digits, '-' and '.').");
        }

        if (node.PrivateAddress is not null && !IsValidHost(node.PrivateAddress))
        {
            result.Add($"{path}.privateAddress", "Enter an IPv4/IPv6 address or a DNS host name (ASCII letters, digits, '-' and '.').");
        }

        if (node.Port is < 1 or > 65535)
        {
            result.Add($"{path}.port", "A port is a number from 1 to 65535.");
        }

        if (node.DataDirectory is not null)
        {
            var problem = DataDirectoryProblem(node.DataDirectory);
            if (problem is not null)
            {
                result.Add($"{path}.dataDirectory", problem);
            }
        }

        if (node.Os is not null && !OsTarget.TryParse(node.Os, out _))
        {
            result.Add($"{path}.os", $"Unknown OS '{Printable(node.Os)}'; use e.g. debian-12, ubuntu-22.04, centos-7, rocky-9, alinux-3.");
        }

        ValidatePackages(node.Packages, $"{path}.packages", result);
        var connection = node.Connection ?? ConnectionSpec.Local;
        if (!Enum.IsDefined(connection.Kind))
        {
            result.Add($"{path}.connection.kind", "Use 'local' or 'ssh'.");
        }

        if (connection.Kind == ConnectionKind.Ssh)
        {
            if (connection.Port is < 1 or > 65535)
            {
                result.Add($"{path}.connection.port", "An SSH port is a number from 1 to 65535.");
            }

            if (connection.User is not null && !OsUserRegex().IsMatch(connection.User))
            {
                result.Add($"{path}.connection.user", "Use a POSIX user name: lower-case letters, digits, '-', '_', starting with a letter or '_'.");
            }

            if (!onCloud && connection.PrivateKey is null && connection.Password is null)
            {
                result.Add($"{path}.connection", "Give a private key or a password for SSH.");
            }

            if (connection.HostKeyFingerprint is not null && !FingerprintRegex().IsMatch(connection.HostKeyFingerprint))
            {
                result.Add($"{path}.connection.hostKeyFingerprint", "Use the SHA256 form: SHA256:<43 base64 characters>.");
            }
        }
    }

    private static void ValidateDistinctNodes(ClusterSpec spec, SpecValidationResult result)
    {
        var nodes = new List<(string Path, NodeSpec Node)> { ("primary", spec.Primary) };
        nodes.AddRange((spec.Standbys ?? []).Select((n, i) => ($"standbys[{i}]", n)).Where(n => n.n is not null)!);
        for (var i = 1; i < nodes.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                var (a, b) = (nodes[j].Node, nodes[i].Node);
                if (string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port)
                {
                    result.Add($"{nodes[i].Path}.port", $"{b.Host}:{b.Port} is already used by {nodes[j].Path}; give each node on one host its own port.");
                }

                if (a.DataDirectory is not null && a.DataDirectory == b.DataDirectory &&
                    string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase))
                {
                    result.Add($"{nodes[i].Path}.dataDirectory", $"{nodes[j].Path} on the same host already uses this data directory.");
                }
            }
        }
    }

    private static void ValidatePackages(PackageSourceSpec? packages, string path, SpecValidationResult result)
    {
        if (packages is null)
        {
            return;
        }

        if (!Enum.IsDefined(packages.Source))
        {
            result.Add($"{path}.source", "Use 'upstream', 'mirror' or 'installed'.");
            return;
        }

        foreach (var (field, url) in new[] { ("mirrorUrl", packages.MirrorUrl), ("osMirrorUrl", packages.OsMirrorUrl) })
        {
            if (url is not null && !IsValidMirrorUrl(url))
            {
                result.Add($"{path}.{field}", "Give an http://, https:// or file:/// URL of at most 300 characters without spaces, quotes, '$', '#', '?' or backslashes.");
            }
        }

        if (packages.Source == PackageSourceKind.Mirror && packages.MirrorUrl is null)
        {
            result.Add($"{path}.mirrorUrl", "A mirror needs its URL: the base under which <version>/redhat/rhel-<N>-x86_64 lies, as in https://download.postgresql.org/pub/repos/yum.");
        }

        if (packages.Source != PackageSourceKind.Mirror && (packages.MirrorUrl is not null || packages.OsMirrorUrl is not null))
        {
            result.Add($"{path}.source", "Mirror URLs are used only with source 'mirror'.");
        }
    }

    /// <summary>True for an absolute http(s) or file URL with only characters that are safe in a repository file and a shell word.</summary>
    public static bool IsValidMirrorUrl(string url) =>
        url.Length <= 300 && MirrorUrlRegex().IsMatch(url) && Uri.TryCreate(url, UriKind.Absolute, out var uri) &&
        (uri.Scheme is "http" or "https" ? uri.Host.Length > 0 : uri.Scheme == "file") && !url.Contains("/../", StringComparison.Ordinal);

    private static void ValidateReplication(ReplicationSpec replication, SpecValidationResult result)
    {
        if (!RoleNameRegex().IsMatch(replication.User ?? "") || replication.User is "postgres" || replication.User!.StartsWith("pg_", StringComparison.Ordinal))
        {
            result.Add("replication.user", "Use 1–63 lower-case letters, digits or '_', starting with a letter; not 'postgres' and not 'pg_…'.");
        }

        if (replication.CloneMaxRate is { } rate && !CloneRateRegex().IsMatch(rate))
        {
            result.Add("replication.cloneMaxRate", "Give a transfer rate as pg_basebackup takes it: 32k to 1024M, e.g. \"50M\".");
        }

        if (replication.Password is { } password)
        {
            var text = password.Reveal();
            if (text.Length is < 12 or > 128)
            {
                result.Add("replication.password", "Use 12 to 128 characters, or leave it empty to have a strong one generated.");
            }
            else if (text.Any(c => c is < '!' or > '~' or '\'' or '"' or '\\'))
            {
                result.Add("replication.password", "Use printable ASCII without spaces, quotes or backslashes, or leave it empty to have one generated.");
            }
            else if (text == replication.User)
            {
                result.Add("replication.password", "The password cannot be the user name.");
            }
        }
    }

    /// <summary>PostgreSQL has about 350 settings; a spec overrides a few.</summary>
    public const int MaxSettingsPerSide = 200;

    private static void ValidateSettings(SettingsSpec settings, SpecValidationResult result)
    {
        foreach (var (side, values) in new[] { ("primary", settings.Primary), ("standby", settings.Standby) })
        {
            if (values is not null && values.Count > MaxSettingsPerSide)
            {
                result.Add($"settings.{side}", $"{values.Count} settings; at most {MaxSettingsPerSide} can be set per side.");
                continue;
            }

            foreach (var (key, value) in values ?? new Dictionary<string, string>())
            {
                var field = $"settings.{side}.{Printable(key)}";
                if (!SettingNameRegex().IsMatch(key ?? ""))
                {
                    result.Add($"settings.{side}", $"'{Printable(key)}' is not a PostgreSQL setting name.");
                    continue;
                }

                if (ManagedSettings.Contains(key!))
                {
                    result.Add(field, $"{key} is set by PgPanel from the spec; change the spec field instead.");
                    continue;
                }

                if (value is null || value.Length > 1024 || value.Any(char.IsControl))
                {
                    result.Add(field, "A value is one line of at most 1024 characters, without control characters.");
                }
            }
        }

        var primaryMax = ReadInt(settings.Primary, "max_connections", "primary", result) ?? PlanDefaults.MaxConnections;
        var standbyMax = ReadInt(settings.Standby, "max_connections", "standby", result);
        if (standbyMax is not null && standbyMax < primaryMax)
        {
            result.Add("settings.standby.max_connections", $"A standby needs max_connections ≥ the primary's ({primaryMax}), or it will not start.");
        }

        foreach (var side in new[] { "primary", "standby" })
        {
            var values = side == "primary" ? settings.Primary : settings.Standby;
            ReadInt(values, "max_wal_senders", side, result);
        }
    }

    private static int? ReadInt(IReadOnlyDictionary<string, string>? values, string key, string side, SpecValidationResult result)
    {
        if (values is null || !values.TryGetValue(key, out var text) || text is null)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is > 0 and < 262143)
        {
            return number;
        }

        result.Add($"settings.{side}.{key}", $"{key} is a whole number from 1 to 262142.");
        return null;
    }

    /// <summary>Why a data directory path is not acceptable, or null.</summary>
    public static string? DataDirectoryProblem(string path)
    {
        if (path.Length is 0 or > 200)
        {
            return "Give an absolute path of at most 200 characters.";
        }

        if (!DataDirectoryRegex().IsMatch(path))
        {
            return "Use an absolute path of ASCII letters, digits, '/', '.', '_', '-' and '+' only.";
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(s => s is "." or ".." || s.StartsWith('-')) || path.Contains("//", StringComparison.Ordinal))
        {
            return "The path cannot contain '.', '..', '//' or a segment starting with '-'.";
        }

        var normalized = "/" + string.Join('/', segments);
        if (ForbiddenDataDirectoryRoots.Contains(normalized, StringComparer.Ordinal))
        {
            return $"{normalized} is a system directory; choose a directory of its own for the cluster.";
        }

        return null;
    }

    public static bool IsValidHost(string? host)
    {
        if (string.IsNullOrEmpty(host) || host.Length > 253)
        {
            return false;
        }

        if (host.Contains(':'))
        {
            return IPAddress.TryParse(host, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        }

        if (Ipv4Regex().IsMatch(host))
        {
            return IPAddress.TryParse(host, out _);
        }

        return HostNameRegex().IsMatch(host);
    }

    private static string Printable(string? text)
    {
        if (text is null)
        {
            return "";
        }

        var clean = new string(text.Take(60).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return text.Length > 60 ? clean + "…" : clean;
    }

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,39}$")]
    private static partial Regex ClusterNameRegex();

    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}$")]
    private static partial Regex RoleNameRegex();

    [GeneratedRegex("^[a-z_][a-z0-9_-]{0,31}$")]
    private static partial Regex OsUserRegex();

    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}(\\.[a-z][a-z0-9_]{0,62})?$")]
    private static partial Regex SettingNameRegex();

    [GeneratedRegex("^/[A-Za-z0-9._/+-]*$")]
    private static partial Regex DataDirectoryRegex();

    [GeneratedRegex("^[0-9]{1,3}(\\.[0-9]{1,3}){3}$")]
    private static partial Regex Ipv4Regex();

    [GeneratedRegex("^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")]
    private static partial Regex HostNameRegex();

    [GeneratedRegex("^([3-9][0-9]|[1-9][0-9]{2,6})k$|^([1-9][0-9]{0,2}|10[01][0-9]|102[0-4])M$")]
    private static partial Regex CloneRateRegex();

    [GeneratedRegex("^(https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|file://)(/[A-Za-z0-9._~%+=,@:-]*)*$")]
    private static partial Regex MirrorUrlRegex();

    [GeneratedRegex("^SHA256:[A-Za-z0-9+/]{43}=?$")]
    private static partial Regex FingerprintRegex();
}
