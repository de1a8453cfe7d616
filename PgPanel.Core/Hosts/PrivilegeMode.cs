namespace PgPanel.Core.Hosts;

/// <summary>How an SSH login becomes root or the postgres user.</summary>
public enum PrivilegeMode
{
    /// <summary>Logged in as root: runuser switches to other users.</summary>
    Root,

    /// <summary>sudo -n works (NOPASSWD).</summary>
    SudoWithoutPassword,

    /// <summary>sudo with a password, fed on standard input (never on the command line).</summary>
    SudoWithPassword,

    /// <summary>Neither: commands run only as the login user.</summary>
    None,
}
