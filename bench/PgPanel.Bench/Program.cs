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
    if (options.Runs("streaming"))
    {
        await TimeToStreaming.RunAsync(options.For("streaming"), table, cancellation.Token);
    }

    if (options.Runs("clone"))
    {
        await LargeClone.RunAsync(options.For("clone"), table, cancellation.Token);
    }

    if (options.Runs("monitor"))
    {
        await MonitorFanOut.RunAsync(options.For("monitor"), table);
    }

    if (options.Runs("ui"))
    {
        await UiLatency.RunAsync(options.For("ui"), table, cancellation.Token);
    }

    if (options.Runs("lag"))
    {
        await LagAccuracy.RunAsync(options.For("lag"), table, cancellation.Token);
    }
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
