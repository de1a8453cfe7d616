using System.Runtime.CompilerServices;

namespace PgPanel.Tests.Unit;

/// <summary>
/// Compares text with a golden file beside this source file. PGPANEL_UPDATE_GOLDEN=1 rewrites the file instead,
/// for a reviewed change of the planner; the diff then shows in the commit.
/// </summary>
internal static class Golden
{
    public static void Matches(string name, string actual, [CallerFilePath] string caller = "")
    {
        var path = Path.Combine(Path.GetDirectoryName(caller)!, "Golden", name);
        if (Environment.GetEnvironmentVariable("PGPANEL_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"Golden file {path} is missing; run the tests once with PGPANEL_UPDATE_GOLDEN=1 and review it.");
        var expected = File.ReadAllText(path);
        if (expected != actual)
        {
            var expectedLines = expected.Split('\n');
            var actualLines = actual.Split('\n');
            var line = Enumerable.Range(0, Math.Min(expectedLines.Length, actualLines.Length)).FirstOrDefault(i => expectedLines[i] != actualLines[i], Math.Min(expectedLines.Length, actualLines.Length));
            Assert.Fail($"{name} differs from its golden file at line {line + 1}:\n expected: {expectedLines.ElementAtOrDefault(line)}\n actual:   {actualLines.ElementAtOrDefault(line)}");
        }
    }
}
