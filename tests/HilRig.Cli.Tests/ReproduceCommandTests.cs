using System.Diagnostics;
using HilRig.Scenarios.Support;
using Xunit;

namespace HilRig.Cli.Tests;

public sealed class ReproduceCommandTests
{
    [Fact]
    public async Task ReproduceLine_PastedIntoSh_RunsNothing_AndYieldsTheSameWords()
    {
        var root = Directory.CreateTempSubdirectory("hilrig-repro-").FullName;
        try
        {
            var marker = Path.Combine(root, "pwned");
            var hostile = $"$(touch {marker})`touch {marker}`";
            var pickleId = $"scenarios/it's \"{hostile}\"; touch {marker}/x.feature:12";
            var defect = $"'{hostile}";
            var benchName = $"sim-tree\"; touch {marker}; echo \"";
            var settings = new RigSettings(root, Path.Combine(root, "wiring", $"a {hostile}.yaml"), Path.Combine(root, "artifacts")) with
            {
                Seed = 42,
                ChipDefects = new Dictionary<string, IReadOnlyList<string>> { ["chip2"] = [defect] },
                BenchOverrides = new Dictionary<string, string> { [benchName] = Path.Combine(root, "wiring", "b'c.yaml") },
            };

            var line = settings.ReproduceCommand(pickleId);
            var words = await WordsAsShSeesThemAsync(line, root);

            Assert.Equal(["dotnet", "run", "--project", "rig/HilRig.Cli", "--", "run", pickleId, "--wiring", $"wiring/a {hostile}.yaml", "--seed", "42",
                "--defect", $"chip2:{defect}", "--bench", $"{benchName}=wiring/b'c.yaml"], words);
            Assert.False(File.Exists(marker), $"pasting the reproduce line ran a command: {line}");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void ReproduceLine_LeavesPlainWordsUnquoted()
    {
        var settings = new RigSettings("/repo", "/repo/wiring/sim-chain.yaml", "/repo/artifacts") with { Seed = 7 };

        Assert.Equal("dotnet run --project rig/HilRig.Cli -- run scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:17 --wiring wiring/sim-chain.yaml --seed 7",
            settings.ReproduceCommand("scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:17"));
    }

    /// <summary>Hands the line to /bin/sh as a user pasting it would, with printf in front so it prints its words instead of running dotnet.</summary>
    private static async Task<IReadOnlyList<string>> WordsAsShSeesThemAsync(string line, string workingDirectory)
    {
        var info = new ProcessStartInfo("/bin/sh") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("printf '%s\\0' " + line);
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"sh failed ({process.ExitCode}): {error}");
        return output.Split('\0')[..^1];
    }
}
