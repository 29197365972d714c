using System.Globalization;
using System.Text;

namespace HilRig.Core.Wifi;

/// <summary>One thing hostapd would refuse in the access point's options.</summary>
/// <param name="Field">The option's name as the wiring file spells it (ssid, passphrase, channel, country, interface).</param>
/// <param name="Message">What is wrong and what is expected.</param>
public sealed record HostapdProblem(string Field, string Message);

/// <summary>
/// The hostapd.conf of a bench's access point (hostapd 2.10, Debian's package): WPA2-PSK with CCMP on 2.4 GHz,
/// a control socket in the bench's work directory for the faults, and a deny list the refusal fault fills.
/// </summary>
public static class HostapdConfig
{
    /// <summary>The driver of a real access point: a WiFi interface in AP mode through the kernel's nl80211.</summary>
    public const string RadioDriver = "nl80211";

    /// <summary>
    /// hostapd's wired-ethernet driver (802.1X on a switch port): it runs without a radio, so the tests prove the
    /// control path (PING, STATUS, disable, enable, deny_acl) on a veth with it. No station can join over it.
    /// </summary>
    public const string WiredDriver = "wired";

    /// <summary>
    /// How long a silent station stays associated (s). hostapd's default is 300; a module that lost power or its
    /// radio should leave the station list within a scenario's time, and an ESP polls the AP far more often than this.
    /// </summary>
    public const int MaxInactivitySeconds = 60;

    /// <summary>The folder of hostapd's control socket (one socket per interface in it).</summary>
    public static string ControlDirectory(string workDirectory) => Path.Combine(workDirectory, "hostapd-ctrl");

    /// <summary>The MAC deny list (hostapd's deny_mac_file); the refusal fault adds to it at run time through the control socket.</summary>
    public static string DenyFile(string workDirectory) => Path.Combine(workDirectory, "hostapd.deny");

    /// <summary>
    /// What hostapd would refuse in <paramref name="options"/>, one (field, message) per problem; empty when it would
    /// take them. The wiring parser reports each at its line.
    /// </summary>
    public static IReadOnlyList<HostapdProblem> Problems(AirOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<HostapdProblem>();
        if (InterfaceProblem(options.Interface) is { } badInterface) problems.Add(new("interface", badInterface));
        var ssidBytes = Encoding.UTF8.GetByteCount(options.Ssid);
        if (ssidBytes is < 1 or > 32)
        {
            problems.Add(new("ssid", $"the SSID must be 1 to 32 bytes (802.11 SSID element), got {ssidBytes}"));
        }
        else if (options.Ssid.Any(char.IsControl))
        {
            problems.Add(new("ssid", "the SSID has a control character (a line break would end hostapd's ssid= line)"));
        }
        var passphrase = options.Passphrase;
        if (passphrase.Length is < 8 or > 63)
        {
            problems.Add(new("passphrase", $"a WPA2 passphrase must be 8 to 63 characters (IEEE 802.11i), got {passphrase.Length}"));
        }
        else if (passphrase.AsSpan().IndexOfAnyExceptInRange(' ', '~') is var at and >= 0)
        {
            problems.Add(new("passphrase", string.Create(CultureInfo.InvariantCulture,
                $"a WPA2 passphrase is printable ASCII (space to ~) only; character {at + 1} is U+{(int)passphrase[at]:X4}")));
        }
        if (options.Channel is < 1 or > 13)
        {
            problems.Add(new("channel", string.Create(CultureInfo.InvariantCulture,
                $"the channel must be 1 to 13 (2.4 GHz, hw_mode=g; 14 is Japan's 802.11b only), got {options.Channel}")));
        }
        if (options.Country is { } country && (country.Length != 2 || !country.All(char.IsAsciiLetterUpper)))
        {
            problems.Add(new("country", $"the country is a two-letter ISO 3166-1 code in capitals like DE or US, got '{country}'"));
        }
        return problems;
    }

    /// <summary>
    /// The hostapd.conf text for <paramref name="options"/> (call <see cref="Problems"/> first: this throws
    /// <see cref="ArgumentException"/> naming the first problem). <paramref name="driver"/> is <see cref="RadioDriver"/>
    /// on a bench; <see cref="WiredDriver"/> runs without a radio and cannot take a country (it never leaves
    /// COUNTRY_UPDATE), so the country lines are left out for it.
    /// </summary>
    public static string Text(AirOptions options, string driver = RadioDriver)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Problems(options) is [var first, ..])
        {
            throw new ArgumentException($"access point option {first.Field}: {first.Message}", nameof(options));
        }
        var text = new StringBuilder();
        void Line(string line) => text.Append(line).Append('\n');
        Line($"# Written by the rig for bench {options.BenchName}: the bench's WiFi access point (docs/wiring.md).");
        Line($"interface={options.Interface}");
        Line($"driver={driver}");
        Line($"ctrl_interface={ControlDirectory(options.WorkDirectory)}");
        // Root's group only: the control socket can take the access point down.
        Line("ctrl_interface_group=0");
        // hostapd takes the rest of the line as it is (spaces and all), so the SSID and passphrase need no quoting.
        Line($"ssid={options.Ssid}");
        if (options.Ssid.Any(c => c > '~')) Line("utf8_ssid=1");
        Line("hw_mode=g");
        Line(string.Create(CultureInfo.InvariantCulture, $"channel={options.Channel}"));
        if (options.Country is { } country && driver != WiredDriver)
        {
            // ieee80211d advertises the country in the beacon, so the station uses the same channels and power.
            Line($"country_code={country}");
            Line("ieee80211d=1");
        }
        Line("ieee80211n=1");
        Line("wmm_enabled=1");
        Line("auth_algs=1");
        Line("ignore_broadcast_ssid=0");
        Line("wpa=2");
        Line("wpa_key_mgmt=WPA-PSK");
        Line("rsn_pairwise=CCMP");
        Line($"wpa_passphrase={options.Passphrase}");
        // Accept every station but those on the deny list: the refusal fault adds the module's MAC to it.
        Line("macaddr_acl=0");
        Line($"deny_mac_file={DenyFile(options.WorkDirectory)}");
        Line(string.Create(CultureInfo.InvariantCulture, $"ap_max_inactivity={MaxInactivitySeconds}"));
        // Log to stdout (the rig reads it) at level info: associations, deauthentications, EAPOL handshakes; no syslog.
        Line("logger_syslog=0");
        Line("logger_stdout=-1");
        Line("logger_stdout_level=2");
        return text.ToString();
    }

    /// <summary>Why <paramref name="name"/> cannot be a network interface's name; null when it can.</summary>
    public static string? InterfaceProblem(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "the access point's interface is required (wlan0, or a USB WiFi adapter in AP mode)";
        // IFNAMSIZ is 16 with the terminating NUL (linux/if.h).
        if (name.Length > 15) return $"'{name}' is longer than an interface name can be (15 characters)";
        if (name is "." or ".." || name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return $"'{name}' is not an interface name (no '/', ':' or spaces)";
        }
        return null;
    }
}
