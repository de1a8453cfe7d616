using PgPanel.Core.Specs;

namespace PgPanel.Tests.Unit.Specs;

/// <summary>A node's identity is made and read in one place, and reading refuses what it would not make.</summary>
public sealed class NodeIdTests
{
    [Theory]
    [InlineData("primary", 0)]
    [InlineData("standby1", 1)]
    [InlineData("standby12", 12)]
    public void Text_round_trips(string text, int standbyNumber)
    {
        var id = NodeId.Parse(text);
        Assert.Equal(standbyNumber, id.StandbyNumber);
        Assert.Equal(text, id.ToString());
        Assert.Equal(standbyNumber == 0, id.IsPrimary);
    }

    [Theory]
    [InlineData("standby0")]
    [InlineData("standby01")]
    [InlineData("standby")]
    [InlineData("standby-1")]
    [InlineData("standby+1")]
    [InlineData("Primary")]
    [InlineData("standby1 ")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_else_is_not_a_node(string? text)
    {
        Assert.False(NodeId.TryParse(text, out _));
    }

    [Fact]
    public void All_lists_the_primary_then_each_standby_and_In_finds_its_part_of_the_spec()
    {
        var spec = new ClusterSpec
        {
            Name = "ids",
            Primary = new NodeSpec { Host = "10.0.0.1" },
            Standbys = [new NodeSpec { Host = "10.0.0.2" }, new NodeSpec { Host = "10.0.0.3" }],
        };
        Assert.Equal(["primary", "standby1", "standby2"], NodeId.All(spec).Select(n => n.ToString()));
        Assert.Equal("10.0.0.3", NodeId.Parse("standby2").In(spec).Host);
        Assert.Equal("10.0.0.1", NodeId.Primary.In(spec).Host);
        Assert.Throws<ArgumentOutOfRangeException>(() => NodeId.StandbyAt(2).In(spec));
        Assert.Throws<FormatException>(() => NodeId.Parse("standby01"));
    }
}
