using System.Globalization;
using System.Text.RegularExpressions;
using HilRig.Platform.Processes;

namespace HilRig.Core.Wifi;

/// <summary>
/// What the network double needs of the machine, apart from one double: whether it can run here at all, and
/// the sweep of what a rig that died left (its namespaces and veths are named for its pid).
/// </summary>
internal static partial class NamespaceHousekeeping
{
    /// <summary>
    /// Deletes the namespaces (and rig-end veths) named for rig processes that are gone (<c>hilrig-PID-*</c> whose PID
    /// no longer runs), as the rig sweeps its children at start. Returns how many it deleted; nothing and 0 when
    /// there is nothing to sweep or this process may not.
    /// </summary>
    public static int Sweep()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        var swept = 0;
        foreach (var (kind, name, pid) in Leftovers())
        {
            if (ProcessIdentity.Of(pid) is not null || AirCommand.Ip is not { } ip) continue;
            var words = kind == "netns" ? new[] { ip, "netns", "delete", name } : [ip, "link", "delete", name];
            try
            {
                var result = AirCommand.RunAsync(words, CancellationToken.None).GetAwaiter().GetResult();
                if (result.ExitCode == 0) swept++;
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
            {
            }
        }
        return swept;
    }

    private static IEnumerable<(string Kind, string Name, int Pid)> Leftovers()
    {
        // Read from the file system: a rig start costs no process when there is nothing to sweep.
        foreach (var path in SafeEntries("/run/netns"))
        {
            var name = Path.GetFileName(path);
            if (LeftoverNamespace().Match(name) is { Success: true } m) yield return ("netns", name, int.Parse(m.Groups["pid"].Value, CultureInfo.InvariantCulture));
        }
        foreach (var path in SafeEntries("/sys/class/net"))
        {
            var name = Path.GetFileName(path);
            if (LeftoverRigEnd().Match(name) is { Success: true } m) yield return ("link", name, int.Parse(m.Groups["pid"].Value, CultureInfo.InvariantCulture));
        }
    }

    private static string[] SafeEntries(string directory)
    {
        try
        {
            return Directory.Exists(directory) ? Directory.GetFileSystemEntries(directory) : [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Why the double cannot run here, or null; makes and deletes one namespace to find out.</summary>
    public static string? FindWhyUnavailable()
    {
        if (!OperatingSystem.IsLinux()) return "network namespaces are Linux only";
        if (!Environment.IsPrivilegedProcess) return "network namespaces need root (run the tests as root, as .ci/run does)";
        if (AirCommand.Ip is null) return "iproute2's `ip` is not installed";
        if (Dnsmasq.FindBinary() is null) return "dnsmasq is not installed (./setup.sh network)";
        if (AirCommand.Find("udhcpc", "/usr/sbin/udhcpc", "/sbin/udhcpc", "/bin/udhcpc") is null) return "udhcpc is not installed (./setup.sh network)";
        var probe = $"{NamespaceAir.NamespacePrefix}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-probe";
        try
        {
            var added = AirCommand.RunAsync([AirCommand.Ip, "netns", "add", probe], CancellationToken.None).GetAwaiter().GetResult();
            if (added.ExitCode != 0) return $"network namespaces are not permitted here: `ip netns add` says {added.FirstLine}";
            AirCommand.RunAsync([AirCommand.Ip, "netns", "delete", probe], CancellationToken.None).GetAwaiter().GetResult();
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            return ex.Message;
        }
    }

    [GeneratedRegex(@"^hilrig-(?<pid>[0-9]{1,9})-[A-Za-z0-9]+$")]
    private static partial Regex LeftoverNamespace();

    [GeneratedRegex(@"^hra(?<pid>[0-9]{1,9})a[0-9]+$")]
    private static partial Regex LeftoverRigEnd();
}
