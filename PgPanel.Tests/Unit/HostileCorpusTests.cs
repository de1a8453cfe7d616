using PgPanel.Core.Planning;
using PgPanel.Core.Security;
using PgPanel.Core.Specs;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Unit;

/// <summary>
/// Every hostile value in every spec field: rejected with an error on that field, or legal — and then the plan carries it
/// only through the quoting helpers (the real-host test proves those land harmless).
/// </summary>
public sealed class HostileCorpusTests
{
    private static readonly ClusterSpec Base = SpecBuilder.Remote("debian-12", PgVersion.Of(15)) with
    {
        Replication = new ReplicationSpec { Password = new Secret("Base-Password-1234") },
    };

    public static TheoryData<string> Fields() =>
    [
        "name", "primary.host", "standbys[0].host", "primary.dataDirectory", "primary.os", "primary.connection.user",
        "primary.connection.hostKeyFingerprint", "replication.user", "replication.password", "replication.cloneMaxRate",
        "settings.primary.value", "settings.standby.key",
    ];

    [Theory]
    [MemberData(nameof(Fields))]
    public void Every_hostile_value_is_rejected_with_a_field_error_or_lands_quoted(string field)
    {
        Assert.True(HostileCorpus.Values.Count >= 200, $"the corpus has {HostileCorpus.Values.Count} values");
        var accepted = 0;
        foreach (var value in HostileCorpus.Values)
        {
            var spec = With(field, value);
            var result = SpecValidator.Validate(spec);
            if (!result.IsValid)
            {
                var prefix = field.StartsWith("settings", StringComparison.Ordinal) ? field[..field.LastIndexOf('.')] : field;
                Assert.True(result.Errors.Keys.Any(k => k.StartsWith(prefix, StringComparison.Ordinal) || prefix.StartsWith(k, StringComparison.Ordinal)),
                    $"{field} = {Show(value)} was rejected, but not on that field: {result}");
                Assert.All(result.Errors.Values.SelectMany(m => m), m => Assert.DoesNotContain('\0', m));
                continue;
            }

            accepted++;
            if (Restricted(field))
            {
                // A field of a narrow shape may accept a hostile-looking value only when it holds no metacharacter at all.
                Assert.True(value.All(c => char.IsAsciiLetterOrDigit(c) || "._:/+@=-".Contains(c)), $"{field} accepted {Show(value)}");
            }

            var plan = PlanFixtures.Remote(spec);
            var script = ScriptExport.Render(plan);
            if (value.Length > 0 && (field is "replication.password"))
            {
                Assert.DoesNotContain(value, script);
            }

            if (field == "settings.primary.value")
            {
                Assert.Contains($"pgpanel.hostile = {SqlQuote.ConfigValue(value)}", PlanFixtures.File(plan, "primary", "pgpanel.conf"));
            }
        }

        Assert.True(accepted < HostileCorpus.Values.Count, $"{field} accepted every hostile value");
    }

    private static bool Restricted(string field) => field is not ("replication.password" or "settings.primary.value");

    private static ClusterSpec With(string field, string value) => field switch
    {
        "name" => Base with { Name = value },
        "primary.host" => Base with { Primary = Base.Primary with { Host = value } },
        "standbys[0].host" => Base with { Standbys = [Base.Standbys[0] with { Host = value }] },
        "primary.dataDirectory" => Base with { Primary = Base.Primary with { DataDirectory = value } },
        "primary.os" => Base with { Primary = Base.Primary with { Os = value } },
        "primary.connection.user" => Base with { Primary = Base.Primary with { Connection = Base.Primary.Connection with { User = value } } },
        "primary.connection.hostKeyFingerprint" => Base with { Primary = Base.Primary with { Connection = Base.Primary.Connection with { HostKeyFingerprint = value } } },
        "replication.user" => Base with { Replication = Base.Replication with { User = value } },
        "replication.password" => Base with { Replication = Base.Replication with { Password = new Secret(value) } },
        "replication.cloneMaxRate" => Base with { Replication = Base.Replication with { CloneMaxRate = value } },
        "settings.primary.value" => Base with { Settings = new SettingsSpec { Primary = new Dictionary<string, string> { ["pgpanel.hostile"] = value } } },
        "settings.standby.key" => Base with { Settings = new SettingsSpec { Standby = new Dictionary<string, string> { [value] = "1" } } },
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };

    private static string Show(string value) => value.Length > 40 ? value[..40] + "…" : value.Replace("\0", "\\0", StringComparison.Ordinal);
}
