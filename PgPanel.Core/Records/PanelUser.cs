using Microsoft.AspNetCore.Identity;

namespace PgPanel.Core.Records;

/// <summary>A person who signs in to the panel.</summary>
public sealed class PanelUser : IdentityUser;
