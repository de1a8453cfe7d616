using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;
using PgPanel.Core.Hosts;
using PgPanel.Core.Planning;
using PgPanel.Core.Runs;
using PgPanel.Core.Security;
using PgPanel.Core.Specs;

namespace PgPanel.Web.Components.Pages.Wizard;

public sealed partial class Wizard
{
    private MudStepper? _stepper;
    private int _active;
    private IReadOnlyDictionary<string, string[]> _errors = new Dictionary<string, string[]>();
    private Plan? _plan;
    private IReadOnlyList<PreflightResult> _preflight = [];
    private IReadOnlyList<PgPanel.Core.Cloud.Alibaba.PlannedCloudCall> _cloudCalls = [];
    private string? _reviewError;
    private bool _reviewing;
    private ClusterChanges _changes = ClusterChanges.None("");
    private bool _confirmed;
    private bool _revealed;
    private bool _starting;

    [Inject]
    private JobService Jobs { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private IJSRuntime Js { get; set; } = default!;

    [Inject]
    private Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider Auth { get; set; } = default!;

    [Inject]
    private PgPanel.Web.Extensions.ClientAddress Address { get; set; } = default!;

    [Inject]
    private HostService Hosts { get; set; } = default!;

    [Inject]
    private PgPanel.Core.Settings.SettingsStore Settings { get; set; } = default!;

    /// <summary>The wizard's state; public so component tests can look at what the user entered.</summary>
    public WizardModel Model { get; } = new();

    /// <summary>True once this machine has been probed for the default version.</summary>
    public bool Ready { get; private set; }

    private string VersionHelp => Model.Target == WizardTarget.Local && _localVersions.Count > 0
        ? $"Installed here: {string.Join(", ", _localVersions)}"
        : "Installed from the OS packages when missing.";

    private List<PgVersion> _localVersions = [];

    protected override async Task OnInitializedAsync()
    {
        Model.ReplicationPassword = PasswordGenerator.Generate().Reveal();
        var defaults = Settings.Current;
        Model.SetLocalPorts(defaults.DefaultPrimaryPort, defaults.DefaultStandbyPort);
        try
        {
            // This OS may not be one PgPanel plans for (null): the SSH target still works.
            var here = await Hosts.ThisMachineAsync();
            _localVersions = here?.Installed.ToList() ?? [];
            Model.Version = defaults.DefaultPostgresVersion
                ?? (here is null ? Model.Version : _localVersions.Count > 0 ? _localVersions[^1] : here.DistributionVersion ?? PgVersion.Of(16));
        }
        finally
        {
            Ready = true;
        }
    }

    private void OnTargetChanged(WizardTarget target)
    {
        Model.UseTarget(target);
        _plan = null;
    }

    private async Task OnPreviewInteraction(StepperInteractionEventArgs args)
    {
        if (args.Action != StepAction.Complete && !(args.Action == StepAction.Activate && args.StepIndex > _active))
        {
            return;
        }

        var index = _active;
        var errors = ErrorsForStep(index);
        _errors = errors;
        if (errors.Count > 0)
        {
            args.Cancel = true;
            Snackbar.Add("Some fields need a change before you go on.", Severity.Warning);
            return;
        }

        if (index == 2)
        {
            await ReviewAsync();
        }
        else if (index == 3 && _plan is null)
        {
            args.Cancel = true;
        }
    }

    /// <summary>The field errors of the spec that belong to the step the user is leaving.</summary>
    private Dictionary<string, string[]> ErrorsForStep(int index)
    {
        var all = SpecValidator.Validate(Model.ToSpec()).Errors;
        Func<string, bool> belongs = index switch
        {
            0 => f => f == "name" || f.StartsWith("cloud", StringComparison.Ordinal) || (Model.Target == WizardTarget.AlibabaEcs && f.EndsWith("connection.privateKey", StringComparison.Ordinal)),
            1 => f => f.StartsWith("primary", StringComparison.Ordinal) || f.StartsWith("standbys", StringComparison.Ordinal),
            2 => f => f.StartsWith("replication", StringComparison.Ordinal) || f.StartsWith("settings", StringComparison.Ordinal) || f == "postgresVersion" ||
                      f.StartsWith("packages", StringComparison.Ordinal),
            _ => _ => false,
        };
        var errors = all.Where(e => belongs(e.Key)).ToDictionary(e => e.Key, e => e.Value);
        if (index == 1 && Model.Target == WizardTarget.Ssh)
        {
            foreach (var (node, prefix) in new[] { (Model.Primary, "primary"), (Model.Standby, "standbys[0]") })
            {
                if (node.TrustedFingerprint is null)
                {
                    errors[$"{prefix}.connection.hostKeyFingerprint"] = ["Test the connection and confirm the host key."];
                }
            }
        }

        return errors;
    }

    private async Task ReviewAsync()
    {
        _reviewing = true;
        _reviewError = null;
        _plan = null;
        StateHasChanged();
        try
        {
            var spec = Model.ToSpec();
            (_plan, _preflight) = await Jobs.ReviewAsync(spec);
            var changes = await Jobs.ChangesAsync(spec);
            _confirmed = _confirmed && changes.Token == _changes.Token;
            _changes = changes;
            _cloudCalls = spec.Cloud is null ? [] : PgPanel.Core.Cloud.Alibaba.EcsProvisioner.PlannedCalls(spec);
            if (_preflight.Any(p => !p.Passed))
            {
                Snackbar.Add("A pre-flight check fails: the run would stop there. See the review.", Severity.Error);
            }
        }
        catch (Exception ex) when (ex is HostProbeException or SpecValidationException or InvalidOperationException or IOException)
        {
            _reviewError = ex.Message;
            Snackbar.Add(ex.Message, Severity.Error);
        }
        finally
        {
            _reviewing = false;
        }
    }

    private async Task StartAsync()
    {
        _starting = true;
        try
        {
            var user = (await Auth.GetAuthenticationStateAsync()).User.Identity?.Name ?? "unknown";
            var job = await Jobs.StartAsync(Model.ToSpec(), $"{user} from {Address.Value} (panel)", _confirmed ? _changes.Token : null);
            // The run page follows the run and, once the pair is verified, goes on to the cluster's dashboard.
            Navigation.NavigateTo($"runs/{job.Id}?then=dashboard");
        }
        catch (ConfirmationRequiredException ex)
        {
            // The cluster changed since the review: show what needs a confirmation now.
            (_changes, _confirmed) = (ex.Changes, false);
            Snackbar.Add("The cluster changed since the review: confirm the changes again.", Severity.Warning);
            _starting = false;
        }
        catch (SpecValidationException ex)
        {
            _errors = ex.Result.Errors;
            Snackbar.Add("The spec is not valid; see the fields listed.", Severity.Error);
            _starting = false;
        }
        catch (InvalidOperationException ex)
        {
            Snackbar.Add(ex.Message, Severity.Error);
            _starting = false;
        }
    }

    private async Task DownloadAsync()
    {
        if (_plan is not null)
        {
            await Js.InvokeVoidAsync("pgpanelDownload", $"pgpanel-{Model.Name}.sh", ScriptExport.Render(_plan));
        }
    }

    private async Task RevealOrCopyAsync()
    {
        if (!_revealed)
        {
            // Shown on this page only: the cluster keeps it sealed and no page shows it again.
            _revealed = true;
            return;
        }

        await Js.InvokeVoidAsync("pgpanelCopy", Model.ReplicationPassword);
        Snackbar.Add("Password copied.", Severity.Info);
    }

    /// <summary>The index of the Run step, whose own button (Provision) ends the wizard.</summary>
    private const int LastStep = 4;

    private bool PreflightFails => _preflight.Any(p => !p.Passed);

    private bool HasError(string field) => _errors.ContainsKey(field);

    private string? ErrorFor(string field) => _errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    private static string Mask(string? value) => string.IsNullOrEmpty(value) ? "" : new string('•', 16);
}
