using HilRig.Core.Wiring;
using Xunit;

namespace HilRig.Core.Tests.Wiring;

/// <summary>Helpers for asserting on wiring errors.</summary>
internal static class WiringAssert
{
    public const string SourcePath = "wiring/test.yaml";

    /// <summary>A virtual bench of the module and one chip, lines 1 to 9: what tests of the sections after it start from.</summary>
    public const string OneChipVirtualBench = """
        bench: one-chip
        kind: virtual
        module:
          power: { kind: virtual }
          factory_image: ../firmware-images/images/module-01-v2.0.0.hrim
        chips:
          - { name: chip1, model_id: 0x11, power: { kind: virtual } }
        links:
          - { from: module, to: chip1, baud: 115200, rig: relay }

        """;

    public static BenchWiring Parse(string yaml) => WiringLoader.Parse(yaml, SourcePath);

    public static WiringException Fails(string yaml, WiringLoadOptions? options = null) =>
        Assert.Throws<WiringException>(() => WiringLoader.Parse(yaml, SourcePath, options));

    /// <summary>Asserts the file fails with an error at exactly this position whose rule contains every fragment.</summary>
    public static WiringException HasError(string yaml, int line, int column, params string[] ruleFragments)
    {
        var exception = Fails(yaml);
        HasError(exception, line, column, ruleFragments);
        return exception;
    }

    public static void HasError(WiringException exception, int line, int column, params string[] ruleFragments)
    {
        var prefix = $"{SourcePath}:{line}:{column}: ";
        var lines = exception.Message.Split(Environment.NewLine);
        Assert.True(
            lines.Any(l => l.StartsWith(prefix, StringComparison.Ordinal) && ruleFragments.All(f => l.Contains(f, StringComparison.Ordinal))),
            $"Expected an error starting '{prefix}' containing [{string.Join("; ", ruleFragments)}], got:{Environment.NewLine}{exception.Message}");
    }
}
