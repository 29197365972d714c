using System.Text.RegularExpressions;

namespace HilRig.Servers.TargetOta;

/// <summary>
/// The images the rig hands the target server in-process (docs/cloud.md §2.6), by name: the admin API publishes only
/// these, named by <c>image</c>, and never reads a path it is sent. Bytes are copied when offered, so a file changed
/// later does not change what the server publishes.
/// </summary>
public sealed partial class TargetOtaImageCatalog
{
    /// <summary>How many names an error lists before it says "…".</summary>
    private const int NamesListed = 20;

    private readonly object _gate = new();
    private readonly Dictionary<string, byte[]> _images = new(StringComparer.Ordinal);

    /// <summary>Offers an image under <paramref name="name"/> (a plain file name: letters, digits, '.', '_', '-'); a later offer of the name replaces it.</summary>
    public void Add(string name, ReadOnlySpan<byte> bytes)
    {
        if (!IsImageName(name))
        {
            throw new ArgumentException($"'{name}' is not an image name (letters, digits, '.', '_' and '-', at most 100, not starting with '.')", nameof(name));
        }
        lock (_gate)
        {
            _images[name] = bytes.ToArray();
        }
    }

    /// <summary>Offers the file at <paramref name="path"/> (read now) under its file name, which it returns.</summary>
    public string AddFile(string path)
    {
        var name = Path.GetFileName(path);
        Add(name, File.ReadAllBytes(path));
        return name;
    }

    /// <summary>The names offered so far, sorted.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            lock (_gate)
            {
                return _images.Keys.Order(StringComparer.Ordinal).ToList();
            }
        }
    }

    /// <summary>
    /// The bytes of the image named by the request field <paramref name="field"/>; a 400 naming the field when the value
    /// is missing, is a path (it is not repeated: the answer never echoes a path) or names no offered image.
    /// </summary>
    internal (string Name, byte[] Bytes) Resolve(string field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new TargetOtaRequestException(TargetOtaRequestException.BadRequest,
                $"field '{field}' is missing: it names an image the rig gave the server ({Listed()})");
        }
        if (!IsImageName(value))
        {
            throw new TargetOtaRequestException(TargetOtaRequestException.BadRequest,
                $"field '{field}' is not an image name: it takes the name of an image the rig gave the server, never a path ({Listed()})");
        }
        lock (_gate)
        {
            return _images.TryGetValue(value, out var bytes) ? (value, bytes)
                : throw new TargetOtaRequestException(TargetOtaRequestException.BadRequest,
                    $"field '{field}': the server was given no image named '{value}' ({ListedUnlocked()})");
        }
    }

    /// <summary>Whether <paramref name="name"/> is a plain file name: no separator, no "..", no control character, not hidden.</summary>
    public static bool IsImageName(string? name) => name is not null && ImageName().IsMatch(name);

    private string Listed()
    {
        lock (_gate)
        {
            return ListedUnlocked();
        }
    }

    private string ListedUnlocked()
    {
        if (_images.Count == 0)
        {
            return "it was given none";
        }
        var names = _images.Keys.Order(StringComparer.Ordinal).ToList();
        return $"it has: {string.Join(", ", names.Take(NamesListed))}{(names.Count > NamesListed ? ", …" : "")}";
    }

    [GeneratedRegex(@"\A[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ImageName();
}
