namespace HilRig.Scenarios.Tests.Fuzz;

/// <summary>How one fuzz case ended.</summary>
internal enum FuzzOutcome
{
    /// <summary>The loader accepted the input.</summary>
    Success,
    /// <summary>The loader refused it with messages naming the file and the line.</summary>
    ClearError,
}

/// <summary>
/// Runs seeded fuzz cases, each on the thread pool with a timeout, and counts how they ended. A case that throws
/// anything but the loader's own error, gives an error that does not name file and line, or outlives its timeout
/// is a finding; the report names the seed and the case so one run repeats it (HILRIG_FUZZ_SEED=seed).
/// </summary>
internal sealed class FuzzRun(string name, int seed, TimeSpan caseTimeout)
{
    /// <summary>The run's seed: HILRIG_FUZZ_SEED when set, else a fixed one so the suite is the same run every time.</summary>
    public static int SeedFromEnvironment(int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable("HILRIG_FUZZ_SEED"), out var seed) ? seed : fallback;

    private readonly List<string> _findings = [];

    public int Cases { get; private set; }
    public int ClearErrors { get; private set; }
    public int Successes { get; private set; }
    public int Crashes { get; private set; }
    public int Hangs { get; private set; }

    /// <summary>The mutator of case <paramref name="index"/>: its own seed, so a case repeats without the ones before it.</summary>
    // Not HashCode.Combine: its hashes change from process to process, and a case must repeat in the next one.
    public InputMutator MutatorFor(int index) => new(unchecked(seed * 1_000_003 + index));

    /// <summary>Runs one case; <paramref name="describe"/> says what the input was (source file and mutations).</summary>
    public async Task RunAsync(int index, string describe, Func<FuzzOutcome> check)
    {
        Cases++;
        var work = Task.Run(check);
        try
        {
            var outcome = await work.WaitAsync(caseTimeout, TestContext.Current.CancellationToken);
            if (outcome == FuzzOutcome.Success) Successes++; else ClearErrors++;
        }
        catch (TimeoutException)
        {
            Hangs++;
            _findings.Add($"case {index} ({describe}): no answer within {caseTimeout.TotalSeconds:0} s");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Crashes++;
            _findings.Add($"case {index} ({describe}): {ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
        }
    }

    /// <summary>The counts in one line the lead can quote.</summary>
    public string Summary =>
        $"{name} fuzz, seed {seed}: {Cases} cases, {ClearErrors} clear errors, {Successes} successes, {Crashes} crashes, {Hangs} hangs";

    /// <summary>Writes the counts to the test output and fails, naming seed and cases, on any finding.</summary>
    public void Report()
    {
        TestContext.Current.TestOutputHelper?.WriteLine(Summary);
        Console.WriteLine(Summary);
        Assert.True(_findings.Count == 0,
            $"{Summary}. Repeat with HILRIG_FUZZ_SEED={seed}.{Environment.NewLine}{string.Join(Environment.NewLine, _findings.Take(20))}");
    }
}

/// <summary>A loader answered with an error that does not name the file and the line.</summary>
internal sealed class UnclearErrorException(string message) : Exception(message);
