using PgPanel.Core;
using PgPanel.Core.Cloud.Alibaba;
using PgPanel.Core.Hosts;
using PgPanel.Core.Planning;
using PgPanel.Core.Security;
using PgPanel.Core.Specs;

namespace PgPanel.Tests.Unit.Cloud;

/// <summary>The "cloud" section: validation of every value that reaches an API call, secrets kept out of the stored spec, planning before instances exist.</summary>
public sealed class CloudSpecTests
{
    public static ClusterSpec Ecs(CloudSpec? cloud = null) => new()
    {
        Name = "seed",
        PostgresVersion = PgVersion.Of(15),
        Primary = new NodeSpec(),
        Standbys = [new NodeSpec()],
        Cloud = cloud ?? new CloudSpec
        {
            RegionId = "cn-hangzhou", ZoneId = "cn-hangzhou-h", VSwitchId = "vsw-bp1abc", SecurityGroupId = "sg-bp1abc",
        },
    };

    [Fact]
    public void The_seed_setup_on_ecs_is_valid_without_hosts()
    {
        var result = SpecValidator.Validate(Ecs());
        Assert.True(result.IsValid, string.Join("; ", result.Errors.Select(e => $"{e.Key}: {string.Join(",", e.Value)}")));
        Assert.Equal("ecs.g6.large", Ecs().Cloud!.InstanceType);
        Assert.Equal(CloudImage.Centos7, Ecs().Cloud!.Image);
        Assert.Equal(CloudConnectVia.Private, Ecs().Cloud!.ConnectVia);
    }

    [Theory]
    [InlineData("provider", "aws")]
    [InlineData("regionId", "cn-hangzhou;id")]
    [InlineData("zoneId", "cn-shanghai-b")]
    [InlineData("vSwitchId", "vsw-$(id)")]
    [InlineData("securityGroupId", "sg-a b")]
    [InlineData("instanceType", "ecs.g6.large&Amount=99")]
    [InlineData("imageId", "../etc/passwd")]
    [InlineData("systemDiskCategory", "tape")]
    [InlineData("keyPairName", "key pair")]
    [InlineData("accessKeyId", "LTAI;x")]
    [InlineData("instancePassword", "short")]
    [InlineData("instancePassword", "alllowercaseletters")]
    [InlineData("instancePassword", "Has Space 123")]
    public void Each_bad_cloud_value_is_named(string field, string value)
    {
        var c = Ecs().Cloud!;
        var cloud = field switch
        {
            "provider" => c with { Provider = value },
            "regionId" => c with { RegionId = value },
            "zoneId" => c with { ZoneId = value },
            "vSwitchId" => c with { VSwitchId = value },
            "securityGroupId" => c with { SecurityGroupId = value },
            "instanceType" => c with { InstanceType = value },
            "imageId" => c with { ImageId = value },
            "systemDiskCategory" => c with { SystemDiskCategory = value },
            "keyPairName" => c with { KeyPairName = value, InstancePassword = new Secret("Strong-Passw0rd") },
            "accessKeyId" => c with { AccessKeyId = value, AccessKeySecret = new Secret("s") },
            "instancePassword" => c with { InstancePassword = new Secret(value) },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };
        var result = SpecValidator.Validate(Ecs(cloud));
        Assert.Contains($"cloud.{field}", result.Errors.Keys);
    }

    [Theory]
    [InlineData("regionId")]
    [InlineData("zoneId")]
    [InlineData("vSwitchId")]
    [InlineData("securityGroupId")]
    [InlineData("instanceType")]
    [InlineData("imageId")]
    [InlineData("systemDiskCategory")]
    [InlineData("keyPairName")]
    [InlineData("accessKeyId")]
    [InlineData("privateAddress")]
    public void Every_hostile_value_in_a_cloud_field_is_rejected_on_that_field_or_holds_no_metacharacter(string field)
    {
        var accepted = 0;
        foreach (var value in TestBed.HostileCorpus.Values)
        {
            var c = Ecs().Cloud! with { InstancePassword = new Secret("Strong-Passw0rd") };
            var spec = field switch
            {
                "regionId" => Ecs(c with { RegionId = value, ZoneId = value + "-h" }),
                "zoneId" => Ecs(c with { ZoneId = value }),
                "vSwitchId" => Ecs(c with { VSwitchId = value }),
                "securityGroupId" => Ecs(c with { SecurityGroupId = value }),
                "instanceType" => Ecs(c with { InstanceType = value }),
                "imageId" => Ecs(c with { ImageId = value }),
                "systemDiskCategory" => Ecs(c with { SystemDiskCategory = value }),
                "keyPairName" => Ecs(c with { KeyPairName = value }),
                "accessKeyId" => Ecs(c with { AccessKeyId = value, AccessKeySecret = new Secret("s") }),
                "privateAddress" => Ecs() with { Primary = new NodeSpec { PrivateAddress = value } },
                _ => throw new ArgumentOutOfRangeException(nameof(field)),
            };
            var result = SpecValidator.Validate(spec);
            var path = field == "privateAddress" ? "primary.privateAddress" : $"cloud.{field}";
            if (!result.IsValid)
            {
                Assert.True(result.Errors.ContainsKey(path), $"{field} = '{value}' was rejected, but not on {path}: {string.Join(", ", result.Errors.Keys)}");
                continue;
            }

            accepted++;
            Assert.True(value.All(ch => char.IsAsciiLetterOrDigit(ch) || "._:-".Contains(ch)), $"{field} accepted '{value}'");
        }

        Assert.True(accepted < TestBed.HostileCorpus.Values.Count);
    }

    /// <summary>
    /// The image and the connection are enums: a hostile string cannot reach them (the JSON reader refuses it, see
    /// <see cref="CloudChoiceJsonTests"/>); a value no name stands for, or no image at all, is still named by the validator.
    /// </summary>
    [Fact]
    public void An_image_or_connection_outside_the_choice_is_named()
    {
        var c = Ecs().Cloud!;
        Assert.Contains("cloud.image", SpecValidator.Validate(Ecs(c with { Image = (CloudImage)99 })).Errors.Keys);
        Assert.Contains("cloud.image", SpecValidator.Validate(Ecs(c with { Image = null })).Errors.Keys);
        Assert.True(SpecValidator.Validate(Ecs(c with { Image = null, ImageId = "m-bp1abc" })).IsValid);
        Assert.Contains("cloud.connectVia", SpecValidator.Validate(Ecs(c with { ConnectVia = (CloudConnectVia)99 })).Errors.Keys);
    }

    [Fact]
    public void Cross_field_rules_are_named()
    {
        var c = Ecs().Cloud!;
        Assert.Contains("cloud.connectVia", SpecValidator.Validate(Ecs(c with { ConnectVia = CloudConnectVia.Eip, UseEip = false })).Errors.Keys);
        Assert.Contains("cloud.accessKeySecret", SpecValidator.Validate(Ecs(c with { AccessKeyId = "LTAI5tAbCdEf" })).Errors.Keys);
        var keyOnly = SpecValidator.Validate(Ecs(c with { KeyPairName = "pgpanel" }));
        Assert.Contains("primary.connection.privateKey", keyOnly.Errors.Keys);
        Assert.Contains("standbys[0].connection.privateKey", keyOnly.Errors.Keys);
        var notRoot = Ecs() with { Primary = new NodeSpec { Connection = new ConnectionSpec { Kind = ConnectionKind.Ssh, User = "pgdba" } } };
        Assert.Contains("primary.connection.user", SpecValidator.Validate(notRoot).Errors.Keys);
    }

    [Fact]
    public void Generated_instance_passwords_meet_the_ecs_rule()
    {
        for (var i = 0; i < 200; i++)
        {
            Assert.Null(CloudSpecValidator.PasswordProblem(EcsProvisioner.GenerateInstancePassword().Reveal()));
        }
    }

    [Fact]
    public void Cloud_secrets_leave_the_stored_spec_and_come_back()
    {
        var spec = Ecs(Ecs().Cloud! with
        {
            AccessKeyId = "LTAI5tAbCdEfGh", AccessKeySecret = new Secret("key-secret-value"), InstancePassword = new Secret("Root-Passw0rd!"),
        });
        var secrets = SpecSecrets.Extract(spec);
        Assert.Equal("key-secret-value", secrets[SpecSecrets.CloudAccessKeySecret].Reveal());
        Assert.Equal("Root-Passw0rd!", secrets[SpecSecrets.CloudInstancePassword].Reveal());

        var stored = PanelJson.Serialize(spec);
        Assert.DoesNotContain("key-secret-value", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("Root-Passw0rd!", stored, StringComparison.Ordinal);
        Assert.Contains("LTAI5tAbCdEfGh", stored, StringComparison.Ordinal);

        var back = SpecSecrets.Apply(PanelJson.Deserialize<ClusterSpec>(stored), secrets);
        Assert.Equal("key-secret-value", back.Cloud!.AccessKeySecret!.Reveal());
        Assert.Equal("Root-Passw0rd!", back.Cloud.InstancePassword!.Reveal());
    }

    [Fact]
    public void Nodes_reached_through_an_eip_replicate_over_their_private_addresses()
    {
        var spec = SpecBuilder.Remote("debian-12", PgVersion.Of(15)) with
        {
            Primary = SpecBuilder.Remote("debian-12", PgVersion.Of(15)).Primary with { Host = "47.96.1.10", PrivateAddress = "172.16.0.10" },
            Standbys = [SpecBuilder.Remote("debian-12", PgVersion.Of(15)).Standbys[0] with { Host = "47.96.1.11", PrivateAddress = "172.16.0.11" }],
        };
        Assert.True(SpecValidator.Validate(spec).IsValid);
        Assert.True(OsTarget.TryParse("debian-12", out var debian));
        var facts = Planner.NodeIds(spec).ToDictionary(id => id, _ => HostFacts.AssumedFor(debian));
        var plan = Planner.Create(new PlanRequest(spec, facts, "/var/lib/pgpanel"));
        var text = ScriptExport.Render(plan);

        Assert.Contains("172.16.0.11/32", text, StringComparison.Ordinal);
        Assert.Contains("host=172.16.0.10 port=5432", text, StringComparison.Ordinal);
        Assert.Contains("-d 'host=172.16.0.10 port=", text, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1,172.16.0.10", text, StringComparison.Ordinal);
        Assert.DoesNotContain("host=47.96.1.10", text, StringComparison.Ordinal);
        Assert.DoesNotContain("47.96.1.11/32", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Planned_calls_name_every_cloud_action_and_hide_the_password()
    {
        var calls = EcsProvisioner.PlannedCalls(Ecs());
        Assert.Equal(
            ["DescribeVSwitches", "DescribeSecurityGroups", "DescribeImages", "RunInstances", "DescribeInstances", "DescribeSecurityGroupAttribute",
             "AuthorizeSecurityGroup", "AllocateEipAddress", "AssociateEipAddress"],
            calls.Select(c => c.Action).Distinct().ToArray());
        Assert.Equal(4, calls.Count(c => c.Action == "RunInstances"));
        Assert.Contains(calls, c => c.Parameters.Contains("InstanceName=seed-standby-1", StringComparison.Ordinal));
        Assert.All(calls, c => Assert.DoesNotContain("Passw0rd", c.Parameters, StringComparison.Ordinal));
        Assert.DoesNotContain(EcsProvisioner.PlannedCalls(Ecs(Ecs().Cloud! with { UseEip = false })), c => c.Action.Contains("Eip", StringComparison.Ordinal));
    }
}
