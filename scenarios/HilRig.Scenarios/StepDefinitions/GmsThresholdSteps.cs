using System.Globalization;
using System.Text.RegularExpressions;
using HilRig.Gateway.Cluster;
using HilRig.Scenarios.Drivers;
using HilRig.Scenarios.Support;
using Reqnroll;

namespace HilRig.Scenarios.StepDefinitions;

/// <summary>Steps about the GMS's offline and close thresholds and the unbind that must succeed (docs/cloud.md §5.4, "Thresholds").</summary>
[Binding]
public sealed partial class GmsThresholdSteps(BenchDriver bench, GatewayDriver gateway)
{
    private static readonly TimeSpan UpgradeTimeout = TimeSpan.FromSeconds(90);
    private Task<LogicalNodeUpgrade>? _upgrade;

    private Gms Gms => gateway.Cluster.Gms;

    [Given("the GMS sends the offline indication once a draining node has fewer than {int} connections")]
    public void GivenOfflineThreshold(int connections) => Gms.Thresholds = Gms.Thresholds with { OfflineBelowConnections = connections };

    [Given("the GMS closes a draining node once it has fewer than {int} connections and fewer than {int} uplink messages between two looks")]
    public void GivenCloseThresholds(int connections, int messages) =>
        Gms.Thresholds = Gms.Thresholds with { CloseBelowConnections = connections, CloseBelowUplinkMessages = messages };

    [Given("{int} virtual devices of logical node {string} that ignore the offline instruction are connected to the gateway cluster")]
    public Task GivenIgnoringDevices(int count, string logicalNode) => gateway.StartDevicesAsync(count, logicalNode, ignoresOffline: true);

    [Given("the binding store refuses to unbind access node {string} {int} times")]
    public void GivenUnbindFails(string nodeId, int times) => gateway.Cluster.Bindings.FailNextUnbinds(nodeId, times, "binding store unavailable");

    [When("the GMS starts upgrading logical node {string} to version {string}")]
    public void WhenUpgradeStarts(string logicalNode, string version) => _upgrade = Gms.UpgradeLogicalNodeAsync(logicalNode, version, bench.Cancellation);

    [When("{int} virtual devices of logical node {string} switch off")]
    public async Task WhenDevicesSwitchOff(int count, string logicalNode)
    {
        var devices = gateway.Devices.Where(d => d.Options.LogicalNode == logicalNode && !d.Options.IgnoresOffline).Take(count).ToList();
        Expect.That(devices.Count == count, $"only {devices.Count} virtual devices of {logicalNode} to switch off, expected {count}");
        foreach (var device in devices)
        {
            var node = device.NodeId;
            await device.StopAsync();
            gateway.Timeline.Add("rig", "device-off", $"{device.DeviceId} switched off (was on {node})");
        }
    }

    [Then("the GMS holds the offline indication back while access node {string} has {int} connections")]
    public async Task ThenHeldBack(string nodeId, int connections)
    {
        var held = await Wait(gateway.Timeline.WaitForAsync(e => e.Source == "gms" && e.Kind == "hold" && e.Summary.Contains($" {nodeId} has ", StringComparison.Ordinal),
            1, $"the GMS holding back {nodeId}'s offline indication", TimeSpan.FromSeconds(20), bench.Cancellation));
        Expect.That(held[0].Summary.Contains($"{nodeId} has {connections} connection(s)", StringComparison.Ordinal), $"the GMS said '{held[0].Summary}', expected {connections} connections");
        var told = gateway.Timeline.Snapshot().Where(e => e.Summary.Contains($"told to leave {nodeId}", StringComparison.Ordinal)).ToList();
        Expect.That(told.Count == 0, $"devices were told to leave {nodeId} although the GMS holds the indication back: {string.Join("; ", told.Select(e => e.Summary))}");
    }

    [Then("the upgrade of logical node {string} completes")]
    public async Task ThenUpgradeCompletes(string logicalNode)
    {
        var upgrade = _upgrade ?? throw new InvalidOperationException("no upgrade was started in this scenario");
        var result = await upgrade.WaitAsync(UpgradeTimeout, bench.Cancellation);
        gateway.LogicalUpgrade = result;
        Expect.That(result.State == LogicalNodeState.Upgraded, $"logical node {logicalNode} ended {result.State}{(result.Reason is null ? "" : $": {result.Reason}")}");
    }

    [Then("the offline indication went out only after access node {string} had fewer than {int} connections")]
    public void ThenOfflineAfterThreshold(string nodeId, int connections)
    {
        var events = gateway.Timeline.Snapshot().ToList();
        var open = events.FirstOrDefault(e => e.Source == "gms" && e.Kind == "offline" && e.Summary.Contains($" {nodeId} has ", StringComparison.Ordinal));
        Expect.That(open is not null, $"the GMS never said it sends {nodeId}'s offline indications");
        var said = ConnectionsSaid().Match(open!.Summary);
        Expect.That(said.Success && int.Parse(said.Groups[1].Value, CultureInfo.InvariantCulture) < connections, $"the GMS opened the offline indications with '{open.Summary}', expected fewer than {connections} connections");
        var early = events.Where(e => e.Summary.Contains($"told to leave {nodeId}", StringComparison.Ordinal) && events.IndexOf(e) < events.IndexOf(open)).ToList();
        Expect.That(early.Count == 0, $"told to leave before the GMS let the indication out: {string.Join("; ", early.Select(e => e.Summary))}");
        var told = events.Count(e => e.Summary.Contains($"told to leave {nodeId}", StringComparison.Ordinal));
        Expect.That(told > 0, $"no device was ever told to leave {nodeId}");
    }

    [Then("access node {string} was shut with {int} devices still connected, fewer than {int}, and fewer than {int} uplink messages since the GMS's last look")]
    public void ThenShutBelowThresholds(string nodeId, int devices, int connections, int messages)
    {
        var events = gateway.Timeline.Snapshot().ToList();
        var unbind = events.FirstOrDefault(e => e.Source == "gms" && e.Kind == "unbind" && e.Summary.Contains($" {nodeId} had ", StringComparison.Ordinal));
        Expect.That(unbind is not null, $"the GMS never unbound {nodeId}");
        var said = CloseSaid().Match(unbind!.Summary);
        Expect.That(said.Success, $"the GMS's unbind line does not say its counts: '{unbind.Summary}'");
        var had = int.Parse(said.Groups[1].Value, CultureInfo.InvariantCulture);
        var uplink = int.Parse(said.Groups[2].Value, CultureInfo.InvariantCulture);
        Expect.That(had == devices && had < connections && uplink < messages,
            $"the GMS closed {nodeId} with {had} connection(s) and {uplink} uplink message(s) since its last look; expected {devices} (< {connections}) and < {messages}");
        var shut = events.FirstOrDefault(e => e.Kind == "shut" && e.Summary.StartsWith($"{nodeId} shut", StringComparison.Ordinal));
        Expect.That(shut is not null && shut.Summary.Contains($"with {devices} device(s) connected", StringComparison.Ordinal), $"{nodeId}: {shut?.Summary ?? "never shut"}");
    }

    [Then("the {int} devices that ignored the offline instruction reconnected to an access node of version {string}")]
    public async Task ThenIgnoringReconnected(int count, string version)
    {
        var ignoring = gateway.Devices.Where(d => d.Options.IgnoresOffline).ToList();
        Expect.That(ignoring.Count == count, $"{ignoring.Count} virtual devices ignore the offline instruction, expected {count}");
        foreach (var device in ignoring)
        {
            await Wait(gateway.Timeline.WaitForAsync(e => e.Kind == "ready" && e.Summary.StartsWith($"{device.DeviceId} ready on ", StringComparison.Ordinal)
                    && gateway.Cluster.FindNode(e.Summary[(e.Summary.LastIndexOf(' ') + 1)..])?.Version == version,
                1, $"{device.DeviceId} ready on a node of version {version}", TimeSpan.FromSeconds(30), bench.Cancellation));
        }
    }

    [Then("access node {string} kept running after each of the {int} failed unbinds and was shut only after its unbind succeeded")]
    public void ThenKeptAfterFailedUnbinds(string nodeId, int failures)
    {
        var events = gateway.Timeline.Snapshot().ToList();
        var failed = events.Where(e => e.Source == "gms" && e.Kind == "unbind-failed" && e.Summary.Contains($"unbinding {nodeId} failed", StringComparison.Ordinal)).ToList();
        Expect.That(failed.Count == failures, $"the GMS saw {failed.Count} failed unbind(s) of {nodeId}, expected {failures}");
        var shut = events.FindIndex(e => e.Kind == "shut" && e.Summary.StartsWith($"{nodeId} shut", StringComparison.Ordinal));
        var unbound = events.FindIndex(e => e.Source == "gms" && e.Kind == "unbind" && e.Summary.Contains($" {nodeId} had ", StringComparison.Ordinal));
        Expect.That(shut >= 0 && unbound >= 0, $"{nodeId} was never unbound and shut");
        Expect.That(failed.All(f => events.IndexOf(f) < shut), $"{nodeId} was shut before an unbind of it failed: a node whose unbind failed must keep running");
        Expect.That(!gateway.Cluster.Bindings.BoundTo(nodeId.Split('.')[0]).Any(n => n.NodeId == nodeId), $"{nodeId} is still bound");
    }

    private static async Task<T> Wait<T>(Task<T> task) => await task;

    [GeneratedRegex(@"has (\d+) connection\(s\)")]
    private static partial Regex ConnectionsSaid();

    [GeneratedRegex(@"had (\d+) connection\(s\) \(fewer than \d+\) and (\d+) uplink message\(s\)")]
    private static partial Regex CloseSaid();
}
