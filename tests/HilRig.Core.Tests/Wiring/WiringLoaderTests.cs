using HilRig.Core.Wiring;
using Xunit;

namespace HilRig.Core.Tests.Wiring;

public class WiringLoaderTests
{
    [Fact]
    public void Parse_ReadsEveryField_When_HardwareBenchIsComplete()
    {
        var bench = WiringAssert.Parse("""
            bench: pi-chain-2
            kind: hardware
            module:
              power: { kind: gpio, chip: gpiochip0, line: 17, active_low: true }
              sensor: { kind: ina219, bus: 1, address: 0x40, shunt_ohms: 0.05, max_current_a: 2.0 }
            chips:
              - name: chip1
                model_id: 17
                flash: { sector_size: 1024, slot_size: 8192 }
                power: { kind: command, on: "uhubctl -a on -p 2", off: "uhubctl -a off -p 2" }
            links:
              - from: module
                to: chip1
                baud: 921600
                rig: relay
                near: /dev/serial/by-id/usb-FTDI_A-if00
                far: /dev/serial/by-id/usb-FTDI_B-if00
            """);

        Assert.Equal("pi-chain-2", bench.Name);
        Assert.Equal(BenchKind.Hardware, bench.Kind);
        Assert.Equal(WiringAssert.SourcePath, bench.SourcePath);
        Assert.Equal(new GpioPower("gpiochip0", 17, true, 4), bench.Module.Power);
        Assert.Equal(new SensorWiring(SensorKind.Ina219, 1, 0x40, 0.05, 2.0, 5), bench.Module.Sensor);
        var chip = Assert.Single(bench.Chips);
        Assert.Equal(0x11, chip.ModelId);
        Assert.Equal(new FlashWiring(1024, 8192, 9), chip.Flash);
        Assert.Equal(new CommandPower("uhubctl -a on -p 2", "uhubctl -a off -p 2", null, 10), chip.Power);
        Assert.Equal(7, chip.Line);
        var link = Assert.Single(bench.Links);
        Assert.Equal(new LinkWiring("module", "chip1", 921600, RigMode.Relay, "/dev/serial/by-id/usb-FTDI_A-if00", "/dev/serial/by-id/usb-FTDI_B-if00", 12), link);
    }

    [Fact]
    public void Parse_AppliesDefaults_When_OptionalKeysAreAbsentOrNull()
    {
        var bench = WiringAssert.Parse("""
            bench: defaults
            kind: virtual
            module:
              power: { kind: virtual }
              command: null
            chips:
              - name: chip1
                model_id: 0x11
                power: { kind: virtual }
                command: ~
                sensor:
            links:
              - { from: module, to: chip1, baud: 115200, rig: relay }
            """);

        var chip = Assert.Single(bench.Chips);
        Assert.Equal(FlashWiring.Default, chip.Flash);
        Assert.Equal((4096, 65536), (chip.Flash.SectorSizeBytes, chip.Flash.SlotSizeBytes));
        Assert.Null(chip.Command);
        Assert.Null(chip.Sensor);
        Assert.Null(chip.FactoryImagePath);
        Assert.False(chip.Operating);
        Assert.Null(bench.Module.Command);
        Assert.IsType<VirtualPower>(chip.Power);
    }

    [Theory]
    [InlineData("0x11", 0x11)]
    [InlineData("0X1f", 0x1F)]
    [InlineData("17", 17)]
    [InlineData("0xFD", 0xFD)]
    [InlineData("1", 1)]
    public void Parse_ReadsModelId_When_WrittenInHexOrDecimal(string written, int expected)
    {
        var bench = WiringAssert.Parse($$"""
            bench: ids
            kind: virtual
            module: { power: { kind: virtual } }
            chips:
              - { name: chip1, model_id: {{written}}, power: { kind: virtual } }
            links:
              - { from: module, to: chip1, baud: 115200, rig: relay }
            """);

        Assert.Equal(expected, bench.Chips[0].ModelId);
    }

    [Fact]
    public void Parse_ReadsCommandsAndOperatingState_When_VirtualBenchRunsExternalFirmware()
    {
        var bench = WiringAssert.Parse("""
            bench: external
            kind: virtual
            module: { power: { kind: virtual }, command: "./module --down {downstream0}" }
            chips:
              - name: chip1
                model_id: 0x11
                power: { kind: virtual }
                command: "./fw --uart {upstream} --down {downstream0} --flash {flash} --id {model_id} --baud {baud}"
                build: make -C ../fw fw
                operating: true
              - { name: chip2, model_id: 0x12, power: { kind: virtual } }
            links:
              - { from: module, to: chip1, baud: 115200, rig: relay }
              - { from: chip1, to: chip2, baud: 115200, rig: relay }
            """);

        Assert.Equal("./module --down {downstream0}", bench.Module.Command);
        Assert.StartsWith("./fw --uart {upstream}", bench.Chips[0].Command, StringComparison.Ordinal);
        Assert.True(bench.Chips[0].Operating);
        Assert.Equal("make -C ../fw fw", bench.Chips[0].Build?.Command);
        Assert.True(Path.IsPathRooted(bench.Chips[0].Build?.WorkingDirectory), "the build runs in the wiring file's directory, a full path");
        Assert.Null(bench.Chips[1].Build);
    }

    [Fact]
    public void Parse_ResolvesFactoryImageAgainstWiringFileDirectory_When_ImageExists()
    {
        var directory = Directory.CreateTempSubdirectory("hilrig-wiring-");
        try
        {
            Directory.CreateDirectory(Path.Combine(directory.FullName, "images"));
            var image = Path.Combine(directory.FullName, "images", "chip.hrim");
            File.WriteAllBytes(image, [1, 2, 3]);
            var wiringPath = Path.Combine(directory.FullName, "wiring", "bench.yaml");

            var bench = WiringLoader.Parse("""
                bench: images
                kind: virtual
                module: { power: { kind: virtual } }
                chips:
                  - { name: chip1, model_id: 0x11, factory_image: ../images/chip.hrim, power: { kind: virtual } }
                links:
                  - { from: module, to: chip1, baud: 115200, rig: relay }
                """, wiringPath);

            Assert.Equal(image, bench.Chips[0].FactoryImagePath);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Parse_ReportsMissingImage_When_FactoryImageDoesNotExist()
    {
        const string yaml = """
            bench: images
            kind: virtual
            module: { power: { kind: virtual } }
            chips:
              - name: chip1
                model_id: 0x11
                factory_image: ../images/nowhere.hrim
                power: { kind: virtual }
            links:
              - { from: module, to: chip1, baud: 115200, rig: relay }
            """;

        WiringAssert.HasError(yaml, 7, 20, "chip 'chip1': factory_image '../images/nowhere.hrim' does not exist");
        var bench = WiringLoader.Parse(yaml, WiringAssert.SourcePath, new WiringLoadOptions { CheckFilesExist = false });
        Assert.EndsWith(Path.Combine("images", "nowhere.hrim"), bench.Chips[0].FactoryImagePath, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_GivesOneLineNamingThePath_When_FileIsMissing()
    {
        var exception = Assert.Throws<WiringException>(() => WiringLoader.Load("wiring/no-such-bench.yaml"));

        Assert.DoesNotContain('\n', exception.Message);
        Assert.StartsWith("wiring/no-such-bench.yaml: wiring file not found", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ReportsLineAndColumn_When_YamlSyntaxIsBroken()
    {
        var exception = WiringAssert.Fails("""
            bench: broken
            kind: virtual
            module:
              power: { kind: virtual }
             chips: []
            """);

        var error = Assert.Single(exception.Errors);
        Assert.Equal((5, 2), (error.Line, error.Column));
        Assert.StartsWith("wiring/test.yaml:5:2: YAML syntax error: ", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("(Line:", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PointsAtOpeningBrace_When_FlowMappingIsNotClosed()
    {
        var exception = WiringAssert.Fails("""
            bench: broken
            kind: virtual
            module:
              power: { kind: virtual
            chips: []
            """);

        Assert.Equal("wiring/test.yaml:4:10: YAML syntax error: this '{' is not closed with '}'", exception.Message);
    }

    [Fact]
    public void Parse_ReportsDuplicateKeyPosition_When_KeyIsRepeated()
    {
        var exception = WiringAssert.Fails("""
            bench: twice
            kind: virtual
            kind: hardware
            """);

        Assert.Equal(3, Assert.Single(exception.Errors).Line);
        Assert.Contains("Duplicate key", exception.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Parse_ReportsEmptyFile_When_TextIsBlank()
    {
        var exception = WiringAssert.Fails("# nothing here\n");

        Assert.Equal("wiring/test.yaml:1:1: the file is empty; a wiring file is a mapping with keys bench, kind, module, chips, links", exception.Message);
    }

    [Fact]
    public void Parse_RejectsSecondDocument_When_FileHoldsTwo()
    {
        WiringAssert.HasError("""
            bench: one
            ---
            bench: two
            """, 3, 1, "one YAML document");
    }

    [Fact]
    public void Load_ReadsSimBenches_When_FileChecksAreOff()
    {
        var options = new WiringLoadOptions { CheckFilesExist = false };

        var chain = WiringLoader.Load(RepositoryPath("wiring", "sim-chain.yaml"), options);
        var tree = WiringLoader.Load(RepositoryPath("wiring", "sim-tree.yaml"), options);

        Assert.Equal(("sim-chain", BenchKind.Virtual), (chain.Name, chain.Kind));
        Assert.Equal([0x11, 0x12, 0x13], chain.Chips.Select(c => (int)c.ModelId));
        Assert.Equal(["module", "chip1", "chip2", "chip3"], chain.PathFromModule("chip3"));
        Assert.Equal(["chip3", "chip2", "chip1"], chain.UpgradeOrder);
        Assert.All(chain.Links, l => Assert.Equal((115200, RigMode.Relay), (l.BaudRate, l.RigMode)));
        Assert.EndsWith(Path.Combine("firmware-images", "images", "chip-12-v1.0.0.hrim"), chain.Chip("chip2").FactoryImagePath, StringComparison.Ordinal);

        Assert.Equal("sim-tree", tree.Name);
        Assert.Equal([0x21, 0x22, 0x23], tree.Chips.Select(c => (int)c.ModelId));
        Assert.Equal(["chip2", "chip3"], tree.Children("chip1"));
        Assert.Equal(["chip3", "chip2", "chip1"], tree.UpgradeOrder);
        Assert.Equal(["chip2", "chip3", "chip1"], tree.FarToNearOrder());
        Assert.All(tree.Chips, c => Assert.IsType<VirtualPower>(c.Power));
    }

    [Fact]
    public void Load_FindsFactoryImages_When_SampleImagesAreBuilt()
    {
        Assert.SkipUnless(
            Directory.Exists(RepositoryPath("firmware-images", "images")),
            "firmware-images/images has not been built yet");

        var chain = WiringLoader.Load(RepositoryPath("wiring", "sim-chain.yaml"));
        var tree = WiringLoader.Load(RepositoryPath("wiring", "sim-tree.yaml"));

        Assert.All(chain.Chips.Concat(tree.Chips), c => Assert.True(File.Exists(c.FactoryImagePath)));
    }

    private static string RepositoryPath(params string[] parts) => TestRepository.PathOf(parts);
}
