namespace PgPanel.Testing;

/// <summary>Where the solution and its build output are, seen from a test or bench binary (…/bin/&lt;Configuration&gt;/net10.0/).</summary>
public static class SolutionLayout
{
    /// <summary>The folder that holds PgPanel.sln, above the running binary.</summary>
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PgPanel.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new DirectoryNotFoundException("PgPanel.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The configuration the running binary was built in (Debug, Release): the folder above its target framework's.</summary>
    public static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;

    /// <summary>PgPanel.Web.dll as the solution's build put it, in the same configuration as the running binary.</summary>
    public static string BuiltWebAssembly
    {
        get
        {
            var dll = Path.Combine(Root, "PgPanel.Web", "bin", Configuration, "net10.0", "PgPanel.Web.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("Build PgPanel.Web first.", dll);
        }
    }
}
