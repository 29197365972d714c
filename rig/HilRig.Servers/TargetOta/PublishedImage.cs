using System.Security.Cryptography;
using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;

namespace HilRig.Servers.TargetOta;

/// <summary>An image the target server hands out: the whole file in memory, its digest and its ETag.</summary>
internal sealed record PublishedImage(byte ModelId, FirmwareVersion Version, string FileName, byte[] Bytes, string Sha256, string ETag)
{
    /// <summary>Checks an image of the catalogue (HRIM header, size, body digest) against the model and version it is published as.</summary>
    public static PublishedImage Load(byte modelId, string? version, string name, byte[] bytes)
    {
        if (version is null || !FirmwareVersion.TryParse(version, out var parsed))
        {
            throw new TargetOtaRequestException(TargetOtaRequestException.BadRequest,
                version is null ? "field 'version' is missing: it takes major.minor.patch" : $"field 'version': '{version}' is not major.minor.patch");
        }
        var image = FirmwareImage.TryDecode(bytes, out var error)
            ?? throw new TargetOtaRequestException(TargetOtaRequestException.BadRequest, $"image '{name}' is not a valid image: {error}");
        if (image.Header.ModelId != modelId || image.Header.Version != parsed)
        {
            throw new TargetOtaRequestException(TargetOtaRequestException.BadRequest,
                $"image '{name}' holds model 0x{image.Header.ModelId:X2} version {image.Header.Version}, not model 0x{modelId:X2} version {parsed}");
        }
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return new PublishedImage(modelId, parsed, name, bytes, sha, $"\"{sha[..16]}\"");
    }
}

/// <summary>Published images: the current one per model, and every file published so far by name (a download in flight can finish).</summary>
internal sealed class FirmwareStore
{
    private readonly object _gate = new();
    private readonly Dictionary<byte, PublishedImage> _current = new();
    private readonly Dictionary<string, PublishedImage> _byFileName = new(StringComparer.Ordinal);

    public void Publish(PublishedImage image)
    {
        lock (_gate)
        {
            _current[image.ModelId] = image;
            _byFileName[image.FileName] = image;
        }
    }

    public PublishedImage? Current(byte modelId)
    {
        lock (_gate)
        {
            return _current.GetValueOrDefault(modelId);
        }
    }

    public PublishedImage? ByFileName(string fileName)
    {
        lock (_gate)
        {
            return _byFileName.GetValueOrDefault(fileName);
        }
    }
}
