using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;
using HilRig.Protocol.Tests.Support;

namespace HilRig.Protocol.Tests.Images;

public sealed class SampleImagesTests
{
    private static readonly string ImagesFolder = Path.Combine(TestRepository.Root, "firmware-images", "images");

    [Fact]
    public void Build_GivesSameBytes_When_CalledTwice()
    {
        var first = SampleImages.Build(0x12, new(1, 1, 0), 5000).Encode();
        var second = SampleImages.Build(0x12, new(1, 1, 0), 5000).Encode();

        Assert.Equal(first, second);
    }

    [Fact]
    public void Build_GivesDifferentBodies_When_ModelOrVersionDiffers()
    {
        var a = SampleImages.Build(0x12, new(1, 1, 0), 256).Body;

        Assert.NotEqual(a, SampleImages.Build(0x13, new(1, 1, 0), 256).Body);
        Assert.NotEqual(a, SampleImages.Build(0x12, new(1, 0, 0), 256).Body);
    }

    [Fact]
    public void CommittedSamples_AreByteIdenticalToBuild_When_Compared()
    {
        var failures = new List<string>();
        foreach (var (model, version, bodySize) in SampleImages.All())
        {
            var path = Path.Combine(ImagesFolder, SampleImages.FileName(model, version));
            var expected = SampleImages.Build(model, version, bodySize).Encode();
            if (!File.Exists(path))
            {
                failures.Add($"{path} is missing");
            }
            else if (!File.ReadAllBytes(path).AsSpan().SequenceEqual(expected))
            {
                failures.Add($"{path} differs from SampleImages.Build; regenerate with HilRig.ImageTool samples");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void CommittedFolder_HoldsOnlyKnownSamples_When_Listed()
    {
        var expected = SampleImages.All().Select(s => SampleImages.FileName(s.ModelId, s.Version)).Order(StringComparer.Ordinal);
        var actual = Directory.EnumerateFiles(ImagesFolder, "*.hrim").Select(Path.GetFileName).Order(StringComparer.Ordinal);

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void SampleBodySize_EndsInsideASector_When_ModelIsASample()
    {
        Assert.All(SampleImages.SampleModelIds, m => Assert.NotEqual(0, (64 + SampleImages.SampleBodySizeBytes(m)) % 4096));
    }

    [Fact]
    public void FileName_FollowsPattern_When_Called()
    {
        Assert.Equal("chip-2a-v1.10.3.hrim", SampleImages.FileName(0x2A, new FirmwareVersion(1, 10, 3)));
    }
}
