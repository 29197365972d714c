using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HilRig.Core.Wiring;

/// <summary>
/// Reads wiring files (wiring/*.yaml). Every rule a file breaks is reported, each with its file,
/// line and column, in one <see cref="WiringException"/>.
/// </summary>
public static class WiringLoader
{
    /// <summary>Reads and checks the wiring file at <paramref name="path"/>.</summary>
    /// <param name="path">The file; also used, as given, in error messages.</param>
    /// <param name="options">Load options; <see cref="WiringLoadOptions.Default"/> when null.</param>
    /// <exception cref="WiringException">The file is missing, unreadable or breaks a rule.</exception>
    public static BenchWiring Load(string path, WiringLoadOptions? options = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new WiringException([new WiringError(path, 0, 0, $"wiring file not found (looked for {Path.GetFullPath(path)})")]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WiringException([new WiringError(path, 0, 0, $"wiring file cannot be read: {e.Message}")]);
        }

        return Parse(text, path, options);
    }

    /// <summary>Parses and checks wiring YAML.</summary>
    /// <param name="yamlText">The file contents.</param>
    /// <param name="sourcePath">
    /// The file the text came from: named in error messages, and its directory is the base of
    /// relative paths such as <c>factory_image</c>.
    /// </param>
    /// <param name="options">Load options; <see cref="WiringLoadOptions.Default"/> when null.</param>
    /// <exception cref="WiringException">The text breaks a rule.</exception>
    public static BenchWiring Parse(string yamlText, string sourcePath, WiringLoadOptions? options = null)
    {
        var errors = new WiringErrorList(sourcePath);
        var root = ReadDocument(yamlText, errors);
        errors.ThrowIfAny();

        var bench = new WiringParser(sourcePath, options ?? WiringLoadOptions.Default, errors).Parse(root!);
        new WiringValidator(bench, errors).Validate();
        errors.ThrowIfAny();

        return new BenchWiring(
            bench.Name,
            bench.Kind!.Value,
            sourcePath,
            bench.Module,
            bench.Chips.Select(c => c.Chip).ToList(),
            bench.Links.Select(l => l.Link).ToList(),
            bench.DefaultOrder?.Select(e => e.Name).ToList())
        {
            Network = bench.Network,
        };
    }

    private static YamlNode? ReadDocument(string yamlText, WiringErrorList errors)
    {
        if (!YamlSyntaxCheck.Passes(yamlText, errors))
        {
            return null;
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yamlText));
        }
        catch (YamlException e)
        {
            // What the parser accepts but the document model refuses, such as a duplicate key.
            errors.Add(e.Start, $"YAML error: {YamlSyntaxCheck.WithoutPosition(e)}");
            return null;
        }

        if (stream.Documents.Count == 0 || YamlMap.IsNull(stream.Documents[0].RootNode))
        {
            errors.Add(new Mark(0, 1, 1), "the file is empty; a wiring file is a mapping with keys bench, kind, module, chips, links");
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            errors.Add(stream.Documents[1].RootNode, "a wiring file holds one YAML document; remove the '---' and what follows or split the file");
            return null;
        }

        return stream.Documents[0].RootNode;
    }
}
