using System.Diagnostics;
using System.Globalization;
using HilRig.Core.Bench;
using HilRig.Core.Links;
using HilRig.Core.Wiring;
using HilRig.Protocol.Control;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;
using HilRig.Protocol.Modes;
using Xunit;

namespace HilRig.Core.Tests.Firmware;

/// <summary>
/// The reference chip firmware in portable C (firmware-images/reference-chip), host build: its codec
/// against the vectors of docs/protocol.md, and the C chips on a virtual bench against the C# emulated
/// chip. Skipped with the reason when gcc or make is missing.
/// </summary>
public sealed class ReferenceChipBuildTests
{
    private static readonly TimeSpan CampaignTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SelfTest_Passes_Every_Vector_Of_The_Protocol_Page()
    {
        SkipUnlessToolchain();
        // A private build directory: chips started by other tests build into build/ under a lock.
        var build = TempDirectory();
        var (exitCode, output) = await RunAsync("make", ["-s", "-C", ChipDirectory(), $"BUILD={build}", "check"]);
        Assert.True(exitCode == 0, $"make check failed ({exitCode}):\n{output}");
        Assert.Contains("0 failed", output, StringComparison.Ordinal);
        Assert.Contains("reference chip core: flash", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// The host build only: the same cut on QEMU chips is power-cuts.feature:38 in QemuCatalogTests, which run alone
    /// after the parallel tests (here, at the busiest moment of a test run, a QEMU chip missed the module's deadlines).
    /// </summary>
    [Theory]
    [InlineData("sim-chain-c.yaml")]
    public async Task CChip_Resumes_From_Its_Persisted_Offset_When_Its_Power_Is_Cut_Mid_Transfer(string wiringName)
    {
        SkipUnlessToolchain();
        var token = TestContext.Current.CancellationToken;
        await using var bench = await StartAsync(wiringName, token);
        var image = ImagePath(0x13, "1.1.0");
        var cut = new TaskCompletionSource<uint>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Cut chip3 once the module sends DATA past 9216: the mark then says persisted 8192 (§7.3).
        // After the cut: the lowest DATA offset the module sends chip3 (resumed, it never goes below the persisted offset).
        var lowestAfterCut = long.MaxValue;
        var poweredBack = false;
        bench.RelaysByChip["chip3"].Observed += o =>
        {
            if (o is not { Direction: Direction.Downstream, Item: DecodedFrame { Frame: { Type: MessageType.Data } f } }) return;
            var offset = BitConverter.ToUInt32(f.Payload, 0);
            if (Volatile.Read(ref poweredBack)) Interlocked.Exchange(ref lowestAfterCut, Math.Min(Interlocked.Read(ref lowestAfterCut), offset));
            else if (offset >= 9216) cut.TrySetResult(offset);
        };
        await bench.Server.SendCampaignAsync(Campaign(0x13, image), TimeSpan.FromSeconds(20), token);
        await cut.Task.WaitAsync(CampaignTimeout, token);
        await bench.Power("chip3").OffAsync(token);
        await Task.Delay(TimeSpan.FromMilliseconds(300), token); // the chip stays off for a while, as after a real cut
        Volatile.Write(ref poweredBack, true);
        await bench.Power("chip3").OnAsync(token);

        var done = await WaitForEndAsync(bench, token);
        Assert.Equal("campaign-complete", done.Event);
        // Awake after the campaign, but on a loaded machine a QEMU chip may still be reading the DATA the module sent
        // again on timeouts (each answered NOT_TARGET) before it reaches the rig's STATUS: ask until it answers.
        var status = await bench.Probe.WaitUntilAnswersAsync("chip3", TimeSpan.FromSeconds(30), token);
        var expected = FirmwareImage.TryDecode(await File.ReadAllBytesAsync(image, token), out _)!;
        Assert.Equal(expected.Header.Version, status.ActiveVersion);
        Assert.Equal(expected.Header.DigestHex, status.ActiveDigestHex);
        Assert.Equal((ChipMode.Initial, UpgradeState.Done), (status.Mode, status.State));
        // The C chip booted into UPGRADE at its persisted offset, and the module resumed the transfer there (no DATA
        // below it after the cut), not from zero. (How many bytes went twice is not checked here: on a loaded machine a slow QEMU chip also makes
        // the module go back on DATA_ACK timeouts; the power-cut scenarios bound it, run alone in QemuCatalogTests.)
        var log = await File.ReadAllTextAsync(Path.Combine(bench.Options.ArtifactsDirectory, "logs", "chip3.log"), token);
        var booted = log.Split('\n').Select(line => ChipRecord.TryParse(line, out var record, out _) ? record : null)
            .FirstOrDefault(r => r is { Event: ChipRecord.Boot, Mode: ChipMode.Upgrade, ModelId: 0x13, PersistedOffset: 4096 or 8192 });
        Assert.True(booted is not null, $"chip3 did not boot in UPGRADE at 4096 or 8192 after the cut; its log:\n{log}");
        Assert.Equal((long)booted.PersistedOffset, Interlocked.Read(ref lowestAfterCut));
    }

    [Fact]
    public async Task CChips_Report_The_Same_Status_As_The_Emulated_Chips_After_The_Same_Campaign()
    {
        SkipUnlessToolchain();
        var token = TestContext.Current.CancellationToken;
        var results = new Dictionary<string, IReadOnlyDictionary<string, StatusPayload?>>();
        foreach (var wiring in new[] { "sim-chain.yaml", "sim-chain-c.yaml" })
        {
            await using var bench = await StartAsync(wiring, token);
            await bench.Server.SendCampaignAsync(Campaign(0x12, ImagePath(0x12, "1.1.0")), TimeSpan.FromSeconds(20), token);
            Assert.Equal("campaign-complete", (await WaitForEndAsync(bench, token)).Event);
            results[wiring] = await bench.Probe.QueryAllAsync(token);
        }
        foreach (var chip in new[] { "chip1", "chip2", "chip3" })
        {
            var emulated = results["sim-chain.yaml"][chip];
            var c = results["sim-chain-c.yaml"][chip];
            Assert.NotNull(emulated);
            Assert.NotNull(c);
            Assert.Equal(Describe(emulated), Describe(c));
        }
    }

    private static string Describe(StatusPayload s) =>
        $"{s.Mode} slot {s.ActiveSlot} {s.ActiveVersion} {s.State} operating {s.Operating} campaign {s.CampaignId} persisted {s.PersistedOffset} size {s.ImageSizeBytes} digest {s.ActiveDigestHex}";

    private static CampaignRequest Campaign(byte target, string image) =>
        new(7, [target], new Dictionary<string, string> { [target.ToString(CultureInfo.InvariantCulture)] = image });

    private static async Task<ModuleEvent> WaitForEndAsync(VirtualBench bench, CancellationToken token) =>
        await bench.Server.WaitForEventAsync(e => e.Event is "campaign-complete" or "campaign-failed" or "prepare-refused" or "order-refused",
            "campaign end", CampaignTimeout, token);

    private static async Task<VirtualBench> StartAsync(string wiringName, CancellationToken token)
    {
        var wiring = WiringLoader.Load(Path.Combine(RepoRoot(), "wiring", wiringName));
        var bench = VirtualBench.Create(wiring, new BenchOptions(TempDirectory()));
        try
        {
            await bench.PowerOnAllAsync(token);
            return bench;
        }
        catch
        {
            await bench.DisposeAsync();
            throw;
        }
    }

    private static void SkipUnlessToolchain() =>
        Assert.SkipUnless(OnPath("gcc") && OnPath("make"),
            "the reference chip's host build needs gcc and make on PATH (Debian: apt-get install --no-install-recommends gcc make)");

    internal static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, tool)));

    private static string RepoRoot() => TestRepository.Root;

    private static string ChipDirectory() => Path.Combine(RepoRoot(), "firmware-images", "reference-chip");

    private static string ImagePath(byte model, string version) =>
        Path.Combine(RepoRoot(), "firmware-images", "images", $"chip-{model:x2}-v{version}.hrim");

    private static string TempDirectory() => Path.Combine(Path.GetTempPath(), "hilrig-tests", Guid.NewGuid().ToString("N"));

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }
}
