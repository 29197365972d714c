using HilRig.Core.Wifi;
using Xunit;

namespace HilRig.Core.Tests.Wifi;

public sealed class HostapdConfigTests
{
    private static AirOptions Options(string ssid = "HilRig-bench", string passphrase = "correct horse battery", int channel = 6,
        string? country = "DE", string? interfaceName = "wlan0") => new()
    {
        BenchName = "pi-bench",
        HostNames = ["ota.hilrig.test"],
        WorkDirectory = "/var/lib/hilrig/pi-bench/air",
        Ssid = ssid,
        Passphrase = passphrase,
        Channel = channel,
        Country = country,
        Interface = interfaceName,
    };

    private static Dictionary<string, string> Lines(string text)
    {
        var lines = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            Assert.True(equals > 0, $"'{line}' is not a name=value line");
            Assert.True(lines.TryAdd(line[..equals], line[(equals + 1)..]), $"{line[..equals]} is set twice");
        }
        return lines;
    }

    [Fact]
    public void Text_sets_every_field_hostapd_needs_for_a_WPA2_access_point()
    {
        var lines = Lines(HostapdConfig.Text(Options()));

        Assert.Equal(new Dictionary<string, string>
        {
            ["interface"] = "wlan0",
            ["driver"] = "nl80211",
            ["ctrl_interface"] = "/var/lib/hilrig/pi-bench/air/hostapd-ctrl",
            ["ctrl_interface_group"] = "0",
            ["ssid"] = "HilRig-bench",
            ["hw_mode"] = "g",
            ["channel"] = "6",
            ["country_code"] = "DE",
            ["ieee80211d"] = "1",
            ["ieee80211n"] = "1",
            ["wmm_enabled"] = "1",
            ["auth_algs"] = "1",
            ["ignore_broadcast_ssid"] = "0",
            ["wpa"] = "2",
            ["wpa_key_mgmt"] = "WPA-PSK",
            ["rsn_pairwise"] = "CCMP",
            ["wpa_passphrase"] = "correct horse battery",
            ["macaddr_acl"] = "0",
            ["deny_mac_file"] = "/var/lib/hilrig/pi-bench/air/hostapd.deny",
            ["ap_max_inactivity"] = "60",
            ["logger_syslog"] = "0",
            ["logger_stdout"] = "-1",
            ["logger_stdout_level"] = "2",
        }, lines);
    }

    [Fact]
    public void Text_leaves_the_country_out_when_none_is_given()
    {
        var lines = Lines(HostapdConfig.Text(Options(country: null)));

        Assert.False(lines.ContainsKey("country_code"));
        Assert.False(lines.ContainsKey("ieee80211d"));
    }

    [Fact]
    public void Text_for_the_wired_driver_leaves_the_country_out_because_it_would_never_finish_starting()
    {
        var lines = Lines(HostapdConfig.Text(Options(), HostapdConfig.WiredDriver));

        Assert.Equal("wired", lines["driver"]);
        Assert.False(lines.ContainsKey("country_code"));
    }

    [Fact]
    public void Text_keeps_an_SSID_and_passphrase_with_spaces_and_UTF8_as_they_are()
    {
        var lines = Lines(HostapdConfig.Text(Options(ssid: " Prüfstand #2 ", passphrase: " pass = word ")));

        Assert.Equal(" Prüfstand #2 ", lines["ssid"]);
        Assert.Equal("1", lines["utf8_ssid"]);
        Assert.Equal(" pass = word ", lines["wpa_passphrase"]);
    }

    [Fact]
    public void Problems_is_empty_for_options_hostapd_takes()
    {
        Assert.Empty(HostapdConfig.Problems(Options()));
        Assert.Empty(HostapdConfig.Problems(Options(ssid: new string('s', 32), passphrase: new string('p', 63), channel: 13, country: null)));
        Assert.Empty(HostapdConfig.Problems(Options(ssid: "s", passphrase: "12345678", channel: 1)));
    }

    [Theory]
    [InlineData("", "ssid", "1 to 32 bytes", "got 0")]
    [InlineData("0123456789012345678901234567890123", "ssid", "1 to 32 bytes", "got 34")]
    [InlineData("ÄÖÜäöüßÄÖÜäöüßÄÖx", "ssid", "1 to 32 bytes", "got 33")]
    [InlineData("two\nlines", "ssid", "control character", "")]
    public void Problems_names_the_SSID_hostapd_would_refuse(string ssid, string field, string expected, string detail)
    {
        var problem = Assert.Single(HostapdConfig.Problems(Options(ssid: ssid)));

        Assert.Equal(field, problem.Field);
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
        Assert.Contains(detail, problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1234567", "8 to 63 characters", "got 7")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123", "8 to 63 characters", "got 64")]
    [InlineData("passwört123", "printable ASCII", "character 6 is U+00F6")]
    [InlineData("pass\tword", "printable ASCII", "character 5 is U+0009")]
    public void Problems_names_the_passphrase_hostapd_would_refuse(string passphrase, string expected, string detail)
    {
        var problem = Assert.Single(HostapdConfig.Problems(Options(passphrase: passphrase)));

        Assert.Equal("passphrase", problem.Field);
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
        Assert.Contains(detail, problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(14)]
    [InlineData(36)]
    public void Problems_names_a_channel_outside_2_4_GHz(int channel)
    {
        var problem = Assert.Single(HostapdConfig.Problems(Options(channel: channel)));

        Assert.Equal("channel", problem.Field);
        Assert.Contains("1 to 13", problem.Message, StringComparison.Ordinal);
        Assert.Contains($"got {channel}", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("de")]
    [InlineData("DEU")]
    [InlineData("D")]
    [InlineData("")]
    [InlineData("D1")]
    public void Problems_names_a_country_that_is_not_two_capital_letters(string country)
    {
        var problem = Assert.Single(HostapdConfig.Problems(Options(country: country)));

        Assert.Equal("country", problem.Field);
        Assert.Contains($"got '{country}'", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "is required")]
    [InlineData("", "is required")]
    [InlineData("wlan-nonexistent", "15 characters")]
    [InlineData("wlan0 ", "not an interface name")]
    [InlineData("../wlan0", "not an interface name")]
    public void Problems_names_an_interface_that_cannot_be_one(string? interfaceName, string expected)
    {
        var problem = Assert.Single(HostapdConfig.Problems(Options(interfaceName: interfaceName)));

        Assert.Equal("interface", problem.Field);
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_lists_every_bad_field_once_each()
    {
        var problems = HostapdConfig.Problems(Options(ssid: "", passphrase: "short", channel: 99, country: "xx", interfaceName: null));

        Assert.Equal(["interface", "ssid", "passphrase", "channel", "country"], problems.Select(p => p.Field));
    }

    [Fact]
    public void Text_refuses_options_with_a_problem_and_names_the_field()
    {
        var error = Assert.Throws<ArgumentException>(() => HostapdConfig.Text(Options(channel: 14)));

        Assert.StartsWith("access point option channel: the channel must be 1 to 13", error.Message, StringComparison.Ordinal);
    }
}
