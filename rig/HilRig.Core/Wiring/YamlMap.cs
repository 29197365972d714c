using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HilRig.Core.Wiring;

/// <summary>
/// Typed, position-aware access to one YAML mapping of a wiring file. Every problem is added to the
/// error list with the position of the offending node and the mapping's context prefix
/// (e.g. <c>chip 'chip1': </c>); the getters then return null and parsing carries on.
/// </summary>
internal sealed class YamlMap
{
    private static readonly HashSet<string> NullScalars = ["", "~", "null", "Null", "NULL"];

    private readonly Dictionary<string, (YamlScalarNode Key, YamlNode Value)> entries = new(StringComparer.Ordinal);
    private readonly WiringErrorList errors;

    private YamlMap(YamlMappingNode node, string context, WiringErrorList errors)
    {
        Node = node;
        Context = context;
        this.errors = errors;
        foreach (var (key, value) in node.Children)
        {
            if (key is YamlScalarNode { Value: { } name } scalar)
            {
                entries[name] = (scalar, value);
            }
            else
            {
                errors.Add(key, $"{context}keys must be plain words");
            }
        }
    }

    public YamlMappingNode Node { get; }

    /// <summary>Prefix of every error about this mapping, ending in ": " (or empty at the top level).</summary>
    public string Context { get; set; }

    public Mark Start => Node.Start;

    /// <summary>Returns the mapping, or adds an error and returns null when the node is something else.</summary>
    public static YamlMap? From(YamlNode node, string context, string what, WiringErrorList errors)
    {
        if (node is YamlMappingNode mapping)
        {
            return new YamlMap(mapping, context, errors);
        }

        errors.Add(node, $"{context}{what}");
        return null;
    }

    public static bool IsNull(YamlNode? node) =>
        node is null || node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: var v } && NullScalars.Contains(v ?? "");

    public void Error(YamlNode node, string rule) => errors.Add(node, Context + rule);

    public void Error(Mark mark, string rule) => errors.Add(mark, Context + rule);

    /// <summary>Reports every key not in <paramref name="allowed"/>, suggesting the closest allowed key.</summary>
    public void RejectUnknownKeys(params string[] allowed)
    {
        foreach (var (name, (key, _)) in entries)
        {
            if (allowed.Contains(name))
            {
                continue;
            }

            var suggestion = allowed
                .Select(a => (Key: a, Distance: EditDistance(name, a)))
                .Where(s => s.Distance <= Math.Max(2, name.Length / 3))
                .OrderBy(s => s.Distance)
                .Select(s => $"; did you mean '{s.Key}'?")
                .FirstOrDefault() ?? "";
            Error(key, $"unknown key '{name}'{suggestion} (allowed keys: {string.Join(", ", allowed)})");
        }
    }

    public bool Has(string key) => !IsNull(Get(key));

    /// <summary>The value node, or null when the key is absent or its value is YAML null.</summary>
    public YamlNode? Get(string key) =>
        entries.TryGetValue(key, out var entry) && !IsNull(entry.Value) ? entry.Value : null;

    public YamlNode? Require(string key)
    {
        var node = Get(key);
        if (node is null)
        {
            if (entries.TryGetValue(key, out var entry))
            {
                Error(entry.Value.Start, $"'{key}' needs a value");
            }
            else
            {
                Error(Start, $"missing required key '{key}'");
            }
        }

        return node;
    }

    public string? String(string key, bool required = false)
    {
        var node = required ? Require(key) : Get(key);
        return node is null ? null : ScalarText(node, key, "a text value");
    }

    public long? Integer(string key, long min, long max, string range, bool required = false)
    {
        var node = required ? Require(key) : Get(key);
        if (node is null || ScalarText(node, key, $"an integer {range}") is not { } text)
        {
            return null;
        }

        if (TryParseInteger(text, out var value) && value >= min && value <= max)
        {
            return value;
        }

        Error(node, $"'{key}' must be an integer {range}, got '{text}'");
        return null;
    }

    public double? Number(string key, string range, Func<double, bool> isValid, bool required = false)
    {
        var node = required ? Require(key) : Get(key);
        if (node is null || ScalarText(node, key, $"a number {range}") is not { } text)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && isValid(value))
        {
            return value;
        }

        Error(node, $"'{key}' must be a number {range}, got '{text}'");
        return null;
    }

    public bool? Bool(string key, bool required = false)
    {
        var node = required ? Require(key) : Get(key);
        if (node is null || ScalarText(node, key, "true or false") is not { } text)
        {
            return null;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        Error(node, $"'{key}' must be true or false, got '{text}'");
        return null;
    }

    /// <summary>One of the given words; the index into <paramref name="choices"/>.</summary>
    public int? Choice(string key, string[] choices, bool required = false)
    {
        var node = required ? Require(key) : Get(key);
        if (node is null || ScalarText(node, key, $"one of {string.Join(", ", choices)}") is not { } text)
        {
            return null;
        }

        var index = Array.IndexOf(choices, text);
        if (index >= 0)
        {
            return index;
        }

        Error(node, $"'{key}' must be one of {string.Join(", ", choices)}, got '{text}'");
        return null;
    }

    public YamlSequenceNode? Sequence(string key, string what, bool required = false)
    {
        var node = required ? Require(key) : Get(key);
        switch (node)
        {
            case null:
                return null;
            case YamlSequenceNode sequence:
                return sequence;
            default:
                Error(node, $"'{key}' must be {what}");
                return null;
        }
    }

    /// <summary>Parses decimal or 0x-prefixed hexadecimal integers.</summary>
    public static bool TryParseInteger(string text, out long value)
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return long.TryParse(trimmed.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }

        return long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    private string? ScalarText(YamlNode node, string key, string what)
    {
        if (node is YamlScalarNode { Value: { } text })
        {
            return text;
        }

        Error(node, $"'{key}' must be {what}, not a {(node is YamlSequenceNode ? "list" : "mapping")}");
        return null;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
