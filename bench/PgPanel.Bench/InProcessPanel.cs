using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PgPanel.Core;
using PgPanel.Core.Extensions;
using PgPanel.Core.Records;
using PgPanel.Core.Runs;
using PgPanel.Core.Specs;

namespace PgPanel.Bench;

/// <summary>
/// PgPanel's engine in this process (as B3 uses it): job service, job history and monitor over one data directory. The
/// background monitor is off; benchmarks sample when they choose to.
/// </summary>
public sealed class InProcessPanel : IAsyncDisposable
{
    private readonly IHost _host;

    private InProcessPanel(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public T Get<T>()
        where T : notnull => _host.Services.GetRequiredService<T>();

    public static async Task<InProcessPanel> StartAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(dataDirectory);
        File.SetUnixFileMode(dataDirectory, (UnixFileMode)0b111_101_101);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PgPanel:DataDirectory"] = dataDirectory,
            ["PgPanel:Monitoring:Enabled"] = "false",
            ["PgPanel:Monitoring:IntervalSeconds"] = "1",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Error",
        });
        builder.AddPgPanelCore();
        var host = builder.Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        return new InProcessPanel(host);
    }

    /// <summary>A local pair (or more standbys) on loopback, PostgreSQL 15, slots, asynchronous.</summary>
    public static ClusterSpec LocalSpec(string name, int primaryPort, IEnumerable<int> standbyPorts, IReadOnlyDictionary<string, string>? primarySettings = null) => new()
    {
        Name = name,
        PostgresVersion = PgVersion.Of(15),
        Primary = new NodeSpec { Host = "127.0.0.1", Port = primaryPort },
        Standbys = [.. standbyPorts.Select(p => new NodeSpec { Host = "127.0.0.1", Port = p })],
        Settings = new SettingsSpec { Primary = primarySettings ?? new Dictionary<string, string>() },
    };

    /// <summary>Starts a job for the spec and waits until it ends; throws with the failed step's output unless it succeeded.</summary>
    public async Task<Job> RunJobAsync(ClusterSpec spec, CancellationToken cancellationToken)
    {
        var jobs = Get<JobService>();
        var job = await jobs.StartAsync(spec, "bench", cancellationToken: cancellationToken).ConfigureAwait(false);
        while (true)
        {
            job = (await jobs.GetAsync(job.Id, cancellationToken).ConfigureAwait(false))!;
            if (job.Status is JobStatus.Succeeded)
            {
                return job;
            }

            if (job.Status is JobStatus.Failed or JobStatus.Cancelled or JobStatus.Interrupted)
            {
                var failed = job.Steps.FirstOrDefault(s => s.Status == StepStatus.Failed);
                var logs = failed is null ? "" : $"{DataDirectoryOf(spec.Name, failed.Node)}.log";
                var tail = File.Exists(logs) ? string.Join('\n', (await File.ReadAllLinesAsync(logs, cancellationToken).ConfigureAwait(false)).TakeLast(20)) : "";
                throw new InvalidOperationException($"Job for {spec.Name} {job.Status}: {job.Error} {failed?.StepId}: {failed?.Output}\n{logs}:\n{tail}");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The data directory PgPanel gives a local node that names none.</summary>
    public string DataDirectoryOf(string clusterName, string nodeId) =>
        Path.Combine(Get<Microsoft.Extensions.Options.IOptions<PanelOptions>>().Value.FullDataDirectory, "clusters", clusterName, nodeId);

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync().ConfigureAwait(false);
        _host.Dispose();
    }
}
