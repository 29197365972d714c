using System.CommandLine;
using HilRig.Core.Bench;
using System.Globalization;
using HilRig.Gherkin;
using HilRig.Gherkin.Execution;
using HilRig.Gherkin.Reporting;
using HilRig.Gherkin.Selection;
using HilRig.Scenarios.StepDefinitions;
using HilRig.Scenarios.Support;

namespace HilRig.Cli.Commands;

/// <summary>`hilrig run`: runs feature files on a bench and writes the reports as it goes.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Feature files or folders, or file.feature:LINE (default: the catalogue, every feature under scenarios/HilRig.Scenarios/).", Arity = ArgumentArity.ZeroOrMore };
        var tags = new Option<string?>("--tags") { Description = "Tag expression, e.g. \"@sim and not @slow\"." };
        var wiring = new Option<string[]>("--wiring") { Description = "Bench for features that do not name one (default wiring/sim-chain.yaml); give it once per bench of a pool to run on several benches at once.", DefaultValueFactory = _ => [RepoPaths.DefaultWiring] };
        var parallel = new Option<int?>("--parallel") { Description = $"Run on N virtual benches made from the --wiring file at once (default: {BenchPool.DefaultVirtualBenches} here, two per core and one more, at most 8; 1 runs one bench, scenario after scenario). The longest scenarios start first (durations from the last run's report)." };
        var output = new Option<string?>("--out") { Description = "Report directory (default: artifacts/run-<time>)." };
        var seed = new Option<int?>("--seed") { Description = "Seed of every random choice (torn flash bits, garbage bytes); a run with the same seed repeats exactly. Default: a new seed, printed." };
        var defects = new Option<string[]>("--defect") { Description = "Start an emulated chip or the module with a firmware defect, as chip2:pass-through-drops-frames or module:obey-vendor-ota (proves the scenarios catch it)." };
        var repeat = new Option<int>("--repeat") { Description = "Run the selection N times (to hunt flaky scenarios): round k uses seed+k-1 and writes its reports to <out>/round-k; a summary of pass counts per scenario follows.", DefaultValueFactory = _ => 1 };
        var benches = new Option<string[]>("--bench") { Description = "NAME=WIRING: features that name bench NAME (Given the bench \"sim-tree\" is powered on) run on WIRING instead, e.g. sim-tree=wiring/double-tree.yaml." };
        var noWait = new Option<bool>("--no-wait") { Description = "Fail at once (exit 2) when another run holds the bench, instead of waiting for it." };
        var retry = new Option<int>("--retry") { Description = "Run a failed scenario again, up to N times (0 to 10), for a hardware night where one flaky run should not fail it: every attempt is in the reports, the scenario's result is its last attempt's." };
        var shard = new Option<string?>("--shard") { Description = "i/n: run only share i of n of the selected scenarios, split by duration so that n machines (a farm of benches) finish together; shards 1/n..n/n run every scenario once (docs/farm.md). Merge their reports with hilrig report merge." };
        var durationsFile = new Option<string?>("--durations") { Description = "A previous run's report (its directory or cucumber-messages.ndjson) whose scenario durations weigh the --shard split; without it each scenario weighs its step count. Give every shard the same file." };
        var steps = new Option<string[]>("--steps") { Description = "A step library of your own: a .dll of Reqnroll [Binding] classes, run beside the catalogue's (give it once per library; docs/steps.md)." };
        var command = new Command("run", "Run scenarios on a bench; writes Cucumber messages NDJSON, JUnit XML and per-scenario timelines and logs.")
        {
            paths, tags, wiring, parallel, output, defects, seed, repeat, noWait, benches, steps, retry, shard, durationsFile,
        };
        command.SetAction(async (result, token) =>
        {
            var root = RepoPaths.Root;
            var wirings = new List<(string Path, Core.Wiring.BenchWiring Wiring)>();
            foreach (var file in result.GetValue(wiring) is { Length: > 0 } named ? named : [RepoPaths.DefaultWiring])
            {
                if (WiringCommands.LoadOrReport(Path.GetFullPath(file)) is not { } loaded) return 2;
                wirings.Add((Path.GetFullPath(file), loaded));
            }
            if (BenchPool.Plan(wirings, result.GetValue(parallel), out var poolError) is not { } pool)
            {
                await Console.Error.WriteLineAsync($"hilrig run: {poolError}");
                return 2;
            }
            var wiringPath = wirings[0].Path;
            if (!TryParseDefects(result.GetValue(defects) ?? [], out var chipDefects, out var defectError))
            {
                await Console.Error.WriteLineAsync($"hilrig run: {defectError}");
                return 2;
            }
            if (chipDefects.Count > 0 && wirings.Select(w => w.Wiring).FirstOrDefault(w => w.Kind == Core.Wiring.BenchKind.Hardware) is { } hardware)
            {
                await Console.Error.WriteLineAsync($"hilrig run: --defect starts an emulated node with a defect, but the nodes of hardware bench '{hardware.Name}' run their own firmware "
                    + "(a bench double takes --defect when it starts: hilrig bench double --defect chip2:...)");
                return 2;
            }
            if (!TryParseBenchOverrides(result.GetValue(benches) ?? [], root, out var benchOverrides, out var overrideError))
            {
                await Console.Error.WriteLineAsync($"hilrig run: {overrideError}");
                return 2;
            }
            var retries = result.GetValue(retry);
            if (retries is < 0 or > 10)
            {
                await Console.Error.WriteLineAsync($"hilrig run: --retry {retries} is outside 0..10");
                return 2;
            }
            if (!TryResolveStepAssemblies(result.GetValue(steps) ?? [], out var stepAssemblies, out var stepsError))
            {
                await Console.Error.WriteLineAsync($"hilrig run: {stepsError}");
                return 2;
            }
            // A bench without its adapters fails here, once, naming the device and the wiring line, not in every scenario.
            var benchesToCheck = wirings.Select(w => w.Wiring).ToList();
            foreach (var path in benchOverrides.Values)
            {
                if (WiringCommands.LoadOrReport(path) is not { } overridden) return 2;
                benchesToCheck.Add(overridden);
            }
            foreach (var checkedWiring in benchesToCheck)
            {
                if (BenchFactory.Preflight(checkedWiring) is { } missing)
                {
                    await Console.Error.WriteLineAsync($"hilrig run: {missing}");
                    return 2;
                }
            }
            var outDir = Path.GetFullPath(result.GetValue(output)
                ?? Path.Combine(root, "artifacts", "run-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));
            var selected = result.GetValue(paths) is { Length: > 0 } given
                ? given.Select(p => Path.GetRelativePath(root, Path.GetFullPath(p))).ToArray()
                : [RigSettings.Catalogue];
            var rounds = result.GetValue(repeat);
            if (rounds is < 1 or > 1000)
            {
                await Console.Error.WriteLineAsync($"hilrig run: --repeat {rounds} is outside 1..1000");
                return 2;
            }
            if (!TryParseShard(result.GetValue(shard), result.GetValue(durationsFile), out var shardPlan, out var shardError))
            {
                await Console.Error.WriteLineAsync($"hilrig run: {shardError}");
                return 2;
            }
            var selection = new PickleSelection { Paths = selected, TagExpression = result.GetValue(tags), Shard = shardPlan };
            // A selection that names a missing file, a file that does not parse or a line with no scenario runs nothing:
            // one message per problem, before the bench is locked or started. (A broken file in a named folder is
            // reported by the run, and the folder's other features run.)
            if (await SelectionProblemsAsync(root, selection) is not { } selectedCount)
            {
                return 2;
            }
            // One scenario needs one bench: the run is then the plain one (its lock, its reports straight in OUT).
            if (selectedCount <= 1) pool = [pool[0]];
            // One run per bench at a time, across processes (hilrig serve takes the same lock): each bench of the pool its own.
            var locks = new List<BenchLock>();
            using var heldLocks = new LockSet(locks);
            foreach (var bench in pool)
            {
                if (await AcquireLockAsync(bench.Name, result.GetValue(noWait), token) is not { } taken) return 2;
                locks.Add(taken);
            }
            var firstSeed = result.GetValue(seed) ?? Random.Shared.Next(1, 1_000_000);
            var settings = RigSettings.ForRepository(root, wiringPath) with { ChipDefects = chipDefects, BenchOverrides = benchOverrides, StepAssemblies = stepAssemblies };
            // Durations of the last run (before this one writes its own) put the longest scenarios first on a pool.
            // (A shard's --durations file, when given, orders its benches too.)
            var durations = shardPlan is { Durations.Count: > 0 } ? shardPlan.Durations
                : pool.Count > 1 && ReportDurations.NewestRunReport(Path.Combine(root, "artifacts")) is { } last
                ? ReportDurations.FromNdjson(last) : new Dictionary<string, TimeSpan>();
            Task<(int Code, IReadOnlyList<PickleResult> Pickles)> Round(RigSettings round, string roundDir) => pool.Count > 1
                ? ParallelRound.RunAsync(round, pool, roundDir, selection, retries, durations, token)
                : RunRoundAsync(round, roundDir, selection, retries, token);
            if (rounds == 1)
            {
                return (await Round(settings with { Seed = firstSeed }, outDir)).Code;
            }
            var passes = new Dictionary<string, (string Name, int Passed)>(StringComparer.Ordinal);
            var worst = 0;
            for (var round = 1; round <= rounds; round++)
            {
                Console.WriteLine($"hilrig run: round {round} of {rounds}");
                var (code, pickles) = await Round(settings with { Seed = firstSeed + round - 1 }, Path.Combine(outDir, $"round-{round}"));
                worst = Math.Max(worst, code);
                if (code == 2) break;
                foreach (var pickle in pickles)
                {
                    var before = passes.GetValueOrDefault(pickle.Id, (pickle.Pickle.NameWithExamples, 0));
                    passes[pickle.Id] = (before.Item1, before.Item2 + (pickle.Passed ? 1 : 0));
                }
            }
            Console.WriteLine($"hilrig run: {rounds} rounds, seeds {firstSeed}..{firstSeed + rounds - 1}; passes per scenario:");
            foreach (var (id, (name, passed)) in passes.OrderBy(p => p.Value.Passed).ThenBy(p => p.Key, StringComparer.Ordinal))
            {
                Console.WriteLine($"  {passed}/{rounds}  {(passed == rounds ? "stable" : passed == 0 ? "FAILS " : "FLAKY ")}  {name} [{id}]");
            }
            return worst;
        });
        return command;
    }

    /// <summary>One round: the selection on the bench of <paramref name="round"/> (its seed), its reports in <paramref name="outDir"/>.</summary>
    private static async Task<(int Code, IReadOnlyList<PickleResult> Pickles)> RunRoundAsync(RigSettings round, string outDir, PickleSelection selection, int retries, CancellationToken token)
    {
        {
            var settings = round with { ArtifactsRoot = Path.Combine(outDir, "scenarios") };
            var root = settings.RepositoryRoot;
            Console.WriteLine($"hilrig run: bench {Path.GetRelativePath(root, settings.WiringPath)}, seed {settings.Seed}, reports in {outDir}");
            using var reports = ReportFiles.Open(outDir);
            await using var runner = new GherkinRunner([typeof(BenchSteps).Assembly]);
            RunResult run;
            try
            {
                run = await runner.RunAsync(selection, new RunOptions
                {
                    BaseDirectory = root,
                    Listeners = [.. reports.Listeners, new ConsoleProgressListener(Console.Out)],
                    ConfigureServices = services => services.RegisterInstanceAs(settings),
                    StepAssemblies = settings.StepAssemblies,
                    Retry = retries,
                }, token);
            }
            catch (GherkinException ex)
            {
                await Console.Error.WriteLineAsync($"hilrig run: {ex.Message}");
                return (2, []);
            }
            foreach (var error in run.Errors)
            {
                await Console.Error.WriteLineAsync($"hilrig run: {error}");
            }
            Console.WriteLine($"reports: {reports.NdjsonPath}, {reports.JUnitPath}, {reports.HtmlPath}");
            foreach (var failed in run.Pickles.Where(p => !p.Passed))
            {
                Console.WriteLine($"reproduce: {settings.ReproduceCommand(failed.Id)}");
            }
            if (run.Pickles.Count == 0 && run.Errors.Count == 0 && selection.Shard is { } emptyShard)
            {
                // More shards than scenarios: an empty share is not an error, or a farm's spare runner would fail the night.
                Console.WriteLine($"hilrig run: shard {emptyShard} holds no scenario of this selection");
                return (0, []);
            }
            if (run.Pickles.Count == 0 && run.Errors.Count == 0)
            {
                await Console.Error.WriteLineAsync("hilrig run: no scenario matched the paths and tags given");
                return (2, []);
            }
            return (run.Success ? 0 : 1, run.Pickles);
        }
    }

    /// <summary>The lock of <paramref name="bench"/>, waiting for it unless <paramref name="noWait"/>; null (after one message) when it cannot be had.</summary>
    private static async Task<BenchLock?> AcquireLockAsync(string bench, bool noWait, CancellationToken token)
    {
        BenchLock? benchLock;
        try
        {
            benchLock = noWait
                ? BenchLock.TryAcquire(bench, "hilrig run")
                : await BenchLock.AcquireAsync(bench, "hilrig run",
                    holder => Console.WriteLine($"hilrig run: bench '{bench}' is in use by {holder}; waiting for it (--no-wait fails instead)"), token);
        }
        catch (IOException ex)
        {
            await Console.Error.WriteLineAsync($"hilrig run: the lock of bench '{bench}': {ex.Message}");
            return null;
        }
        if (benchLock is null)
        {
            await Console.Error.WriteLineAsync($"hilrig run: bench '{bench}' is in use by {BenchLock.Holder(bench)}");
        }
        return benchLock;
    }

    /// <summary>The locks of a run's benches, released together.</summary>
    private sealed class LockSet(IReadOnlyList<BenchLock> locks) : IDisposable
    {
        public void Dispose()
        {
            foreach (var held in locks) held.Dispose();
        }
    }

    /// <summary>How many pickles the selection holds; null (after one message per problem) when it names something wrong.</summary>
    private static async Task<int?> SelectionProblemsAsync(string root, PickleSelection selection)
    {
        ResolvedSelection resolved;
        try
        {
            resolved = selection.Resolve(root);
        }
        catch (GherkinException ex)
        {
            await Console.Error.WriteLineAsync($"hilrig run: {ex.Message}");
            return null;
        }
        // A feature that does not parse inside a named folder does not stop the others: the run reports it.
        foreach (var error in resolved.NamedErrors)
        {
            await Console.Error.WriteLineAsync($"hilrig run: {error}");
        }
        if (resolved.NamedErrors.Count == 0 && selection.Shard is { } shard)
        {
            Console.WriteLine($"hilrig run: shard {shard}: {resolved.Pickles.Count} of the {resolved.Unsharded} selected scenarios"
                + (shard.Durations.Count > 0 ? $" (split by the durations of {shard.Durations.Count} scenarios)" : " (split by step counts)"));
        }
        return resolved.NamedErrors.Count > 0 ? null : resolved.Pickles.Count;
    }

    /// <summary>--shard i/n and --durations as a plan; false with one message naming what is wrong.</summary>
    private static bool TryParseShard(string? shard, string? durations, out ShardPlan? plan, out string error)
    {
        plan = null;
        error = "";
        if (shard is null)
        {
            if (durations is not null)
            {
                error = "--durations weighs the --shard split; give --shard i/n with it";
                return false;
            }
            return true;
        }
        if (!ShardPlan.TryParse(shard, out var index, out var count, out var reason))
        {
            error = $"--shard {reason}";
            return false;
        }
        IReadOnlyDictionary<string, TimeSpan>? known = null;
        if (durations is not null)
        {
            var messages = Directory.Exists(durations) ? Path.Combine(durations, "cucumber-messages.ndjson") : durations;
            if (!File.Exists(messages))
            {
                error = $"--durations {durations}: no such report (give a run's report directory or its cucumber-messages.ndjson)";
                return false;
            }
            known = ReportDurations.FromNdjson(messages);
        }
        plan = ShardPlan.Of(index, count, known);
        return true;
    }

    private static bool TryParseBenchOverrides(string[] values, string root, out IReadOnlyDictionary<string, string> overrides, out string? error)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        overrides = map;
        foreach (var value in values)
        {
            var parts = value.Split('=', 2);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                error = $"--bench '{value}' is not NAME=WIRING (for example sim-tree=wiring/double-tree.yaml)";
                return false;
            }
            var path = Path.GetFullPath(parts[1], root);
            if (!File.Exists(path))
            {
                error = $"--bench '{value}': wiring file {parts[1]} does not exist";
                return false;
            }
            map[parts[0]] = path;
        }
        error = null;
        return true;
    }

    /// <summary>The step libraries of --steps as full paths; false with one message naming the first that is not a .dll file.</summary>
    private static bool TryResolveStepAssemblies(string[] given, out IReadOnlyList<string> paths, out string error)
    {
        var found = new List<string>();
        paths = found;
        error = "";
        foreach (var path in given)
        {
            var full = Path.GetFullPath(path);
            if (!File.Exists(full))
            {
                error = $"--steps {path}: no such file (build the step library first: dotnet build)";
                return false;
            }
            if (!full.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            {
                error = $"--steps {path}: not a .dll (give the step library's built assembly, e.g. bin/Debug/net10.0/MySteps.dll)";
                return false;
            }
            found.Add(full);
        }
        return true;
    }

    private static bool TryParseDefects(string[] values, out IReadOnlyDictionary<string, IReadOnlyList<string>> defects, out string? error)
    {
        var map = new Dictionary<string, List<string>>();
        foreach (var value in values)
        {
            var parts = value.Split(':', 2);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                defects = new Dictionary<string, IReadOnlyList<string>>();
                error = $"--defect '{value}' is not node:defect (for example chip2:pass-through-drops-frames or module:obey-vendor-ota)";
                return false;
            }
            var known = parts[0] == Core.Wiring.ModuleWiring.Name ? HilRig.Bench.Module.ModuleDefects.ByName.Keys : HilRig.Bench.Chip.ChipDefects.ByName.Keys;
            if (!known.Contains(parts[1]))
            {
                defects = new Dictionary<string, IReadOnlyList<string>>();
                error = $"--defect '{value}': unknown {(parts[0] == Core.Wiring.ModuleWiring.Name ? "module" : "chip")} defect '{parts[1]}' (known: {string.Join(", ", known)})";
                return false;
            }
            if (!map.TryGetValue(parts[0], out var list)) map[parts[0]] = list = new List<string>();
            list.Add(parts[1]);
        }
        defects = map.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value);
        error = null;
        return true;
    }
}
