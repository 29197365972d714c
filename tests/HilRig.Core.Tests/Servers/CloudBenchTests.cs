using HilRig.Core.Bench;
using HilRig.Core.Wiring;
using Xunit;

namespace HilRig.Core.Tests.Servers;

/// <summary>The sim bench's cloud end to end: the emulated module process, its gates and the emulated servers.</summary>
public sealed class CloudBenchTests
{
    private static string RepoRoot() => TestRepository.Root;

    private static async Task<VirtualBench> StartAsync(BenchOptions? options = null, bool mosquitto = false)
    {
        var path = Path.Combine(RepoRoot(), "wiring", "sim-chain.yaml");
        var text = File.ReadAllText(path) + (mosquitto ? "\n  broker: { kind: mosquitto }\n" : "");
        var wiring = WiringLoader.Parse(text, path);
        var artifacts = Path.Combine(Path.GetTempPath(), "hilrig-tests", Guid.NewGuid().ToString("N"));
        var bench = VirtualBench.Create(wiring, options ?? new BenchOptions(artifacts));
        await bench.PowerOnAllAsync(TestContext.Current.CancellationToken);
        return bench;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_configured_module_reports_to_the_target_server_and_answers_its_vendor_server(bool mosquitto)
    {
        Assert.SkipWhen(mosquitto && HilRig.Servers.Mqtt.MosquittoBroker.FindBinary() is null,
            "mosquitto is not installed on this machine; ./setup.sh mosquitto installs it");
        var token = TestContext.Current.CancellationToken;
        await using var bench = await StartAsync(mosquitto: mosquitto);
        var cloud = bench.RequireCloud();

        var report = await cloud.Target.WaitForReportAsync(cloud.DeviceId, _ => true, "the module's first report", TimeSpan.FromSeconds(15), token);
        Assert.Equal("2.0.0", report.Module.Version);
        Assert.Equal("acme", report.VendorServerId);

        var reply = await cloud.Vendor("acme").SendCommandAsync(cloud.DeviceId, "ping", null, TimeSpan.FromSeconds(10), token);
        Assert.True(reply.Ok);
        Assert.Equal("pong", reply.Result);
    }
}
