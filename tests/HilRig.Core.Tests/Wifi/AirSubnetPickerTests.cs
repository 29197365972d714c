using System.Net;
using HilRig.Core.Wifi;
using Xunit;

namespace HilRig.Core.Tests.Wifi;

public sealed class AirSubnetPickerTests
{
    private const string IpOutput = """
        1: lo    inet 127.0.0.1/8 scope host lo\       valid_lft forever preferred_lft forever
        4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\       valid_lft forever preferred_lft forever
        7: hra812a1    inet 10.231.7.1/24 scope global hra812a1\       valid_lft forever preferred_lft forever
        """;

    [Fact]
    public void ParseAddresses_Reads_Each_Interface_And_Its_Network()
    {
        var addresses = AirSubnetPicker.ParseAddresses(IpOutput);

        Assert.Equal(
            [
                new MachineAddress("lo", new AirSubnet(IPAddress.Parse("127.0.0.0"), 8)),
                new MachineAddress("eth0", new AirSubnet(IPAddress.Parse("192.0.2.0"), 24)),
                new MachineAddress("hra812a1", new AirSubnet(IPAddress.Parse("10.231.7.0"), 24)),
            ],
            addresses);
    }

    [Fact]
    public void Pick_Skips_A_Network_In_Use_When_The_Random_Start_Lands_On_It()
    {
        var addresses = AirSubnetPicker.ParseAddresses(IpOutput);

        // Told to start at 10.231.7.0/24, which hra812a1 uses.
        var picked = AirSubnetPicker.Pick(addresses, new FixedStart(7));

        Assert.Equal("10.231.8.0/24", picked.ToString());
    }

    [Fact]
    public void Pick_Fails_With_One_Line_When_The_Whole_Block_Is_Covered()
    {
        var covering = new[] { new MachineAddress("eth9", new AirSubnet(IPAddress.Parse("10.0.0.0"), 8)) };

        var error = Assert.Throws<InvalidOperationException>(() => AirSubnetPicker.Pick(covering));

        Assert.Equal("no free /24 left in 10.231.0.0/16: every one overlaps an address of this machine (`ip -4 addr`); give the bench a subnet", error.Message);
    }

    /// <summary>A random source whose Next(n) always answers one value.</summary>
    private sealed class FixedStart(int value) : Random
    {
        public override int Next(int maxValue) => value;
    }
}
