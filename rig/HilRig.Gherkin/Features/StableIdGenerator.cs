using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Gherkin.CucumberMessages;

namespace HilRig.Gherkin.Features;

/// <summary>
/// Ids for one feature file's AST nodes and pickles that depend only on the file's URI and text: the same file gives
/// the same ids in every process, so the message streams of benches and shards that ran parts of one catalogue agree
/// on its pickles and merge into one (<see cref="Reporting.CucumberMessagesMerge"/>), and a pickle's id finds its
/// duration in an earlier run's report. Different files (or versions of a file) never share a prefix in practice
/// (the first 64 bits of a SHA-256).
/// </summary>
internal sealed class StableIdGenerator(string uri, string source) : IIdGenerator
{
    private readonly string _prefix = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(uri + "\n" + source)))[..16];
    private int _next;

    /// <inheritdoc />
    public string GetNewId() => _prefix + "-" + (_next++).ToString(CultureInfo.InvariantCulture);
}
