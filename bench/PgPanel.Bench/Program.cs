using PgPanel.Bench;

// PgPanel benchmarks: each figure next to a baseline measured in the same run, as a ratio.
//   dotnet run -c Release --project bench/PgPanel.Bench -- [monitor] [--nodes 500] [--seconds 30]
var options = BenchOptions.Parse(args);
var table = new ResultTable();
if (options.Runs("monitor"))
{
    await MonitorFanOut.RunAsync(options, table);
}

table.Print(Console.Out);
return table.AllMet ? 0 : 1;
