using PgPanel.Core.Security;
using PgPanel.Core.Specs;

namespace PgPanel.Tests.Unit;

public sealed class SpecValidatorTests
{
    private static ClusterSpec Valid => SpecBuilder.Local(PgVersion.Of(15));

    [Fact]
    public void A_local_pair_with_defaults_is_valid()
    {
        var result = SpecValidator.Validate(Valid);
        Assert.True(result.IsValid, result.ToString());
    }

    [Theory]
    [InlineData("Demo")]
    [InlineData("")]
    [InlineData("demo;rm -rf /")]
    [InlineData("1demo")]
    [InlineData("démo")]
    [InlineData("a-very-long-cluster-name-that-goes-on-and-on-and-on")]
    public void A_bad_cluster_name_is_named(string name) =>
        AssertField(Valid with { Name = name }, "name");

    [Theory]
    [InlineData("9.4")]
    [InlineData("19")]
    [InlineData("8.4")]
    public void An_unsupported_version_is_named(string version)
    {
        Assert.True(PgVersion.TryParse(version, out var v));
        AssertField(Valid with { PostgresVersion = v }, "postgresVersion");
    }

    [Theory]
    [InlineData("10.0.0.1;id")]
    [InlineData("$(touch /tmp/x)")]
    [InlineData("-oProxyCommand=sh")]
    [InlineData("host name")]
    [InlineData("256.1.1.1")]
    [InlineData("ехаmple.com")]
    [InlineData("")]
    public void A_bad_host_is_named(string host) =>
        AssertField(Valid with { Standbys = [Valid.Standbys[0] with { Host = host }] }, "standbys[0].host");

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    [InlineData(-1)]
    public void A_bad_port_is_named(int port) =>
        AssertField(Valid with { Primary = Valid.Primary with { Port = port } }, "primary.port");

    [Fact]
    public void Two_nodes_on_one_address_and_port_are_refused() =>
        AssertField(Valid with { Standbys = [Valid.Standbys[0] with { Port = 5432 }] }, "standbys[0].port");

    [Theory]
    [InlineData("relative/path")]
    [InlineData("/srv/../etc/pg")]
    [InlineData("/srv/pg data")]
    [InlineData("/srv/pg;rm")]
    [InlineData("/srv/$(id)")]
    [InlineData("/etc")]
    [InlineData("/")]
    [InlineData("/srv/-x")]
    [InlineData("/srv//pg")]
    public void A_bad_data_directory_is_named(string path) =>
        AssertField(Valid with { Primary = Valid.Primary with { DataDirectory = path } }, "primary.dataDirectory");

    [Theory]
    [InlineData("postgres")]
    [InlineData("pg_monitor")]
    [InlineData("Replica")]
    [InlineData("rep\"lica")]
    [InlineData("")]
    public void A_bad_replication_user_is_named(string user) =>
        AssertField(Valid with { Replication = new ReplicationSpec { User = user } }, "replication.user");

    [Theory]
    [InlineData("short")]
    [InlineData("has'quote-in-it")]
    [InlineData("has space in it")]
    [InlineData("back\\slash-password")]
    [InlineData("new\nline-password")]
    public void A_bad_replication_password_is_named(string password) =>
        AssertField(Valid with { Replication = new ReplicationSpec { Password = new Secret(password) } }, "replication.password");

    [Theory]
    [InlineData("port", "6000")]
    [InlineData("primary_conninfo", "host=evil")]
    [InlineData("data_directory", "/tmp")]
    [InlineData("synchronous_standby_names", "*")]
    public void Settings_pgpanel_manages_are_refused(string key, string value) =>
        AssertField(Valid with { Settings = new SettingsSpec { Primary = new Dictionary<string, string> { [key] = value } } }, $"settings.primary.{key}");

    [Theory]
    [InlineData("work_mem", "4MB\nshared_preload_libraries = 'evil'")]
    [InlineData("work_mem", "4MB\r")]
    public void A_setting_value_cannot_span_lines(string key, string value) =>
        AssertField(Valid with { Settings = new SettingsSpec { Primary = new Dictionary<string, string> { [key] = value } } }, $"settings.primary.{key}");

    [Theory]
    [InlineData("work mem")]
    [InlineData("work_mem = 1; x")]
    [InlineData("WORK_MEM")]
    public void A_bad_setting_name_is_refused(string key) =>
        AssertField(Valid with { Settings = new SettingsSpec { Standby = new Dictionary<string, string> { [key] = "1" } } }, "settings.standby");

    [Fact]
    public void A_standby_with_fewer_connections_than_the_primary_is_refused() =>
        AssertField(Valid with
        {
            Settings = new SettingsSpec
            {
                Primary = new Dictionary<string, string> { ["max_connections"] = "200" },
                Standby = new Dictionary<string, string> { ["max_connections"] = "150" },
            },
        }, "settings.standby.max_connections");

    [Fact]
    public void A_quote_in_a_setting_value_is_legal_and_lands_quoted()
    {
        var spec = Valid with { Settings = new SettingsSpec { Primary = new Dictionary<string, string> { ["application_name"] = "it's; $(id)" } } };
        Assert.True(SpecValidator.Validate(spec).IsValid);
        var plan = PlanFixtures.LocalDebianRoot(spec);
        Assert.Contains("application_name = 'it''s; $(id)'", PlanFixtures.File(plan, "primary", "pgpanel.conf"));
    }

    [Fact]
    public void Ssh_nodes_need_a_key_or_a_password_and_a_valid_fingerprint()
    {
        var ssh = Valid with { Primary = Valid.Primary with { Connection = new ConnectionSpec { Kind = ConnectionKind.Ssh, HostKeyFingerprint = "md5:aa" } } };
        var result = SpecValidator.Validate(ssh);
        Assert.Contains("primary.connection", result.Errors.Keys);
        Assert.Contains("primary.connection.hostKeyFingerprint", result.Errors.Keys);
    }

    [Fact]
    public void Every_bad_field_is_named_at_once()
    {
        var spec = Valid with { Name = "", Primary = Valid.Primary with { Port = 0 }, Standbys = [Valid.Standbys[0] with { Host = ";" }] };
        var errors = SpecValidator.Validate(spec).Errors;
        Assert.Contains("name", errors.Keys);
        Assert.Contains("primary.port", errors.Keys);
        Assert.Contains("standbys[0].host", errors.Keys);
    }

    private static void AssertField(ClusterSpec spec, string field)
    {
        var result = SpecValidator.Validate(spec);
        Assert.False(result.IsValid);
        Assert.True(result.Errors.ContainsKey(field), $"expected an error on {field}, got: {result}");
        Assert.All(result.Errors[field], message => Assert.False(string.IsNullOrWhiteSpace(message)));
    }
}
