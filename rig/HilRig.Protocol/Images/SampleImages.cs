using HilRig.Protocol.Messages;

namespace HilRig.Protocol.Images;

/// <summary>
/// Deterministic sample firmware for the emulated chips: the body is a fixed pseudo-random sequence
/// seeded by model id and version, so the same inputs always give the same bytes and digest.
/// </summary>
public static class SampleImages
{
    /// <summary>Model ids of the sample benches (wiring/sim-chain.yaml and wiring/sim-tree.yaml).</summary>
    public static IReadOnlyList<byte> SampleModelIds { get; } = [0x11, 0x12, 0x13, 0x21, 0x22, 0x23];

    /// <summary>Versions built for every sample model: the factory one and the upgrade.</summary>
    public static IReadOnlyList<FirmwareVersion> SampleVersions { get; } = [new(1, 0, 0), new(1, 1, 0)];

    /// <summary>
    /// Body size of a sample: 12 KiB plus a model-dependent tail, so images end inside a sector and the
    /// final partial sector is exercised.
    /// </summary>
    public static int SampleBodySizeBytes(byte modelId) => 12 * 1024 + modelId * 37;

    /// <summary>Builds one image.</summary>
    public static FirmwareImage Build(byte modelId, FirmwareVersion version, int bodySizeBytes)
    {
        var body = new byte[bodySizeBytes];
        var state = 0x9E3779B97F4A7C15UL ^ ((ulong)modelId << 40) ^ ((ulong)version.Major << 24) ^ ((ulong)version.Minor << 16) ^ version.Patch;
        for (var i = 0; i < body.Length; i++)
        {
            // xorshift64*: tiny, portable, reproducible in any language.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            body[i] = (byte)((state * 0x2545F4914F6CDD1DUL) >> 56);
        }
        return FirmwareImage.Create(modelId, version, body);
    }

    /// <summary>The file name the samples use: chip-MM-vX.Y.Z.hrim (module-01-vX.Y.Z.hrim for the WiFi module).</summary>
    public static string FileName(byte modelId, FirmwareVersion version) =>
        modelId == ModuleModelId ? $"module-{modelId:x2}-v{version}.hrim" : $"chip-{modelId:x2}-v{version}.hrim";

    /// <summary>Model id of the emulated WiFi module's own firmware (docs/cloud.md §2.2).</summary>
    public const byte ModuleModelId = Cloud.OtaInstruction.ModuleModelId;

    /// <summary>Versions built for the WiFi module: the factory one and the upgrade.</summary>
    public static IReadOnlyList<FirmwareVersion> ModuleVersions { get; } = [new(2, 0, 0), new(2, 1, 0)];

    /// <summary>Body size of the module samples: 64 KiB and a tail, large enough to cut a download in the middle.</summary>
    public const int ModuleBodySizeBytes = 64 * 1024 + 1000;

    /// <summary>Every committed sample: model id, version and body size.</summary>
    public static IEnumerable<(byte ModelId, FirmwareVersion Version, int BodySizeBytes)> All() =>
        SampleModelIds.SelectMany(m => SampleVersions.Select(v => (m, v, SampleBodySizeBytes(m))))
            .Concat(ModuleVersions.Select(v => (ModuleModelId, v, ModuleBodySizeBytes)));
}
