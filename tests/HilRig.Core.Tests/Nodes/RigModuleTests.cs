using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using HilRig.Bench.Module;
using HilRig.Core.Links;
using HilRig.Core.Nodes;
using HilRig.Core.Timeline;
using HilRig.Protocol.Control;
using Xunit;

namespace HilRig.Core.Tests.Nodes;

/// <summary>
/// The rig playing the module: what survives its power cycles. Seen in CI on the bench double: the whole device lost
/// power just as the campaign ended; the module had saved "finished" but its campaign-complete never went out, so
/// after the cut it booted idle and the sweep waited 60 s for an end that had already happened.
/// </summary>
public sealed class RigModuleTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("hilrig-rigmodule-");

    [Fact]
    public async Task An_outcome_the_power_cut_kept_from_going_out_is_reported_at_the_next_boot_and_only_once()
    {
        var token = TestContext.Current.CancellationToken;
        var statePath = Path.Combine(_dir.FullName, "module-state.json");
        var store = new ModuleStateStore(statePath);
        var campaign = new CampaignRequest(0x5EE9, [0x12], new Dictionary<string, string> { ["18"] = "unused.hrim" });
        store.Save(new ModuleState(campaign, Prepared: true, NextIndex: 1, Finished: true, Unreported: new ModuleEvent("campaign-complete")));
        using var pty = Pty.Create();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var timeline = new BenchTimeline(null);
        await using var module = new RigModule(pty.SlavePath, 115200, statePath, ((IPEndPoint)listener.LocalEndpoint).Port,
            Path.Combine(_dir.FullName, "module.log"), timeline);

        await module.OnAsync(token);
        var first = await ReadEventsAsync(listener, 2, token);
        await module.OffAsync(token);
        await module.OnAsync(token);
        var second = await ReadEventsAsync(listener, 1, token);

        Assert.Equal(["boot", "campaign-complete"], first.Select(e => e.Event));
        Assert.Equal("idle", first[0].Detail);
        Assert.Contains("reported at boot", first[1].Detail, StringComparison.Ordinal);
        Assert.Equal("boot", Assert.Single(second).Event);
        Assert.Null(store.Load().Unreported);
    }

    private static async Task<List<ModuleEvent>> ReadEventsAsync(TcpListener listener, int count, CancellationToken token)
    {
        using var client = await listener.AcceptTcpClientAsync(token);
        using var reader = new StreamReader(client.GetStream());
        var events = new List<ModuleEvent>();
        while (events.Count < count)
        {
            events.Add(Deserialize(await reader.ReadLineAsync(token)));
        }
        return events;
    }

    private static ModuleEvent Deserialize(string? line) =>
        JsonSerializer.Deserialize<ModuleEvent>(line ?? throw new EndOfStreamException("the module closed its control channel"), ControlJson.Options)!;

    public void Dispose() => _dir.Delete(recursive: true);
}
