using System.Diagnostics;
using PgPanel.Bench;

// PgPanel benchmarks: each figure next to a baseline measured in the same run, as a ratio.
//   dotnet run -c Release --project bench/PgPanel.Bench -- [streaming] [clone] [monitor] [ui] [lag]
//       [--nodes 500] [--seconds 30] [--scale 130] [--runs 5] [--seed-runs 10000] [--quick]
var options = BenchOptions.Parse(args);
var table = new ResultTable();
var wall = Stopwatch.StartNew();
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

Directory.CreateDirectory(options.WorkDirectory);
File.SetUnixFileMode(options.WorkDirectory, (UnixFileMode)0b111_101_101);
try
{
    await RunAsync("streaming", "B1", () => TimeToStreaming.RunAsync(options.For("streaming"), table, cancellation.Token));
    await RunAsync("clone", "B2", () => LargeClone.RunAsync(options.For("clone"), table, cancellation.Token));
    await RunAsync("monitor", "B3", () => MonitorFanOut.RunAsync(options.For("monitor"), table));
    await RunAsync("ui", "B4", () => UiLatency.RunAsync(options.For("ui"), table, cancellation.Token));
    await RunAsync("lag", "B5", () => LagAccuracy.RunAsync(options.For("lag"), table, cancellation.Token));
}
finally
{
    if (Directory.Exists(options.WorkDirectory) && !Directory.EnumerateFileSystemEntries(options.WorkDirectory).Any())
    {
        Directory.Delete(options.WorkDirectory);
    }

    Console.Error.WriteLine($"Wall time: {wall.Elapsed:mm\\:ss}");
}

table.Print(Console.Out);
return table.AllMet ? 0 : 1;

// One benchmark failing (each cleans up after itself) is a row that is not met; the others still run.
async Task RunAsync(string name, string label, Func<Task> benchmark)
{
    if (!options.Runs(name))
    {
        return;
    }

    try
    {
        await benchmark();
    }
    catch (Exception ex) when (ex is not OperationCanceledException || !cancellation.IsCancellationRequested)
    {
        Console.Error.WriteLine($"{label} ({name}) failed: {ex}");
        table.Add($"{label} {name}: failed ({ex.GetType().Name})", double.NaN, "", null, "runs", false);
    }
}
