using HilRig.Core.Links;
using Xunit;

namespace HilRig.Core.Tests.Links;

public sealed class SerialDevicePathsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hilrig-byid-").FullName;

    private string ById => Path.Combine(_root, "by-id");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_by_id_name_opens_the_device_it_points_at_today()
    {
        Directory.CreateDirectory(ById);
        var ttyUsb3 = Path.Combine(_root, "ttyUSB3");
        File.WriteAllText(ttyUsb3, "");
        File.CreateSymbolicLink(Path.Combine(ById, "usb-FTDI_Quad_RS232-HS_A-if00-port0"), "../ttyUSB3");

        Assert.Equal(ttyUsb3, SerialDevicePaths.Resolve(Path.Combine(ById, "usb-FTDI_Quad_RS232-HS_A-if00-port0"), ById));

        // Re-enumeration: the adapter came back as ttyUSB0; the same name finds it.
        var ttyUsb0 = Path.Combine(_root, "ttyUSB0");
        File.WriteAllText(ttyUsb0, "");
        File.Delete(Path.Combine(ById, "usb-FTDI_Quad_RS232-HS_A-if00-port0"));
        File.CreateSymbolicLink(Path.Combine(ById, "usb-FTDI_Quad_RS232-HS_A-if00-port0"), "../ttyUSB0");
        Assert.Equal(ttyUsb0, SerialDevicePaths.Resolve(Path.Combine(ById, "usb-FTDI_Quad_RS232-HS_A-if00-port0"), ById));
    }

    [Fact]
    public void A_missing_adapter_is_named_with_the_adapters_that_are_present()
    {
        Directory.CreateDirectory(ById);
        File.WriteAllText(Path.Combine(_root, "ttyUSB1"), "");
        File.CreateSymbolicLink(Path.Combine(ById, "usb-FTDI_B-if01-port0"), "../ttyUSB1");

        var ex = Assert.Throws<FileNotFoundException>(() => SerialDevicePaths.Resolve(Path.Combine(ById, "usb-FTDI_A-if00-port0"), ById));

        Assert.Equal($"serial adapter usb-FTDI_A-if00-port0 is not plugged in (present in {ById}: usb-FTDI_B-if01-port0)", ex.Message);
    }

    [Fact]
    public void No_by_id_directory_means_no_adapter_is_plugged_in()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => SerialDevicePaths.Resolve(Path.Combine(ById, "usb-X"), ById));

        Assert.Contains("is missing: no USB serial adapter is plugged in", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_link_to_a_device_that_vanished_says_where_it_pointed()
    {
        Directory.CreateDirectory(ById);
        File.CreateSymbolicLink(Path.Combine(ById, "usb-gone"), "../ttyUSB9");

        var ex = Assert.Throws<FileNotFoundException>(() => SerialDevicePaths.Resolve(Path.Combine(ById, "usb-gone"), ById));

        Assert.Contains("ttyUSB9, which does not exist", ex.Message, StringComparison.Ordinal);
    }
}
