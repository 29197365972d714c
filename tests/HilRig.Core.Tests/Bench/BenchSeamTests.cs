using System.Text.RegularExpressions;
using Xunit;

namespace HilRig.Core.Tests.Bench;

/// <summary>
/// Nothing above the bench seam names a bench kind: scenarios, drivers, faults, verification, sweeps, the service and
/// the CLI's run take <c>IBench</c> from <c>BenchFactory</c>. Only the bench folder itself (the two kinds, the factory)
/// and the benchmarks that build a virtual bench on purpose may name them.
/// </summary>
public sealed partial class BenchSeamTests
{
    private static readonly string[] Allowed =
    [
        "rig/HilRig.Core/Bench/VirtualBench.cs",
        "rig/HilRig.Core/Bench/HardwareBench.cs",
        "rig/HilRig.Core/Bench/BenchFactory.cs",
    ];

    [GeneratedRegex(@"\b(VirtualBench|HardwareBench)\b(?!Contract|Tests|Check)")]
    private static partial Regex BenchKindName();

    [Fact]
    public void No_source_above_the_seam_names_a_bench_kind()
    {
        var root = BenchContractRoot();
        var offenders = new List<string>();
        foreach (var folder in new[] { "rig", "scenarios" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
                if (relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal) || Allowed.Contains(relative)) continue;
                var lines = File.ReadAllLines(file);
                for (var i = 0; i < lines.Length; i++)
                {
                    var code = lines[i].TrimStart();
                    if (code.StartsWith("//", StringComparison.Ordinal) || code.StartsWith("///", StringComparison.Ordinal)) continue;
                    if (BenchKindName().IsMatch(code)) offenders.Add($"{relative}:{i + 1}: {code}");
                }
            }
        }
        Assert.True(offenders.Count == 0, "above the bench seam, use IBench and BenchFactory:" + Environment.NewLine + string.Join(Environment.NewLine, offenders));
    }

    private static string BenchContractRoot() => TestRepository.Root;
}
