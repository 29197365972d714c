using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace HilRig.Service.Tests;

/// <summary>The nightly unit's own command queues its run on the service, as systemd would run it (token and all).</summary>
public sealed class NightlyUnitTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_nightly_units_command_queues_the_catalogue_on_a_service_with_a_token()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/curl"), "curl is not installed here");
        const string token = "nightly-token-0123456789abcdef";
        await using var service = await ServiceUnderTest.StartAsync(token);
        var unit = await File.ReadAllTextAsync(Path.Combine(ServiceUnderTest.RepoRoot(), "rig", "HilRig.Service", "deploy", "hilrig-nightly.service"), Token);
        var execStart = unit.Split('\n').Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal))["ExecStart=".Length..];
        // What systemd does with the line: "$$" is a literal "$"; the service listens on the test's port.
        var command = execStart.Replace("$$", "$", StringComparison.Ordinal)
            .Replace("http://127.0.0.1:5080/", service.Host.Address.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("/bin/sh -c '", command, StringComparison.Ordinal);
        var script = command["/bin/sh -c '".Length..^1];

        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        info.Environment["HILRIG_TOKEN"] = token;
        using var curl = Process.Start(info)!;
        var stdout = await curl.StandardOutput.ReadToEndAsync(Token);
        var stderr = await curl.StandardError.ReadToEndAsync(Token);
        await curl.WaitForExitAsync(Token);

        Assert.True(curl.ExitCode == 0, $"the nightly command failed ({curl.ExitCode}): {stderr}");
        using var queued = JsonDocument.Parse(stdout);
        var id = queued.RootElement.GetProperty("id").GetString()!;
        Assert.Equal("wiring/pi-chain-mcu.yaml", queued.RootElement.GetProperty("wiring").GetString());
        service.Host.Runs.Cancel(id);
        await service.Host.Runs.WaitForEndAsync(id, Token).WaitAsync(TimeSpan.FromSeconds(60), Token);
    }
}
