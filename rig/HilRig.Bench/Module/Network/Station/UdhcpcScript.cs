using HilRig.Platform.Shell;

namespace HilRig.Bench.Module.Network.Station;

/// <summary>
/// The script busybox's udhcpc runs on every DHCP event (<c>-s SCRIPT</c>; $1 = deconfig, bound, renew, leasefail or
/// nak, the lease in the environment: interface, ip, mask, serverid, router, dns, lease). It does what an ESP's
/// lwIP does with a lease, configures the interface, and records the lease in a file for <see cref="StationLease.TryParse"/>
/// (written to a temporary file and renamed, so a reader never sees half of one).
/// </summary>
public static class UdhcpcScript
{
    /// <summary>The script's file name in the station's directory.</summary>
    public const string FileName = "udhcpc.script";

    /// <summary>The lease file's name in the station's directory.</summary>
    public const string LeaseFileName = "lease";

    /// <summary>The script's text for a station that records its lease in <paramref name="leaseFile"/>.</summary>
    public static string Text(string leaseFile)
    {
        var file = ShellQuote.Word(leaseFile);
        return $$"""
            #!/bin/sh
            # Written by hilrig's WifiStation (rig/HilRig.Bench/Module/Network/Station): udhcpc's event script.
            lease_file={{file}}
            case "$1" in
                deconfig)
                    rm -f "$lease_file"
                    ip addr flush dev "$interface"
                    ;;
                bound|renew)
                    ip addr flush dev "$interface" || exit 1
                    ip addr add "$ip/$mask" dev "$interface" || exit 1
                    printf 'interface=%s\nip=%s\nmask=%s\nserverid=%s\nrouter=%s\ndns=%s\nlease=%s\n' \
                        "$interface" "$ip" "$mask" "$serverid" "$router" "$dns" "$lease" > "$lease_file.tmp" || exit 1
                    mv -f "$lease_file.tmp" "$lease_file"
                    ;;
            esac
            exit 0

            """;
    }

    /// <summary>Writes the script (mode 0700) into <paramref name="directory"/> and returns its path.</summary>
    public static string Write(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        File.WriteAllText(path, Text(Path.Combine(directory, LeaseFileName)));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }
}
