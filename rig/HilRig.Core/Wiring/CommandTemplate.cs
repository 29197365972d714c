using System.Text;

namespace HilRig.Core.Wiring;

/// <summary>
/// A command line with <c>{placeholder}</c>s that the bench fills in when it starts an external
/// chip or module program: <c>{upstream}</c>, <c>{downstream0}</c>..<c>{downstreamN}</c> (pty
/// paths), <c>{flash}</c> (the emulated flash file), <c>{model_id}</c> (<c>0x</c> and two upper-case hex digits),
/// <c>{baud}</c> (the upstream link's), <c>{downstream_baud0}</c>..<c>{downstream_baudN}</c> (each downstream link's),
/// <c>{sector_size}</c> and <c>{slot_size}</c> (the flash geometry, in bytes, decimal).
/// <c>{{</c> and <c>}}</c> stand for literal braces.
/// </summary>
public static class CommandTemplate
{
    /// <summary>Placeholder for the pty toward the upstream node.</summary>
    public const string Upstream = "upstream";

    /// <summary>Prefix of the placeholders for the ptys toward downstream nodes, followed by the port index.</summary>
    public const string DownstreamPrefix = "downstream";

    /// <summary>Placeholder for the emulated flash file.</summary>
    public const string Flash = "flash";

    /// <summary>Placeholder for the chip model id, as <c>0x</c> and two upper-case hex digits (<c>0x12</c>).</summary>
    public const string ModelId = "model_id";

    /// <summary>Placeholder for the flash sector size in bytes (decimal).</summary>
    public const string SectorSize = "sector_size";

    /// <summary>Placeholder for the image slot size in bytes (decimal).</summary>
    public const string SlotSize = "slot_size";

    /// <summary>Placeholder for the baud rate of the upstream link.</summary>
    public const string Baud = "baud";

    /// <summary>Prefix of the placeholders for the baud rates of the downstream links, followed by the port index (as <see cref="DownstreamPrefix"/>).</summary>
    public const string DownstreamBaudPrefix = "downstream_baud";

    /// <summary>The placeholder names in the template, in order of appearance.</summary>
    /// <exception cref="FormatException">A brace is not closed or not escaped.</exception>
    public static IReadOnlyList<string> Placeholders(string template)
    {
        var names = new List<string>();
        Walk(template, _ => { }, name => names.Add(name));
        return names;
    }

    /// <summary>Replaces every placeholder with its value.</summary>
    /// <exception cref="FormatException">A placeholder has no value, or a brace is not closed or not escaped.</exception>
    public static string Expand(string template, IReadOnlyDictionary<string, string> values)
    {
        var result = new StringBuilder(template.Length);
        Walk(
            template,
            c => result.Append(c),
            name => result.Append(values.TryGetValue(name, out var value)
                ? value
                : throw new FormatException($"No value for placeholder '{{{name}}}' in '{template}'.")));
        return result.ToString();
    }

    private static void Walk(string template, Action<char> literal, Action<string> placeholder)
    {
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if ((c == '{' || c == '}') && i + 1 < template.Length && template[i + 1] == c)
            {
                literal(c);
                i++;
            }
            else if (c == '{')
            {
                var close = template.IndexOf('}', i + 1);
                if (close < 0)
                {
                    throw new FormatException($"'{{' at position {i + 1} is not closed; write '{{{{' for a literal brace.");
                }

                placeholder(template[(i + 1)..close]);
                i = close;
            }
            else if (c == '}')
            {
                throw new FormatException($"'}}' at position {i + 1} has no opening '{{'; write '}}}}' for a literal brace.");
            }
            else
            {
                literal(c);
            }
        }
    }
}
