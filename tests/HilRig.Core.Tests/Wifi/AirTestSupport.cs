using System.Collections.Concurrent;
using System.Diagnostics;
using HilRig.Core.Wifi;
using Xunit;
using HilRig.Protocol.Cloud;

namespace HilRig.Core.Tests.Wifi;

/// <summary>What the network double tests share: a double in a temporary work directory, commands run to their end, waits with a deadline.</summary>
internal static class AirTestSupport
{
    /// <summary>The longest any wait of these tests may take before it fails.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    /// <summary>Skips the test with the reason the double cannot run here.</summary>
    public static void SkipUnlessAvailable()
    {
        var why = NamespaceAir.Unavailable();
        Assert.SkipWhen(why is not null, $"the network double cannot run here: {why}");
    }

    /// <summary>Options for a double in a new temporary directory; <paramref name="log"/> collects its timeline lines.</summary>
    public static AirOptions Options(ConcurrentQueue<(string Kind, string Detail)> log, AirSubnet? subnet = null) => new()
    {
        BenchName = "air-test",
        Subnet = subnet,
        HostNames = ["ota.hilrig.test", "vendor-a.hilrig.test"],
        WorkDirectory = Directory.CreateTempSubdirectory("hilrig-air-").FullName,
        Ssid = "hilrig-bench",
        Passphrase = "correct horse battery",
        AirFile = Path.Combine(Directory.CreateTempSubdirectory("hilrig-air-module-").FullName, "air.json"),
        Log = (kind, detail) => log.Enqueue((kind, detail)),
    };

    /// <summary>Runs <paramref name="words"/> to its end; returns its exit code and what it printed.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] words)
    {
        var info = new ProcessStartInfo(words[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var word in words.Skip(1)) info.ArgumentList.Add(word);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(Deadline);
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, (await stdout).Trim(), (await stderr).Trim());
    }

    /// <summary>The station end's carrier as the namespace sees it ("1" or "0").</summary>
    public static async Task<string> CarrierAsync(NamespaceAir air)
    {
        var (code, stdout, stderr) = await RunAsync([.. air.StationCommandPrefix, "cat", $"/sys/class/net/{air.StationInterface}/carrier"]);
        Assert.True(code == 0, $"reading the carrier failed: {stderr}");
        return stdout;
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test with <paramref name="what"/> after <see cref="Deadline"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTimeOffset.UtcNow + Deadline;
        while (!await condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"timed out waiting for {what}");
            // A short poll: the kernel and dnsmasq tell nothing when this happens, so it is read again.
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The access points in the air file (none when it is missing).</summary>
    public static IReadOnlyList<AccessPoint> AirFile(AirOptions options)
    {
        if (!File.Exists(options.AirFile)) return [];
        var air = CloudJson.TryDecode<Air>(File.ReadAllBytes(options.AirFile!), out var error);
        Assert.True(air is not null, $"the air file is not JSON of Air: {error}");
        return air.AccessPoints;
    }

    /// <summary>Removes the temporary directories of <paramref name="options"/>.</summary>
    public static void Clean(AirOptions options)
    {
        foreach (var directory in new[] { options.WorkDirectory, Path.GetDirectoryName(options.AirFile) })
        {
            if (directory is not null && Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
