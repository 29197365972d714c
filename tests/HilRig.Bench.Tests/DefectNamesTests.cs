using HilRig.Bench.Chip;
using HilRig.Bench.Module;

namespace HilRig.Bench.Tests;

/// <summary>The one table of defect names the chip's and the module's defects share.</summary>
public sealed class DefectNamesTests
{
    [Fact]
    public void ModuleDefects_AreNamedInKebabCase_AndParsedIntoFlags()
    {
        Assert.Equal(ModuleDefect.ObeyVendorOta, ModuleDefects.ByName["obey-vendor-ota"]);
        Assert.Equal(ModuleDefect.DataBeforeStartAnswers | ModuleDefect.SkipDigestCheck, ModuleDefects.Parse(["data-before-start-answers", "skip-digest-check"], out var error));
        Assert.Null(error);
        Assert.DoesNotContain("none", ModuleDefects.ByName.Keys);
    }

    [Fact]
    public void NoNames_IsNone()
    {
        Assert.Equal(ChipDefect.None, ChipDefects.Parse([], out var error));
        Assert.Null(error);
    }

    [Fact]
    public void AnUnknownName_IsNamedWithWhatItIsAndTheKnownNames_AndParsesToNone()
    {
        Assert.Equal(ModuleDefect.None, ModuleDefects.Parse(["skip-digest-check", "obey-everyone"], out var error));
        Assert.StartsWith("unknown module defect 'obey-everyone' (known: obey-vendor-ota, download-from-zero,", error, StringComparison.Ordinal);

        Assert.Equal(ChipDefect.None, ChipDefects.Parse(["slow"], out error));
        Assert.StartsWith("unknown chip defect 'slow' (known: pass-through-drops-frames,", error, StringComparison.Ordinal);
    }
}
