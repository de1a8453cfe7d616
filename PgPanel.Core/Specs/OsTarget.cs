using System.Globalization;
using System.Text.RegularExpressions;

namespace PgPanel.Core.Specs;

/// <summary>An operating system a plan is made for: "debian-12", "ubuntu-22.04", "centos-7", "rocky-9", "alinux-3".</summary>
public sealed partial record OsTarget(string Id, string Version)
{
    private static readonly Dictionary<string, OsFamily> Families = new(StringComparer.Ordinal)
    {
        ["debian"] = OsFamily.Debian,
        ["ubuntu"] = OsFamily.Debian,
        ["centos"] = OsFamily.RedHat,
        ["rhel"] = OsFamily.RedHat,
        ["rocky"] = OsFamily.RedHat,
        ["almalinux"] = OsFamily.RedHat,
        ["ol"] = OsFamily.RedHat,
        ["alinux"] = OsFamily.RedHat,
    };

    public OsFamily Family => Families[Id];

    public int MajorVersion => int.Parse(Version.Split('.')[0], CultureInfo.InvariantCulture);

    /// <summary>The Enterprise Linux release whose PGDG packages fit: Alibaba Cloud Linux 2 → 7, 3 → 8.</summary>
    public int EnterpriseLinuxRelease => Id == "alinux" ? (MajorVersion <= 2 ? 7 : 8) : MajorVersion;

    /// <summary>The PostgreSQL major version the distribution itself ships, when it is Debian or Ubuntu.</summary>
    public PgVersion? DistributionPostgres => (Id, Version) switch
    {
        ("debian", "10") => PgVersion.Of(11),
        ("debian", "11") => PgVersion.Of(13),
        ("debian", "12") => PgVersion.Of(15),
        ("debian", "13") => PgVersion.Of(17),
        ("ubuntu", "20.04") => PgVersion.Of(12),
        ("ubuntu", "22.04") => PgVersion.Of(14),
        ("ubuntu", "24.04") => PgVersion.Of(16),
        _ => null,
    };

    public override string ToString() => $"{Id}-{Version}";

    public static bool TryParse(string? text, out OsTarget target)
    {
        target = null!;
        var match = OsRegex().Match(text ?? "");
        if (!match.Success || !Families.ContainsKey(match.Groups[1].Value))
        {
            return false;
        }

        target = new OsTarget(match.Groups[1].Value, match.Groups[2].Value);
        if (target.Family == OsFamily.RedHat && target.EnterpriseLinuxRelease is < 7 or > 10)
        {
            return false;
        }

        return true;
    }

    /// <summary>From /etc/os-release: ID, VERSION_ID and ID_LIKE (a derivative falls back to its family).</summary>
    public static OsTarget? FromOsRelease(string id, string versionId, string idLike)
    {
        var version = versionId;
        if (id is "centos" or "rhel" or "rocky" or "almalinux" or "ol")
        {
            version = versionId.Split('.')[0];
        }

        if (TryParse($"{id}-{version}", out var exact))
        {
            return exact;
        }

        var like = idLike.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (like.Contains("rhel") || like.Contains("centos") || like.Contains("fedora"))
        {
            return TryParse($"rhel-{versionId.Split('.')[0]}", out var el) ? el : null;
        }

        if (like.Contains("debian") || like.Contains("ubuntu"))
        {
            return new OsTarget("debian", versionId.Length > 0 ? versionId : "12");
        }

        return null;
    }

    [GeneratedRegex("^([a-z]+)-([0-9]{1,2}(\\.[0-9]{1,2})?)$")]
    private static partial Regex OsRegex();
}
