using System.Text.Json.Serialization;

namespace PgPanel.Core.Specs;

/// <summary>Which address of a new ECS instance the panel dials. Written in a spec as "private", "public" or "eip".</summary>
public enum CloudConnectVia
{
    /// <summary>The instance's VPC address: the panel runs inside the VPC.</summary>
    [JsonStringEnumMemberName("private")]
    Private,

    /// <summary>A public address assigned with the instance (bandwidth billed), else its EIP.</summary>
    [JsonStringEnumMemberName("public")]
    Public,

    /// <summary>The elastic IP PgPanel allocates and associates (needs <see cref="CloudSpec.UseEip"/>).</summary>
    [JsonStringEnumMemberName("eip")]
    Eip,
}
