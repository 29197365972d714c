using System.Diagnostics;
using System.Globalization;
using HilRig.Core.Wifi;
using Xunit;

namespace HilRig.Core.Tests.Wifi;

/// <summary>
/// A veth pair whose rig end stays here and whose other end lives in a network namespace of its own: an interface
/// hostapd can open. No address is set by this class; nothing routes anywhere.
/// </summary>
internal sealed class HostapdTestLink : IDisposable
{
    private static int _count;

    public HostapdTestLink()
    {
        var id = string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId % 100000}{Interlocked.Increment(ref _count)}");
        Interface = $"hrh{id}a";
        Namespace = $"hilrig-hostapd-{id}";
        Ip("netns", "add", Namespace);
        Peer = $"hrh{id}b";
        Ip("link", "add", Interface, "type", "veth", "peer", "name", Peer, "netns", Namespace);
        Ip("netns", "exec", Namespace, "ip", "link", "set", Peer, "up");
        Ip("link", "set", Interface, "up");
    }

    /// <summary>The rig's end, for hostapd.</summary>
    public string Interface { get; }

    /// <summary>The other end, in <see cref="Namespace"/>.</summary>
    public string Peer { get; }

    /// <summary>The namespace the other end lives in.</summary>
    public string Namespace { get; }

    /// <summary>Why these tests cannot run here (veth pairs and namespaces need root, hostapd needs its package), or null.</summary>
    public static string? Unavailable()
    {
        if (!Environment.IsPrivilegedProcess) return "network namespaces and veth pairs need root (.ci/run runs as root)";
        if (HostapdControl.FindHostapd() is null || HostapdControl.FindBinary() is null) return "hostapd is not installed (./setup.sh pi installs it)";
        return null;
    }

    public static string Ip(params string[] words)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var word in words) info.ArgumentList.Add(word);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"ip {string.Join(' ', words)}: {stderr.Trim()}");
        return stdout;
    }

    /// <summary>The pids of processes whose command line holds <paramref name="text"/>.</summary>
    public static IReadOnlyList<int> ProcessesWith(string text)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ').Contains(text, StringComparison.Ordinal)) found.Add(pid);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
        return found;
    }

    public void Dispose()
    {
        // Deleting the rig end deletes the pair; the kernel may be removing it already.
        foreach (var words in (string[][])[["link", "delete", Interface], ["netns", "delete", Namespace]])
        {
            try
            {
                Ip(words);
            }
            catch (InvalidOperationException)
            {
            }
        }
    }
}

public sealed class HostapdProcessTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("hilrig-hostapd-").FullName;

    private AirOptions Options(string interfaceName) => new()
    {
        BenchName = "pi-bench",
        HostNames = ["ota.hilrig.test"],
        WorkDirectory = _work,
        Ssid = "HilRig-bench",
        Passphrase = "correct horse battery",
        Interface = interfaceName,
        Country = "DE",
    };

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Wired_hostapd_with_the_bench_config_answers_its_control_socket_until_it_is_stopped()
    {
        var unavailable = HostapdTestLink.Unavailable();
        Assert.SkipWhen(unavailable is not null, unavailable ?? "");
        var token = TestContext.Current.CancellationToken;
        using var link = new HostapdTestLink();
        var lines = new List<string>();

        var hostapd = await HostapdProcess.StartAsync(Options(link.Interface), HostapdConfig.WiredDriver, l => { lock (lines) lines.Add(l); }, token);
        try
        {
            Assert.True(await hostapd.Control.PingAsync(token));
            var status = await hostapd.Control.StatusAsync(token);
            Assert.Equal("ENABLED", status["state"]);
            Assert.Equal(link.Interface, status["bss[0]"]);
            Assert.Equal("HilRig-bench", status["ssid[0]"]);
            lock (lines) Assert.Contains($"{link.Interface}: AP-ENABLED", lines);
            Assert.Contains("AP-ENABLED", await File.ReadAllTextAsync(hostapd.LogFile, token), StringComparison.Ordinal);

            Assert.Equal("OK", await hostapd.Control.RequestAsync(token, "disable"));
            Assert.Equal("DISABLED", (await hostapd.Control.StatusAsync(token))["state"]);
            var again = await Assert.ThrowsAsync<InvalidOperationException>(() => hostapd.Control.RequestAsync(token, "disable"));
            Assert.Equal($"hostapd on {link.Interface} refused 'disable': FAIL", again.Message);
            Assert.Equal("OK", await hostapd.Control.RequestAsync(token, "enable"));
            Assert.Equal("ENABLED", (await hostapd.Control.StatusAsync(token))["state"]);

            Assert.Empty(await hostapd.Control.DeniedAsync(token));
            Assert.Equal("OK", await hostapd.Control.RequestAsync(token, "deny_acl", "ADD_MAC", "02:00:00:AB:CD:01"));
            Assert.Equal(["02:00:00:ab:cd:01"], await hostapd.Control.DeniedAsync(token));
            Assert.Equal("OK", await hostapd.Control.RequestAsync(token, "deauthenticate", "02:00:00:ab:cd:01"));
            Assert.Equal("OK", await hostapd.Control.RequestAsync(token, "deny_acl", "DEL_MAC", "02:00:00:ab:cd:01"));
            Assert.Empty(await hostapd.Control.DeniedAsync(token));

            var unknown = await Assert.ThrowsAsync<InvalidOperationException>(() => hostapd.Control.RequestAsync(token, "no_such_request"));
            Assert.Equal($"hostapd on {link.Interface} refused 'no_such_request': Unknown command 'no_such_request'", unknown.Message);
        }
        finally
        {
            await hostapd.StopAsync();
        }

        Assert.False(hostapd.Running);
        Assert.Empty(HostapdTestLink.ProcessesWith(hostapd.ConfigFile));
        // SIGTERM, not SIGKILL: hostapd removed its control socket and said it terminated.
        Assert.False(File.Exists(Path.Combine(HostapdConfig.ControlDirectory(_work), link.Interface)));
        lock (lines) Assert.Contains($"{link.Interface}: CTRL-EVENT-TERMINATING", lines);
        var gone = await Assert.ThrowsAsync<InvalidOperationException>(() => hostapd.Control.RequestAsync(token, "ping"));
        Assert.StartsWith($"hostapd_cli -i {link.Interface} ping: Failed to connect to hostapd", gone.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Radio_hostapd_on_an_interface_without_a_radio_fails_with_hostapds_words_and_leaves_nothing_running()
    {
        var unavailable = HostapdTestLink.Unavailable();
        Assert.SkipWhen(unavailable is not null, unavailable ?? "");
        var token = TestContext.Current.CancellationToken;
        using var link = new HostapdTestLink();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => HostapdProcess.StartAsync(Options(link.Interface), HostapdConfig.RadioDriver, _ => { }, token));

        // The words depend on the kernel (no cfg80211 here: "'nl80211' generic netlink not found"); the config was taken.
        Assert.StartsWith($"hostapd on {link.Interface} failed: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("nl80211", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("configuration file", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AP-DISABLED", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Empty(HostapdTestLink.ProcessesWith(Path.Combine(_work, "hostapd.conf")));
    }

    [Fact]
    public void Reason_keeps_the_cause_and_leaves_out_the_teardown_and_the_work_directory()
    {
        string[] lines =
        [
            "Configuration file: /var/lib/hilrig/air/hostapd.conf",
            "nl80211: Could not configure driver mode",
            "nl80211: deinit ifname=wlan0 disabled_11b_rates=0",
            "nl80211 driver initialization failed.",
            "wlan0: interface state UNINITIALIZED->DISABLED",
            "wlan0: AP-DISABLED",
            "wlan0: CTRL-EVENT-TERMINATING",
            "hostapd_free_hapd_data: Interface wlan0 wasn't started",
        ];

        Assert.Equal("nl80211: Could not configure driver mode; nl80211: deinit ifname=wlan0 disabled_11b_rates=0; nl80211 driver initialization failed.",
            HostapdProcess.Reason(lines, "/var/lib/hilrig/air"));
        Assert.Equal("Line 4: unknown configuration item 'bogus'; 1 errors found in configuration file 'hostapd.conf'",
            HostapdProcess.Reason(["Line 4: unknown configuration item 'bogus'", "1 errors found in configuration file '/var/lib/hilrig/air/hostapd.conf'"], "/var/lib/hilrig/air/"));
        Assert.StartsWith("it said nothing about why", HostapdProcess.Reason(["wlan0: AP-DISABLED"], "/x"), StringComparison.Ordinal);
    }
}
