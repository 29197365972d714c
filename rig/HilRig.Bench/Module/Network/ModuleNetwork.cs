using System.Text.Json;
using HilRig.Protocol.Control;
using HilRig.Protocol.Messages;

using HilRig.Protocol.Cloud;
using HilRig.Bench.Module.Network.Station;

namespace HilRig.Bench.Module.Network;

/// <summary>The chain side of the module, as its network side sees it.</summary>
public interface IModuleChain
{
    /// <summary>Starts a campaign on the chain; null when it started, else why it was refused.</summary>
    string? StartCampaign(CampaignRequest campaign);

    /// <summary>Sends PREPARE only and reports the answer; null when it started, else why it was refused.</summary>
    string? Prepare(uint campaignId);

    /// <summary>
    /// The chip <paramref name="campaignId"/> failed on, when the chain's saved state is that campaign's failure (a retry of
    /// it resumes there); null otherwise.
    /// </summary>
    byte? FailedChipOf(uint campaignId);

    /// <summary>True while a chain campaign runs.</summary>
    bool CampaignRunning { get; }

    /// <summary>
    /// Completes when the PREPARE of <paramref name="campaignId"/> (started by <see cref="Prepare"/>) has ended, at once
    /// when there is none: the "prepared" event is reported from inside it, so the campaign the server sends in answer
    /// can arrive before it has ended.
    /// </summary>
    Task PreparedAsync(uint campaignId);

    /// <summary>Raised for every event of the chain upgrade, with the campaign id it belongs to.</summary>
    event Action<ModuleEvent, uint?>? Reported;

    /// <summary>The device's processor on the same UART (since protocol 1.2, docs/protocol.md §7.7).</summary>
    IProcessorLink Processor { get; }
}

/// <summary>Where the emulated module's network side keeps its flash and finds its WiFi.</summary>
/// <param name="FlashDirectory">The module's non-volatile storage (<see cref="ModuleFlash"/>).</param>
/// <param name="AirFile">JSON list of the access points in range ({"accessPoints":[{"ssid":..,"passphrase":..}]}), written by the rig.</param>
/// <param name="Defects">Defects to run with (<see cref="ModuleDefect"/>).</param>
public sealed record ModuleNetworkOptions(string FlashDirectory, string AirFile, ModuleDefect Defects = ModuleDefect.None)
{
    /// <summary>
    /// The interface of a real WiFi station (the network double's veth end, the module running in its namespace): after
    /// the air-file join the module gets its address by DHCP, looks its servers' names up at the lease's DNS server and
    /// rejoins when the link goes (<see cref="WifiStation"/>). Null: servers are dialled as written, no DHCP.
    /// </summary>
    public string? StationInterface { get; init; }
}

/// <summary>
/// The WiFi module's network side (docs/cloud.md §4): boots from its network config (flag 1, 0 or
/// absent), waits for the processor's PROVISION when it has none, joins the WiFi, and runs a
/// <see cref="CloudSession"/> until it reboots (after its own upgrade or a new PROVISION).
/// </summary>
public sealed class ModuleNetwork(ModuleNetworkOptions options, IModuleChain chain, Action<string> log)
{
    /// <summary>Wait between retries of a join or lookup that failed (docs/cloud.md §4.1).</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(2);

    private readonly ModuleFlash _flash = new(options.FlashDirectory);
    private TaskCompletionSource _provisioned = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _boot;

    /// <summary>The module's storage.</summary>
    public ModuleFlash Flash => _flash;

    /// <summary>Runs boot after boot until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            using var boot = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Volatile.Write(ref _boot, boot);
            try
            {
                await BootAsync(boot.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // A reboot: volatile state is dropped with the session; the next boot reads the flash again.
            }
        }
    }

    /// <summary>Handles the processor's PROVISION (docs/protocol.md §5.10): stores flag 1 and reboots the network side.</summary>
    public ProvisionStatus OnProvision(ProvisionPayload provision)
    {
        if (AccessProblem(provision.ServerId) is { } problem)
        {
            log($"PROVISION refused: {problem}");
            return ProvisionStatus.UnknownServer;
        }
        _flash.SaveNetwork(new NetworkConfig(1, provision.Ssid, provision.Passphrase, provision.ServerId));
        log($"PROVISION accepted: SSID '{provision.Ssid}', server id '{provision.ServerId}' stored with network-config flag 1");
        _provisioned.TrySetResult();
        Reboot("new network config");
        return ProvisionStatus.Accepted;
    }

    /// <summary>Drops the current session and boots again.</summary>
    public void Reboot(string reason)
    {
        log($"rebooting the network side: {reason}");
        try
        {
            Volatile.Read(ref _boot)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task BootAsync(CancellationToken token)
    {
        var slots = _flash.LoadSlots();
        log($"boot: WiFi firmware {slots.RunningVersion} from slot {slots.Active}, device {_flash.Factory.DeviceId}");
        var config = _flash.LoadNetwork();
        if (config is null)
        {
            log("no network config: waiting for the processor's PROVISION on the UART");
            _provisioned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await _provisioned.Task.WaitAsync(token).ConfigureAwait(false);
            return;
        }
        if (AccessProblem(config.ServerId) is { } accessProblem)
        {
            // Nothing to connect to: the module waits for the processor's PROVISION, as with no network config at all.
            log($"network config (flag {config.Flag}) has no usable access config: {accessProblem}; waiting for the processor's PROVISION on the UART");
            _provisioned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await _provisioned.Task.WaitAsync(token).ConfigureAwait(false);
            return;
        }
        while (JoinProblem(config) is { } problem)
        {
            log($"{problem}; retrying in {RetryInterval.TotalSeconds:0} s");
            await Task.Delay(RetryInterval, token).ConfigureAwait(false);
        }
        log($"WiFi joined: SSID '{config.Ssid}'");
        if (options.Defects != ModuleDefect.None)
        {
            log($"running with defect(s): {options.Defects}");
        }
        if (options.StationInterface is { } stationInterface)
        {
            await RunOnStationAsync(new WifiStation(stationInterface, Path.Combine(options.FlashDirectory, "station"), log), config, token).ConfigureAwait(false);
            return;
        }
        await using var session = new CloudSession(_flash, config, chain, this, log, options.Defects);
        await session.RunAsync(token).ConfigureAwait(false);
    }

    /// <summary>
    /// The WiFi station under a session: join (DHCP), run the session, and when the link goes, leave (every connection
    /// aborted) and join again underneath it, as an ESP's WiFi driver does: the session keeps its queued events, its MQTT
    /// links reconnect and a download resumes with Range once the station has an address again.
    /// </summary>
    private async Task RunOnStationAsync(WifiStation station, NetworkConfig config, CancellationToken token)
    {
        try
        {
            await JoinStationAsync(station, config, token).ConfigureAwait(false);
            await using var session = new CloudSession(_flash, config, chain, this, log, options.Defects, station);
            var running = session.RunAsync(token);
            while (true)
            {
                using var watching = CancellationTokenSource.CreateLinkedTokenSource(token);
                var lost = station.WaitForLinkLossAsync(watching.Token);
                if (await Task.WhenAny(running, lost).ConfigureAwait(false) == running)
                {
                    await watching.CancelAsync().ConfigureAwait(false);
                    break;
                }
                await lost.ConfigureAwait(false);
                log($"WiFi lost: link down on {station.Interface}");
                await station.LeaveAsync().ConfigureAwait(false);
                using var joining = CancellationTokenSource.CreateLinkedTokenSource(token);
                var rejoin = JoinStationAsync(station, config, joining.Token);
                if (await Task.WhenAny(running, rejoin).ConfigureAwait(false) == running)
                {
                    // The session ended while the station was joining again: stop joining before the station leaves for good.
                    await joining.CancelAsync().ConfigureAwait(false);
                    await rejoin.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    break;
                }
                await rejoin.ConfigureAwait(false);
            }
            // A reboot (a new PROVISION, the module's own upgrade) ends the session and with it the boot.
            await running.ConfigureAwait(false);
        }
        finally
        {
            await station.LeaveAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Associates (the air file: the access point in range, admitting the module, the passphrase) and gets a DHCP lease, retrying until both work.</summary>
    private async Task JoinStationAsync(WifiStation station, NetworkConfig config, CancellationToken token)
    {
        while (true)
        {
            while (JoinProblem(config) is { } problem)
            {
                log($"{problem}; retrying in {RetryInterval.TotalSeconds:0} s");
                await Task.Delay(RetryInterval, token).ConfigureAwait(false);
            }
            try
            {
                log($"DHCP: {await station.JoinAsync(token).ConfigureAwait(false)}");
                return;
            }
            catch (StationException ex)
            {
                log($"DHCP failed: {ex.Message}; retrying in {RetryInterval.TotalSeconds:0} s");
                await Task.Delay(RetryInterval, token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Null when <paramref name="serverId"/> has a usable access config in the factory table (docs/cloud.md §4.1); else why not.</summary>
    private string? AccessProblem(string serverId)
    {
        if (!_flash.Factory.Access.TryGetValue(serverId, out var access))
        {
            return $"server id '{serverId}' is not in the access config table (known: {string.Join(", ", _flash.Factory.Access.Keys)})";
        }
        return access.IsUsable() ? null
            : $"server id '{serverId}' has no usable access config (host '{access.Host}', port {access.Port}: a host and a port from 1 to 65535 are needed)";
    }

    /// <summary>Null when the radio hears the access point of <paramref name="config"/> and it lets the module in; else the line to log.</summary>
    private string? JoinProblem(NetworkConfig config)
    {
        Air? air;
        try
        {
            air = File.Exists(options.AirFile) ? JsonSerializer.Deserialize<Air>(File.ReadAllBytes(options.AirFile), Protocol.Cloud.CloudJson.Options) : null;
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            return $"WiFi join failed: the air file {options.AirFile} is unreadable ({ex.Message})";
        }
        var ap = air?.AccessPoints.FirstOrDefault(a => a.Ssid == config.Ssid);
        if (ap is null)
        {
            return $"WiFi join failed: no access point with SSID '{config.Ssid}' in range";
        }
        if (ap.Refused)
        {
            return $"WiFi join refused by SSID '{config.Ssid}' (association refused)";
        }
        return ap.Passphrase == config.Passphrase ? null : $"WiFi join failed: SSID '{config.Ssid}' refused the passphrase";
    }
}
