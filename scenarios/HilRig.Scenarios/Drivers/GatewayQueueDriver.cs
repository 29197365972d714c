using HilRig.Gateway.Device;
using HilRig.Gherkin;
using HilRig.Scenarios.Support;

namespace HilRig.Scenarios.Drivers;

/// <summary>
/// Devices waiting for room at the master gateway (docs/cloud.md §5.3, rule 4): each asks, one after the other, with the
/// commands, device level and address priority a scenario gives it; room then appears one slot at a time, and the order
/// the master served them is read off its "served" lines.
/// </summary>
public sealed class GatewayQueueDriver(GatewayDriver gateway, ScenarioRun scenario)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(20);
    private readonly List<(GatewayDevice Device, Task Started)> _waiting = [];

    /// <summary>One waiting device as the scenario gives it.</summary>
    public sealed record Asker(string DeviceId, int PendingCommands, int DeviceLevel, int AddressPriority);

    /// <summary>The devices that asked, in the order they asked.</summary>
    public IReadOnlyList<GatewayDevice> Waiting => _waiting.Select(w => w.Device).ToList();

    /// <summary>
    /// Each device gets its pending commands from the vendor backend (queued: it is on no node), then asks the master gateway
    /// for an address of <paramref name="logicalNode"/>; the next asks once the master said this one waits.
    /// </summary>
    public async Task AskOneAfterTheOtherAsync(string logicalNode, IEnumerable<Asker> askers)
    {
        foreach (var asker in askers)
        {
            var device = await gateway.CreateDeviceAsync(new GatewayDeviceOptions(asker.DeviceId, logicalNode)
            {
                DeviceLevel = asker.DeviceLevel,
                AddressPriority = asker.AddressPriority,
            });
            for (var i = 0; i < asker.PendingCommands; i++) await gateway.SubmitAsync(asker.DeviceId, "ping", null);
            _waiting.Add((device, device.StartAsync(scenario.RunCancellation)));
            await gateway.Timeline.WaitForAsync(e => e.Source == "master-gateway" && e.Kind == "wait" && e.Summary.StartsWith($"{asker.DeviceId} waits for room ", StringComparison.Ordinal),
                1, $"the master gateway answering {asker.DeviceId} \"wait\"", StepTimeout, scenario.RunCancellation);
        }
    }

    /// <summary>
    /// Switches off the devices on <paramref name="nodeId"/> that are not waiting, one at a time: each frees one slot, and the next
    /// goes only once a waiting device was served that slot and connected.
    /// </summary>
    public async Task FreeSlotsOneAtATimeAsync(string nodeId)
    {
        var waiting = _waiting.Select(w => w.Device.DeviceId).ToHashSet(StringComparer.Ordinal);
        var holders = gateway.Devices.Where(d => d.NodeId == nodeId && !waiting.Contains(d.DeviceId)).ToList();
        Expect.That(holders.Count >= _waiting.Count, $"{nodeId} has {holders.Count} devices to switch off, fewer than the {_waiting.Count} waiting");
        for (var i = 0; i < _waiting.Count; i++)
        {
            await holders[i].StopAsync();
            gateway.Timeline.Add("rig", "device-off", $"{holders[i].DeviceId} switched off (was on {nodeId}): one slot free");
            var served = await gateway.Timeline.WaitForAsync(e => e.Source == "master-gateway" && e.Kind == "served", i + 1, $"{i + 1} waiting device(s) served", StepTimeout, scenario.RunCancellation);
            var id = served[i].Summary.Split(' ')[0];
            var started = _waiting.FirstOrDefault(w => w.Device.DeviceId == id).Started
                ?? throw new ExpectationException($"the master gateway served {id}, which was not waiting");
            await started.WaitAsync(StepTimeout, scenario.RunCancellation);
        }
    }

    /// <summary>The waiting devices in the order the master gateway served them.</summary>
    public IReadOnlyList<string> ServedOrder()
    {
        var waiting = _waiting.Select(w => w.Device.DeviceId).ToHashSet(StringComparer.Ordinal);
        return gateway.Timeline.Snapshot().Where(e => e.Source == "master-gateway" && e.Kind == "served")
            .Select(e => e.Summary.Split(' ')[0]).Where(waiting.Contains).ToList();
    }
}
