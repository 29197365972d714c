using HilRig.Core.Bench;
using HilRig.Gherkin;
using Reqnroll;
using HilRig.Protocol.Cloud;
using HilRig.Protocol.Messages;
using HilRig.Scenarios.Drivers;
using HilRig.Scenarios.Support;

namespace HilRig.Scenarios.StepDefinitions;

/// <summary>Steps about the WiFi module's network config, provisioning and connections (docs/cloud.md §4).</summary>
[Binding]
public sealed class WifiSteps(BenchDriver bench, CloudDriver cloud)
{
    [Given("the module is configured for vendor server {string}")]
    public void GivenConfigured(string serverId) =>
        bench.ModuleNetwork = n => new NetworkConfig(0, n.Wifi.Ssid, n.Wifi.Passphrase, serverId);

    [Given("the module has pending provisioning for vendor server {string} on SSID {string} with passphrase {string}")]
    public void GivenPending(string serverId, string ssid, string passphrase) =>
        bench.ModuleNetwork = _ => new NetworkConfig(1, ssid, passphrase, serverId);

    [Given("the module's access config table lists server id {string} at the target server's host and port")]
    public void GivenAlias(string serverId) =>
        ChangeFactory(f => f with { Access = new Dictionary<string, AccessConfig>(f.Access, StringComparer.Ordinal) { [serverId] = f.Access[f.TargetServerId] } });

    [Given("the module's access config table has no entry for server id {string}")]
    public void GivenNoEntry(string serverId) =>
        ChangeFactory(f => f with { Access = f.Access.Where(a => a.Key != serverId).ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal) });

    [Given("the module's access config for server id {string} has no host and port 0")]
    public void GivenBlankEntry(string serverId) =>
        ChangeFactory(f => f with
        {
            Access = new Dictionary<string, AccessConfig>(f.Access, StringComparer.Ordinal)
            {
                [serverId] = (f.Access.TryGetValue(serverId, out var access) ? access
                    : throw new ExpectationException($"the module's access config table has no entry for '{serverId}' (entries: {string.Join(", ", f.Access.Keys)})")) with { Host = "", Port = 0 },
            },
        });

    /// <summary>Adds a change to the factory record the module's flash is programmed with (after those already given).</summary>
    private void ChangeFactory(Func<ModuleFactoryConfig, ModuleFactoryConfig> change)
    {
        var before = bench.ModuleFactory;
        bench.ModuleFactory = before is null ? change : f => change(before(f));
    }

    [Then("the target server saw exactly one connection from the module")]
    public void ThenOneTargetConnection()
    {
        var connects = cloud.Timeline.Snapshot().Where(e => e.Source == "target" && e.Kind == "connect" && e.Summary.StartsWith($"{cloud.DeviceId} connected", StringComparison.Ordinal)).ToList();
        Expect.That(connects.Count == 1, $"the target server saw {connects.Count} connections from the module: {string.Join("; ", connects.Select(c => c.Summary))}");
    }

    [Given("the module has no network config")]
    public void GivenNoNetworkConfig() => bench.ModuleNetwork = _ => null;

    [Given("vendor server {string} will refuse connections for {int} ms from the module's first attempt")]
    public void GivenVendorRefuses(string serverId, int ms)
    {
        // The bench does not run yet: the refusal starts with it (the gate is taken down as soon as it exists), and
        // its time counts from the first connection refused, so a module slow to boot on a loaded machine is still refused.
        bench.BeforePowerOn.Add(b =>
        {
            var gate = b.RequireCloud().BrokerGate(serverId);
            gate.Down($"vendor server '{serverId}' refuses connections for {ms} ms from the module's first attempt");
            var first = 0;
            gate.Refused += g =>
            {
                if (Interlocked.Exchange(ref first, 1) == 0)
                {
                    _ = Task.Delay(ms).ContinueWith(_ => g.Up(), TaskScheduler.Default);
                }
            };
        });
    }

    [Given(@"^the WiFi link is limited to (\d+) KiB/s$")]
    public void GivenWifiLimited(int kib)
    {
        foreach (var gate in cloud.Cloud.Gates) gate.BytesPerSecond = kib * 1024L;
    }

    [Given("the module is connected to vendor server {string}")]
    [Then("the module is connected to vendor server {string}")]
    public async Task ThenConnected(string serverId)
    {
        var vendor = cloud.Cloud.Vendor(serverId);
        await Wait(vendor.WaitForStatusAsync(cloud.DeviceId, _ => true, $"a status report from {cloud.DeviceId}", CloudDriver.ConnectTimeout, bench.Cancellation));
    }

    [Then("vendor server {string} has no connection from the module")]
    public void ThenNoConnection(string serverId)
    {
        var source = serverId == cloud.Cloud.Wiring.TargetId ? "target" : $"vendor:{serverId}";
        var connects = cloud.Timeline.Snapshot().Where(e => e.Source == source && e.Kind == "connect" && e.Summary.StartsWith($"{cloud.DeviceId} connected", StringComparison.Ordinal)).ToList();
        Expect.That(connects.Count == 0, $"{source} saw the module connect: {string.Join("; ", connects.Select(c => c.Summary))}");
    }

    [Then("the target server holds a report from the module with WiFi firmware {string} and vendor server {string}")]
    public async Task ThenReport(string version, string serverId)
    {
        var target = cloud.Cloud.Target;
        var report = await Wait(target.WaitForReportAsync(cloud.DeviceId, r => r.Module.Version == version && r.VendorServerId == serverId,
            $"a report with WiFi firmware {version} and vendor server {serverId}", CloudDriver.ConnectTimeout, bench.Cancellation));
        Expect.That(report.Product == cloud.Cloud.Wiring.Product, $"the module reports product '{report.Product}', the bench's is '{cloud.Cloud.Wiring.Product}'");
    }

    [Then("the module's network config flag is {int}")]
    public void ThenFlag(int flag)
    {
        var config = cloud.NetworkConfigOnFlash();
        Expect.That(config is not null, "the module's flash holds no network config");
        Expect.That(config!.Flag == flag, $"the module's network config flag is {config.Flag}, expected {flag}");
    }

    [Then("the module has no network config")]
    public void ThenNoConfig()
    {
        var config = cloud.NetworkConfigOnFlash();
        Expect.That(config is null, $"the module's flash holds a network config: flag {config?.Flag}, server id '{config?.ServerId}'");
    }

    [Then("the module's log says it is waiting for the processor's PROVISION")]
    public Task ThenWaitingForProvision() => Wait(cloud.WaitForModuleLogAsync("waiting for the processor's PROVISION", 1, CloudDriver.ConnectTimeout));

    [Then("the module's log says {string}")]
    public Task ThenLogSays(string text) => Wait(cloud.WaitForModuleLogAsync(text, 1, CloudDriver.ConnectTimeout));

    [Then("the module's log says {string} at least twice")]
    public Task ThenLogSaysTwice(string text) => Wait(cloud.WaitForModuleLogAsync(text, 2, CloudDriver.ConnectTimeout));

    [When("the processor sends PROVISION for vendor server {string} on SSID {string} with passphrase {string}")]
    public Task WhenProvision(string serverId, string ssid, string passphrase) => cloud.ProvisionAsync(serverId, ssid, passphrase);

    [Then("the module answers PROVISION_ACK {string}")]
    public void ThenProvisionAck(string status)
    {
        var expected = Enum.GetValues<ProvisionStatus>().FirstOrDefault(s => Screaming(s) == status);
        Expect.That(Screaming(expected) == status, $"'{status}' is not a PROVISION_ACK status (statuses: {string.Join(", ", Enum.GetValues<ProvisionStatus>().Select(Screaming))})");
        Expect.That(cloud.ProvisionAcks.Count > 0, "the module sent no PROVISION_ACK");
        var last = cloud.ProvisionAcks[^1].Status;
        Expect.That(last == expected, $"the module answered PROVISION_ACK {Screaming(last)}, expected {status}");
    }

    [Then("the module answers {string} with {string} through vendor server {string}")]
    public async Task ThenCommandAnswered(string command, string result, string serverId)
    {
        var reply = await cloud.Cloud.Vendor(serverId).SendCommandAsync(cloud.DeviceId, command, null, CloudDriver.ConnectTimeout, bench.Cancellation);
        Expect.That(reply.Ok && reply.Result == result, $"the module answered '{command}' with ok={reply.Ok} '{reply.Result}', expected '{result}'");
    }

    private static string Screaming(ProvisionStatus status) =>
        string.Concat(status.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? $"_{c}" : $"{char.ToUpperInvariant(c)}"));

    /// <summary>Turns a server's timeout into a scenario expectation with its message.</summary>
    internal static async Task<T> Wait<T>(Task<T> task)
    {
        try
        {
            return await task;
        }
        catch (TimeoutException ex)
        {
            throw new ExpectationException(ex.Message);
        }
    }

    internal static async Task Wait(Task task)
    {
        try
        {
            await task;
        }
        catch (TimeoutException ex)
        {
            throw new ExpectationException(ex.Message);
        }
    }
}
