using System.Globalization;
using HilRig.Core.Wiring;

namespace HilRig.Service.Runs;

/// <summary>A request that passed <see cref="RunRequestCheck"/>: paths relative to the checkout, inside their folders.</summary>
/// <param name="Features">Feature files or folders under scenarios/, each with its :LINE suffixes.</param>
/// <param name="Tags">Tag expression, or null.</param>
/// <param name="Wiring">Wiring file under wiring/.</param>
/// <param name="Bench">The bench it describes.</param>
public sealed record CheckedRequest(IReadOnlyList<string> Features, string? Tags, string Wiring, BenchWiring Bench);

/// <summary>
/// Checks a run request before anything is queued, and says what is wrong naming the field (features[2], wiring,
/// tags) and paths relative to the checkout: features inside scenarios/, a wiring file inside wiring/ that loads,
/// a file.feature:LINE whose line exists, no control characters, sizes a person would write.
/// </summary>
public static class RunRequestCheck
{
    /// <summary>Most features in one request.</summary>
    public const int MaxFeatures = 200;

    /// <summary>Longest path or tag expression accepted.</summary>
    public const int MaxTextLength = 500;

    /// <summary>The checked request, or the reason it is refused.</summary>
    public static (CheckedRequest? Request, string? Error) Check(RunRequest request, ServeOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        var root = options.RepositoryRoot;
        if (request.Tags is { } tags && TextProblem(tags) is { } tagProblem) return (null, $"tags: {tagProblem}");
        if (request.Tags is { } t && t.TrimStart().StartsWith('-')) return (null, "tags: a tag expression starts with @, not, or (");
        string wiring;
        if (request.Wiring is null)
        {
            wiring = Path.GetRelativePath(root, options.DefaultWiring);
        }
        else
        {
            if (TextProblem(request.Wiring) is { } wiringProblem) return (null, $"wiring: {wiringProblem}");
            if (Path.IsPathRooted(request.Wiring)) return (null, "wiring: an absolute path is not accepted; name a file under wiring/ of the checkout, e.g. wiring/sim-chain.yaml");
            if (CheckoutPaths.Confine(root, "wiring", request.Wiring) is not { } confined
                || !(confined.EndsWith(".yaml", StringComparison.Ordinal) || confined.EndsWith(".yml", StringComparison.Ordinal))
                || !File.Exists(Path.Combine(root, confined)))
            {
                return (null, $"wiring: '{request.Wiring}' is not a wiring file under wiring/ of this checkout");
            }
            wiring = confined;
        }
        BenchWiring bench;
        try
        {
            bench = WiringLoader.Load(Path.Combine(root, wiring));
        }
        catch (Exception ex) when (ex is WiringException or IOException or UnauthorizedAccessException)
        {
            return (null, $"wiring: {Relative(ex.Message, root)}");
        }
        var features = new List<string>();
        var given = request.Features ?? [];
        if (given.Count > MaxFeatures) return (null, string.Create(CultureInfo.InvariantCulture, $"features: {given.Count} entries; at most {MaxFeatures}"));
        for (var i = 0; i < given.Count; i++)
        {
            var field = string.Create(CultureInfo.InvariantCulture, $"features[{i}]");
            var (feature, error) = CheckFeature(given[i], root);
            if (error is not null) return (null, $"{field}: {error}");
            features.Add(feature!);
        }
        return (new CheckedRequest(features, request.Tags, wiring, bench), null);
    }

    private static (string? Feature, string? Error) CheckFeature(string? feature, string root)
    {
        if (feature is null) return (null, "null is not a feature path; give a file or folder under scenarios/, e.g. scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:12");
        if (TextProblem(feature) is { } problem) return (null, problem);
        if (Path.IsPathRooted(feature)) return (null, "an absolute path is not accepted; name a file or folder under scenarios/ of the checkout");
        // file.feature:LINE[:LINE...], as `hilrig run` takes it.
        var file = feature;
        var lines = new List<int>();
        while (file.LastIndexOf(':') is var colon and > 0
               && int.TryParse(file.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var line))
        {
            lines.Insert(0, line);
            file = file[..colon];
        }
        if (CheckoutPaths.Confine(root, "scenarios", file) is not { } confined)
        {
            return (null, $"'{feature}' is not a feature file or folder under scenarios/ of this checkout");
        }
        var full = Path.Combine(root, confined);
        if (File.Exists(full) && !confined.EndsWith(".feature", StringComparison.Ordinal))
        {
            return (null, $"'{feature}' is not a .feature file");
        }
        if (lines.Count > 0)
        {
            if (!File.Exists(full)) return (null, $"'{feature}': a line number needs a .feature file, and {confined} is a folder");
            var count = File.ReadLines(full).Count();
            var bad = lines.FindIndex(l => l < 1 || l > count);
            if (bad >= 0)
            {
                return (null, string.Create(CultureInfo.InvariantCulture, $"'{feature}': line {lines[bad]} is outside {confined}, which has {count} lines"));
            }
        }
        return (confined + string.Concat(lines.Select(l => string.Create(CultureInfo.InvariantCulture, $":{l}"))), null);
    }

    private static string? TextProblem(string text)
    {
        if (text.Length > MaxTextLength) return string.Create(CultureInfo.InvariantCulture, $"{text.Length} characters; at most {MaxTextLength}");
        if (text.Any(char.IsControl)) return "holds a control character";
        if (text.Length == 0) return "is empty";
        return null;
    }

    /// <summary><paramref name="text"/> with the checkout's absolute path taken out, so paths read relative to it.</summary>
    public static string Relative(string text, string root)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(root);
        var full = Path.GetFullPath(root).TrimEnd('/');
        var result = text.Replace(full + "/", "", StringComparison.Ordinal);
        if (CheckoutPaths.RealPath(full) is { } real && real != full) result = result.Replace(real.TrimEnd('/') + "/", "", StringComparison.Ordinal);
        return result.Replace(full, ".", StringComparison.Ordinal);
    }
}
