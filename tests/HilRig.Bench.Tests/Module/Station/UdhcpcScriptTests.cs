using System.Diagnostics;
using System.Net;
using HilRig.Bench.Module.Network.Station;

namespace HilRig.Bench.Tests.Module.Station;

/// <summary>The DHCP event script run by sh as udhcpc runs it, with an `ip` on PATH that records what it is asked.</summary>
public sealed class UdhcpcScriptTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _stationDirectory;
    private readonly string _ipLog;
    private readonly string _bin;

    public UdhcpcScriptTests()
    {
        // A space and a quote in the path: the script must quote the lease file's path.
        _stationDirectory = _folder.File("module's flash/station");
        _bin = _folder.File("bin");
        _ipLog = _folder.File("ip.log");
        Directory.CreateDirectory(_bin);
        var ip = Path.Combine(_bin, "ip");
        File.WriteAllText(ip, $"#!/bin/sh\necho \"$*\" >> '{_ipLog}'\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(ip, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public void Dispose() => _folder.Dispose();

    private async Task<int> RunAsync(string script, string @event, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(@event);
        info.Environment["PATH"] = $"{_bin}:/usr/bin:/bin";
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        using var process = Process.Start(info)!;
        var stderr = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(stderr.Length == 0, stderr);
        return process.ExitCode;
    }

    private static Dictionary<string, string> Bound() => new()
    {
        ["interface"] = "hs01s",
        ["ip"] = "10.231.7.123",
        ["mask"] = "24",
        ["subnet"] = "255.255.255.0",
        ["serverid"] = "10.231.7.1",
        ["dns"] = "10.231.7.1",
        ["lease"] = "3600",
    };

    [Fact]
    public async Task Bound_Configures_the_address_and_records_the_lease()
    {
        var script = UdhcpcScript.Write(_stationDirectory);

        Assert.Equal(0, await RunAsync(script, "bound", Bound()));

        Assert.Equal(["addr flush dev hs01s", "addr add 10.231.7.123/24 dev hs01s"], await File.ReadAllLinesAsync(_ipLog, TestContext.Current.CancellationToken));
        var lease = StationLease.TryParse(await File.ReadAllTextAsync(Path.Combine(_stationDirectory, UdhcpcScript.LeaseFileName), TestContext.Current.CancellationToken), out var error);
        Assert.Null(error);
        Assert.Equal(new StationLease("hs01s", IPAddress.Parse("10.231.7.123"), 24, IPAddress.Parse("10.231.7.1"), IPAddress.Parse("10.231.7.1"), 3600), lease);
        Assert.False(File.Exists(Path.Combine(_stationDirectory, UdhcpcScript.LeaseFileName + ".tmp")));
    }

    [Fact]
    public async Task Deconfig_Flushes_the_address_and_forgets_the_lease()
    {
        var script = UdhcpcScript.Write(_stationDirectory);
        Assert.Equal(0, await RunAsync(script, "bound", Bound()));

        Assert.Equal(0, await RunAsync(script, "deconfig", new Dictionary<string, string> { ["interface"] = "hs01s" }));

        Assert.False(File.Exists(Path.Combine(_stationDirectory, UdhcpcScript.LeaseFileName)));
        Assert.Equal("addr flush dev hs01s", (await File.ReadAllLinesAsync(_ipLog, TestContext.Current.CancellationToken))[^1]);
    }

    [Fact]
    public async Task Bound_Fails_and_records_nothing_When_the_address_cannot_be_set()
    {
        File.WriteAllText(Path.Combine(_bin, "ip"), "#!/bin/sh\nexit 2\n");
        var script = UdhcpcScript.Write(_stationDirectory);

        Assert.NotEqual(0, await RunAsync(script, "bound", Bound()));

        Assert.False(File.Exists(Path.Combine(_stationDirectory, UdhcpcScript.LeaseFileName)));
    }
}
