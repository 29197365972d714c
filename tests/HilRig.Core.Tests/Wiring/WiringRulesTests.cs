using Xunit;

namespace HilRig.Core.Tests.Wiring;

/// <summary>One test per rule a wiring file can break; each checks file, exact line and column, and the rule.</summary>
public class WiringRulesTests
{
    // A valid three-chip chain; tests change one line of it. Lines:
    //  1 bench  2 kind  3 module  4 power  5 chips  6-8 chip1  9-11 chip2  12-14 chip3
    //  15 links  16-19 link 1  20-23 link 2  24-27 link 3
    private const string Chain = """
        bench: test-bench
        kind: virtual
        module:
          power: { kind: virtual }
        chips:
          - name: chip1
            model_id: 0x11
            power: { kind: virtual }
          - name: chip2
            model_id: 0x12
            power: { kind: virtual }
          - name: chip3
            model_id: 0x13
            power: { kind: virtual }
        links:
          - from: module
            to: chip1
            baud: 115200
            rig: relay
          - from: chip1
            to: chip2
            baud: 115200
            rig: relay
          - from: chip2
            to: chip3
            baud: 115200
            rig: relay
        """;

    private static string With(string from, string to) => Chain.Replace(from, to, StringComparison.Ordinal);

    /// <summary>The chain on a hardware bench, with every power entry replaced.</summary>
    private static string Hardware(string power) =>
        With("kind: virtual\n", "kind: hardware\n").Replace("{ kind: virtual }", power, StringComparison.Ordinal);

    /// <summary>
    /// One broken rule each: the chain with <paramref name="find"/> replaced by <paramref name="replace"/> (none when empty) and
    /// <paramref name="append"/> added fails with exactly this rule at this line and column.
    /// </summary>
    [Theory]
    [InlineData("Parse_Refuses_An_Unplugged_Link_On_A_Tap", "    rig: relay\n  - from: chip1", "    rig: tap\n    unplugged: true\n  - from: chip1", "", 20, 16, "'unplugged' leaves a virtual bench's relayed cable open")]
    [InlineData("Parse_ReportsUnknownNode_When_FromIsMisspelt", "  - from: chip2\n", "  - from: chip-2\n", "", 24, 11, "link 3: 'from' names unknown node 'chip-2'")]
    [InlineData("Parse_ReportsMissingKey_When_RequiredKeyIsAbsent", "    model_id: 0x12\n", "", "", 9, 5, "chip 'chip2': missing required key 'model_id'")]
    [InlineData("Parse_ReportsMissingKey_When_TopLevelKeyIsAbsent", "kind: virtual\n", "", "", 1, 1, "missing required key 'kind'")]
    [InlineData("Parse_ListsAllowedKeys_When_KeyIsUnrelated", "", "", "\nservers: []\n", 28, 1, "unknown key 'servers' (allowed keys: bench, kind, module, chips, links, upgrade, network)")]
    [InlineData("Parse_ReportsDuplicate_When_ModelIdIsReused", "model_id: 0x13", "model_id: 17", "", 13, 15, "chip 'chip3': model_id 0x11 is already used by chip 'chip1' (line 6); model ids must be unique")]
    [InlineData("Parse_ReportsDuplicate_When_ChipNameIsReused", "  - name: chip3\n", "  - name: chip2\n", "", 12, 11, "chip 3: name 'chip2' is already used by chip 2 (line 9); node names must be unique")]
    [InlineData("Parse_ReportsBadBenchName_When_NameHasCapitals", "bench: test-bench", "bench: Test_Bench", "", 1, 8, "bench name 'Test_Bench' must use only lower-case letters, digits and '-'")]
    [InlineData("Parse_ReportsBenchKind_When_KindIsUnknown", "kind: virtual", "kind: simulated", "", 2, 7, "'kind' must be one of virtual, hardware, got 'simulated'")]
    [InlineData("Parse_ReportsRigMode_When_ModeIsUnknown", "    to: chip1\n    baud: 115200\n    rig: relay\n", "    to: chip1\n    baud: 115200\n    rig: sniff\n", "", 19, 10, "link 1: 'rig' must be one of relay, tap, direct, got 'sniff'")]
    [InlineData("Parse_ReportsSelfLink_When_FromEqualsTo", "  - from: chip1\n    to: chip2\n", "  - from: chip2\n    to: chip2\n", "", 21, 9, "link 2: 'from' and 'to' are both 'chip2'; a link joins two different nodes")]
    [InlineData("Parse_ReportsModuleUpstream_When_LinkEndsAtModule", "", "", "\n  - { from: chip3, to: module, baud: 115200, rig: relay }\n", 28, 24, "link 4: 'to' is the module, but the module heads the chain and has no upstream link")]
    [InlineData("Parse_ReportsSecondUpstreamLink_When_ChipHasTwo", "", "", "\n  - { from: chip1, to: chip3, baud: 115200, rig: relay }\n", 28, 24, "link 4: chip 'chip3' already has an upstream link (link 3, line 24); every chip has exactly one")]
    [InlineData("Parse_ReportsUnknownOrderEntry_When_DefaultOrderNamesNonChip", "", "", "\nupgrade:\n  default_order: [chip3, chip2, module, chip1]\n", 29, 33, "upgrade: default_order names 'module', which is not a chip (chips: chip1, chip2, chip3)")]
    [InlineData("Parse_ReportsNonVirtualPower_When_BenchIsVirtual", "    model_id: 0x12\n    power: { kind: virtual }", "    model_id: 0x12\n    power: { kind: gpio, chip: gpiochip0, line: 5, active_low: true }", "", 11, 20, "chip 'chip2': power: power kind 'gpio' needs a hardware bench; on a virtual bench (kind: virtual) every power kind must be virtual")]
    [InlineData("Parse_ReportsDevicePath_When_BenchIsVirtual", "    rig: relay\n  - from: chip1", "    rig: relay\n    far: /dev/ttyUSB0\n  - from: chip1", "", 20, 10, "link 1: 'far' is a device path, but a virtual bench makes its own ptys")]
    [InlineData("Parse_Refuses_A_Build_For_A_Chip_Without_A_Command", "    model_id: 0x12\n", "    model_id: 0x12\n    build: make firmware\n", "", 11, 12, "chip 'chip2': 'build' builds the program the chip's 'command' runs, but this chip has no 'command'")]
    [InlineData("Parse_ReportsFlashGeometry_When_SlotIsNotMultipleOfSector", "    model_id: 0x13\n", "    model_id: 0x13\n    flash: { slot_size: 5000 }\n", "", 14, 25, "chip 'chip3': flash: 'slot_size' must be a positive multiple of the sector size (4096 bytes), got 5000")]
    [InlineData("Parse_ReportsSensorAddress_When_OutsideIna219Range", "    model_id: 0x13\n", "    model_id: 0x13\n    sensor: { kind: ina219, bus: 1, address: 0x20 }\n", "", 14, 46, "chip 'chip3': sensor: 'address' must be an integer from 0x40 to 0x4F (the INA219 address range), got '0x20'")]
    [InlineData("Parse_ReportsMissingPort_When_CommandUsesDownstreamBeyondLinks", "    model_id: 0x13\n", "    model_id: 0x13\n    command: ./fw {upstream} {downstream0}\n", "", 14, 14, "chip 'chip3': 'command' uses unknown placeholder '{downstream0}'; 'chip3' has 0 downstream port(s)")]
    public void Parse_ReportsTheRuleBroken(string behaviour, string find, string replace, string append, int line, int column, string rule)
    {
        Assert.NotEmpty(behaviour);
        var yaml = (find.Length == 0 ? Chain : With(find, replace)) + append;

        WiringAssert.HasError(yaml, line, column, rule);
    }

    [Fact]
    public void Parse_Succeeds_When_ChainIsUnchanged()
    {
        Assert.Equal(3, WiringAssert.Parse(Chain).Chips.Count);
    }

    [Fact]
    public void Parse_ReportsUnknownNode_When_LinkNamesMissingChip()
    {
        var exception = WiringAssert.HasError(With("    to: chip2\n", "    to: chip9\n"), 21, 9,
            "link 2: 'to' names unknown node 'chip9' (known nodes: module, chip1, chip2, chip3)");

        HasError(exception, 9, 11, "chip 'chip2' has no upstream link");
    }

    [Fact]
    public void Parse_SuggestsClosestKey_When_KeyIsMisspelt()
    {
        WiringAssert.HasError(With("    model_id: 0x12\n", "    modle_id: 0x12\n"), 10, 5,
            "chip 'chip2': unknown key 'modle_id'; did you mean 'model_id'?",
            "(allowed keys: name, model_id, flash, factory_image, command, build, power, sensor, operating, program, log)");
    }

    [Theory]
    [InlineData("0xFE", "0xFE")]
    [InlineData("0", "0")]
    [InlineData("256", "256")]
    [InlineData("eleven", "eleven")]
    public void Parse_ReportsModelIdRange_When_ModelIdIsOutOfRange(string written, string shown)
    {
        WiringAssert.HasError(With("model_id: 0x12", $"model_id: {written}"), 10, 15,
            $"chip 'chip2': 'model_id' must be an integer from 0x01 to 0xFD (0xFE and 0xFF are reserved), got '{shown}'");
    }

    [Theory]
    [InlineData("Chip3", "must start with a lower-case letter")]
    [InlineData("3chip", "must start with a lower-case letter")]
    [InlineData("module", "'module' is the comm module's node name")]
    public void Parse_ReportsBadChipName_When_NameBreaksPattern(string name, string rule)
    {
        WiringAssert.HasError(With("  - name: chip3\n", $"  - name: {name}\n"), 12, 11, rule);
    }

    [Fact]
    public void Parse_ReportsChipCount_When_ChipsListIsEmpty()
    {
        WiringAssert.HasError("""
            bench: empty
            kind: virtual
            module: { power: { kind: virtual } }
            chips: []
            links: []
            """, 4, 8, "'chips' must list 1 to 32 chips, found 0");
    }

    [Fact]
    public void Parse_ReportsChipCount_When_ChipsExceedThirtyTwo()
    {
        var chips = string.Join("\n", Enumerable.Range(1, 33).Select(i => $"  - {{ name: c{i}, model_id: {i}, power: {{ kind: virtual }} }}"));
        var links = string.Join("\n", Enumerable.Range(1, 33).Select(i => $"  - {{ from: {(i == 1 ? "module" : $"c{i - 1}")}, to: c{i}, baud: 115200, rig: relay }}"));
        var exception = WiringAssert.Fails($"bench: long\nkind: virtual\nmodule: {{ power: {{ kind: virtual }} }}\nchips:\n{chips}\nlinks:\n{links}\n");

        WiringAssert.HasError(exception, 5, 3, "'chips' must list 1 to 32 chips, found 33");
        Assert.Single(exception.Errors);
    }

    [Fact]
    public void Parse_ReportsBaudRate_When_RateIsUnsupported()
    {
        WiringAssert.HasError(With("    to: chip3\n    baud: 115200\n", "    to: chip3\n    baud: 115201\n"), 26, 11, "link 3: 'baud' must be one of 9600, 19200,", "got 115201");
    }

    [Fact]
    public void Parse_ReportsMissingUpstreamLink_When_ChipIsNotLinked()
    {
        var yaml = With("\n  - from: chip2\n    to: chip3\n    baud: 115200\n    rig: relay", "");

        WiringAssert.HasError(yaml, 12, 11, "chip 'chip3' has no upstream link; add a link with 'to: chip3'");
    }

    [Fact]
    public void Parse_ReportsCycle_When_LinksLoopBack()
    {
        // chip2 and chip3 feed each other; nothing from the module reaches them.
        var yaml = With("  - from: chip1\n    to: chip2\n", "  - from: chip3\n    to: chip2\n");

        var exception = WiringAssert.HasError(yaml, 21, 9, "link 2: links form a cycle (chip2 -> chip3 -> chip2)", "'chip2', 'chip3' cannot be reached from the module");
        Assert.Single(exception.Errors);
    }

    [Fact]
    public void Parse_ReportsRepeatedOrderEntry_When_ChipIsListedTwice()
    {
        var exception = WiringAssert.HasError(Chain + "\nupgrade:\n  default_order: [chip3, chip2, chip3]\n", 29, 33,
            "upgrade: default_order lists 'chip3' twice (first at line 29); it must name each chip exactly once");

        WiringAssert.HasError(exception, 29, 18, "upgrade: default_order is missing chip1; it must name each chip exactly once");
    }

    [Fact]
    public void Parse_ReportsPowerKeys_When_GpioLineIsMissing()
    {
        WiringAssert.HasError(Hardware("{ kind: gpio, chip: gpiochip0, active_low: true }"), 8, 12,
            "chip 'chip1': power: missing required key 'line'");
    }

    [Fact]
    public void Parse_ReportsMissingDevicePaths_When_HardwareRelayLinkHasNone()
    {
        var yaml = Hardware("{ kind: command, on: 'on', off: 'off' }");

        var exception = WiringAssert.HasError(yaml, 16, 5, "link 1: a relay link on a hardware bench needs 'near' (the rig's UART toward 'module')");
        WiringAssert.HasError(exception, 16, 5, "link 1: a relay link on a hardware bench needs 'far' (the rig's UART toward 'chip1')");
        Assert.Equal(6, exception.Errors.Count);
    }

    [Fact]
    public void Parse_ReportsVirtualPower_When_BenchIsHardware()
    {
        var exception = WiringAssert.HasError(Hardware("{ kind: virtual }"), 4, 18,
            "module: power: power kind 'virtual' only switches emulated nodes; a hardware bench needs kind gpio or command");
        WiringAssert.HasError(exception, 8, 20, "chip 'chip1': power: power kind 'virtual'");
    }

    [Fact]
    public void Parse_ReportsFlashGeometry_When_SectorIsNotPowerOfTwo()
    {
        var exception = WiringAssert.HasError(With("    model_id: 0x13\n", "    model_id: 0x13\n    flash: { sector_size: 3000, slot_size: 65536 }\n"), 14, 27,
            "chip 'chip3': flash: 'sector_size' must be a power of two of at least 256 bytes, got 3000");
        Assert.Single(exception.Errors);
    }

    [Fact]
    public void Parse_ReportsUnknownPlaceholder_When_CommandUsesOne()
    {
        WiringAssert.HasError(With("    model_id: 0x12\n", "    model_id: 0x12\n    command: ./fw --uart {upstream} --log {logfile}\n"), 11, 14,
            "chip 'chip2': 'command' uses unknown placeholder '{logfile}'", "allowed: {upstream}, {flash}, {model_id}, {baud}, {sector_size}, {slot_size}, {downstream0}, {downstream_baud0}");
    }

    [Fact]
    public void Parse_AcceptsEveryPlaceholderTheWiringPageNames_ForAChipWithAPortBelow()
    {
        // docs/wiring.md lists them; {sector_size} and {slot_size} were filled in by the rig but refused here.
        var bench = WiringAssert.Parse(With("    model_id: 0x12\n",
            "    model_id: 0x12\n    command: ./fw {upstream} {downstream0} {flash} {model_id} {baud} {downstream_baud0} {sector_size} {slot_size}\n"));

        Assert.Contains("{downstream_baud0}", bench.Chip("chip2").Command, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ReportsEveryError_When_FileBreaksSeveralRules()
    {
        var yaml = With("    model_id: 0x11\n", "    model_id: 0x1FF\n")
            .Replace("    to: chip2\n", "    to: chip9\n", StringComparison.Ordinal)
            .Replace("    baud: 115200\n    rig: relay\n  - from: chip2", "    baud: 1200\n    rig: relay\n  - from: chip2", StringComparison.Ordinal)
            + "\nupgrade: { default_order: [chip1], odrer: [] }\n";

        var exception = WiringAssert.Fails(yaml);

        Assert.Equal(
            [
                "wiring/test.yaml:7:15: chip 'chip1': 'model_id' must be an integer from 0x01 to 0xFD (0xFE and 0xFF are reserved), got '0x1FF'",
                "wiring/test.yaml:9:11: chip 'chip2' has no upstream link; add a link with 'to: chip2' from the module or another chip",
                "wiring/test.yaml:21:9: link 2: 'to' names unknown node 'chip9' (known nodes: module, chip1, chip2, chip3)",
                "wiring/test.yaml:22:11: link 2: 'baud' must be one of 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600, 1000000, 1500000, 2000000, 3000000, got 1200",
                "wiring/test.yaml:25:9: link 3: chip 'chip3' cannot be reached from the module; its upstream path stops at 'chip2', which has no upstream link",
                "wiring/test.yaml:28:27: upgrade: default_order is missing chip2, chip3; it must name each chip exactly once",
                "wiring/test.yaml:28:36: upgrade: unknown key 'odrer' (allowed keys: default_order)",
            ],
            exception.Message.Split(Environment.NewLine));
    }

    private static void HasError(Core.Wiring.WiringException exception, int line, int column, string rule) =>
        WiringAssert.HasError(exception, line, column, rule);
}
