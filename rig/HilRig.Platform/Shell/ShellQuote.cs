using System.Text;

namespace HilRig.Platform.Shell;

/// <summary>
/// Quotes words for a POSIX shell, so that a command line the rig prints (the "reproduce:" line, the service's
/// reproduce command) runs exactly the words it was built from when pasted: no expansion of <c>$(...)</c>,
/// backquotes, globs or variables, whatever a tag, a path or a name holds.
/// </summary>
public static class ShellQuote
{
    /// <summary>The word as the shell must see it: unchanged when it holds only safe characters, else in single quotes.</summary>
    public static string Word(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (word.Length > 0 && word.All(IsSafe)) return word;
        // Inside single quotes nothing is special but the single quote itself, written as '\''.
        var quoted = new StringBuilder(word.Length + 2).Append('\'');
        foreach (var c in word)
        {
            quoted.Append(c == '\'' ? "'\\''" : c.ToString());
        }
        return quoted.Append('\'').ToString();
    }

    /// <summary>The words joined by spaces, each quoted as <see cref="Word"/> does.</summary>
    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Word));

    private static bool IsSafe(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '.' or '/' or ':' or '=' or ',' or '+' or '@' or '%';
}
