using System.Diagnostics;
using System.Runtime.InteropServices;
using HilRig.Cli;
using HilRig.Gherkin.Execution;
using HilRig.Scenarios.StepDefinitions;

namespace HilRig.Scenarios.Tests;

/// <summary>
/// A bench double (`hilrig bench double wiring/NAME.yaml`) started as a process of its own, as an operator starts
/// it beside the rig, and stopped with SIGTERM at the end; plus a Gherkin runner whose run's bench is that wiring file.
/// </summary>
public abstract partial class BenchDoubleProcess : IAsyncLifetime
{
    private readonly string _bench;
    private readonly string? _copyOf;
    private readonly IReadOnlyDictionary<string, string> _benchOverrides;
    private Process? _process;
    private GherkinRunner? _runner;

    protected BenchDoubleProcess(string bench, IReadOnlyDictionary<string, string>? benchOverrides = null, string? copyOf = null)
    {
        _bench = bench;
        _copyOf = copyOf;
        _benchOverrides = benchOverrides ?? new Dictionary<string, string>();
    }

    /// <summary>
    /// The wiring file the double stands for: the committed wiring/NAME.yaml, or for a second double of the same bench (a pool
    /// of two, as a farm has two Pis wired alike) a copy written under artifacts/double/ with its own name and folder.
    /// </summary>
    public string WiringPath => _copyOf is null
        ? Path.Combine(ScenarioRunners.Root, "wiring", _bench + ".yaml")
        : Path.Combine(ScenarioRunners.Root, "artifacts", "double", _bench + ".yaml");

    /// <summary>The double's folder, where the committed wiring files point.</summary>
    public string Directory => Path.Combine(ScenarioRunners.Root, "artifacts", "double", _bench);

    /// <summary>The double's process id.</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("the double is not running");

    /// <summary>The runner for scenarios on this double.</summary>
    public GherkinRunner Runner => _runner ?? throw new InvalidOperationException("the double is not running");

    /// <summary>The lines of the double's power log.</summary>
    public string[] PowerLog() => File.ReadAllLines(Path.Combine(Directory, "power.log"));

    /// <summary>Why this double cannot run on this machine (its tests skip with it), or null.</summary>
    public virtual string? Unavailable => null;

    public async ValueTask InitializeAsync()
    {
        if (Unavailable is not null) return;
        if (_copyOf is not null) WriteCopy();
        var (file, prefix) = HilrigExecutable.Resolve();
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in prefix.Concat(["bench", "double", WiringPath])) start.ArgumentList.Add(a);
        _process = Process.Start(start) ?? throw new InvalidOperationException("hilrig bench double did not start");
        var ready = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (ready is null || !ready.Contains("ready", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"hilrig bench double {_bench} did not come up: {ready} {await _process.StandardError.ReadToEndAsync()}");
        }
        _ = _process.StandardOutput.ReadToEndAsync();
        var settings = RigSettings.ForRepository(ScenarioRunners.Root, WiringPath, Path.Combine("artifacts", "test-scenarios", _bench))
            with { BenchOverrides = _benchOverrides };
        _runner = new GherkinRunner([typeof(BenchSteps).Assembly], new RunOptions
        {
            BaseDirectory = ScenarioRunners.Root,
            ConfigureServices = services => services.RegisterInstanceAs(settings),
        });
    }

    private void WriteCopy()
    {
        var root = ScenarioRunners.Root;
        var text = File.ReadAllText(Path.Combine(root, "wiring", _copyOf + ".yaml"));
        text = text.Replace($"bench: {_copyOf}\n", $"bench: {_bench}\n", StringComparison.Ordinal)
            .Replace($"../artifacts/double/{_copyOf}/", $"{root}/artifacts/double/{_bench}/", StringComparison.Ordinal)
            .Replace("../", root + "/", StringComparison.Ordinal);
        if (!text.Contains($"bench: {_bench}\n", StringComparison.Ordinal)) throw new InvalidOperationException($"wiring/{_copyOf}.yaml has no line 'bench: {_copyOf}' to rename");
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(WiringPath)!);
        File.WriteAllText(WiringPath, text);
    }

    /// <summary>Runs the double's control script (`bench defects chip2 ...`); returns its exit code and output.</summary>
    public async Task<(int Code, string Output)> ControlAsync(string arguments)
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"{Path.Combine(Directory, "bench")} {arguments}");
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output.Trim());
    }

    public async ValueTask DisposeAsync()
    {
        if (_runner is not null) await _runner.DisposeAsync();
        if (_process is { HasExited: false } process)
        {
            // SIGTERM, as systemd or an operator stops it: the double switches its chips off and removes its links.
            _ = Kill(process.Id, 15);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        _process?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Sends a signal to a process.</summary>
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);
}

/// <summary>wiring/double-chain.yaml's double.</summary>
public sealed class DoubleChain() : BenchDoubleProcess("double-chain");

/// <summary>A second double wired as wiring/double-chain.yaml (bench double-chain-b): the double catalogue's second part runs on it.</summary>
public sealed class DoubleChainB() : BenchDoubleProcess("double-chain-b", copyOf: "double-chain");

/// <summary>wiring/double-tree.yaml's double; the tree feature's bench "sim-tree" runs on it.</summary>
public sealed class DoubleTree() : BenchDoubleProcess("double-tree",
    new Dictionary<string, string> { ["sim-tree"] = Path.Combine(ScenarioRunners.Root, "wiring", "double-tree.yaml") });

/// <summary>
/// wiring/double-chain-air.yaml's double: the device's own module behind a link the double hands the rig (the bench
/// network as on a Pi's wlan0); features naming sim-chain-air or sim-chain-tls run on it. Needs root (network namespaces).
/// </summary>
public sealed class DoubleChainAir() : BenchDoubleProcess("double-chain-air", new Dictionary<string, string>
{
    ["sim-chain-air"] = Path.Combine(ScenarioRunners.Root, "wiring", "double-chain-air.yaml"),
    ["sim-chain-tls"] = Path.Combine(ScenarioRunners.Root, "wiring", "double-chain-air.yaml"),
})
{
    /// <inheritdoc />
    public override string? Unavailable => HilRig.Core.Wifi.NamespaceAir.Unavailable() is { } why ? $"the double's module needs a network namespace, which cannot be made here: {why}" : null;
}

/// <summary>The air double's tests.</summary>
[CollectionDefinition(Name)]
public sealed class DoubleChainAirCollection : ICollectionFixture<DoubleChainAir>
{
    public const string Name = "bench double: chain with the module on the bench network";
}

/// <summary>The tests that share the chain double run one after the other: it is one set of boards.</summary>
[CollectionDefinition(Name)]
public sealed class DoubleChainCollection : ICollectionFixture<DoubleChain>
{
    public const string Name = "bench double: chain";
}

/// <summary>The tests of the second chain double (part 2 of the double catalogue).</summary>
[CollectionDefinition(Name)]
public sealed class DoubleChainBCollection : ICollectionFixture<DoubleChainB>
{
    public const string Name = "bench double: second chain";
}

/// <summary>The tree double's tests.</summary>
[CollectionDefinition(Name)]
public sealed class DoubleTreeCollection : ICollectionFixture<DoubleTree>
{
    public const string Name = "bench double: tree";
}
