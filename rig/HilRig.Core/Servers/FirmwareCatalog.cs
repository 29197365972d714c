using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;

namespace HilRig.Core.Servers;

/// <summary>One image file the server side holds.</summary>
public sealed record CatalogImage(string Path, ImageHeader Header);

/// <summary>
/// The firmware the server side can hand out: every valid *.hrim image in a directory, found by model id
/// and version from its header (file names are not trusted).
/// </summary>
public sealed class FirmwareCatalog
{
    private readonly List<CatalogImage> _images = new();

    /// <summary>Reads the headers of every image under <paramref name="directory"/>; invalid files are listed in <see cref="Problems"/>.</summary>
    public FirmwareCatalog(string directory)
    {
        Directory = directory;
        if (!System.IO.Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"firmware directory {directory} does not exist");
        }
        foreach (var path in System.IO.Directory.EnumerateFiles(directory, "*.hrim").Order(StringComparer.Ordinal))
        {
            var image = FirmwareImage.TryDecode(File.ReadAllBytes(path), out var error);
            if (image is null)
            {
                Problems.Add($"{path}: {error}");
                continue;
            }
            _images.Add(new CatalogImage(path, image.Header));
        }
    }

    /// <summary>Where the images are.</summary>
    public string Directory { get; }

    /// <summary>Files that are not valid images, with the reason.</summary>
    public List<string> Problems { get; } = new();

    /// <summary>The image for a chip model and version; throws naming what is available when there is none.</summary>
    public CatalogImage Find(byte modelId, FirmwareVersion version) =>
        _images.FirstOrDefault(i => i.Header.ModelId == modelId && i.Header.Version == version)
        ?? throw new FileNotFoundException(
            $"no image for chip 0x{modelId:X2} version {version} in {Directory} (it has: {string.Join(", ", _images.Where(i => i.Header.ModelId == modelId).Select(i => i.Header.Version.ToString()).DefaultIfEmpty("none"))})");
}
