using System.Globalization;
using HilRig.Gherkin.Features;

namespace HilRig.Gherkin.Selection;

/// <summary>
/// One shard of a selection, as <c>hilrig run --shard i/n</c> runs it: the selected pickles are split into
/// <see cref="Count"/> shares of about equal duration, and this plan keeps share <see cref="Index"/>. The split is
/// deterministic: every machine of a farm that resolves the same selection with the same durations gets the same
/// shares, so shards 1/n..n/n together run every selected scenario exactly once.
/// </summary>
/// <remarks>
/// The split is longest-first greedy (each pickle, longest first and then by id, goes to the share with the least
/// time so far; a tie goes to the lower share). A pickle's weight is its duration in <see cref="Durations"/> (a
/// previous run's report, <see cref="Reporting.ReportDurations"/>, by the pickle's message id, which follows its file's
/// URI and text); a pickle missing there weighs its step count times
/// the median seconds per step of the pickles that have a duration, or one second per step when none has.
/// </remarks>
public sealed class ShardPlan
{
    private ShardPlan(int index, int count, IReadOnlyDictionary<string, TimeSpan> durations)
    {
        Index = index;
        Count = count;
        Durations = durations;
    }

    /// <summary>The share this plan keeps, 1-based.</summary>
    public int Index { get; }

    /// <summary>How many shares the selection is split into.</summary>
    public int Count { get; }

    /// <summary>Durations of an earlier run by the pickle's message id; empty when none was given.</summary>
    public IReadOnlyDictionary<string, TimeSpan> Durations { get; }

    /// <summary>Share <paramref name="index"/> of <paramref name="count"/> (1 ≤ index ≤ count ≤ 1000).</summary>
    public static ShardPlan Of(int index, int count, IReadOnlyDictionary<string, TimeSpan>? durations = null)
    {
        if (count is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(count), count, "a shard count is 1..1000");
        if (index < 1 || index > count) throw new ArgumentOutOfRangeException(nameof(index), index, $"a shard index is 1..{count}");
        return new ShardPlan(index, count, durations ?? new Dictionary<string, TimeSpan>());
    }

    /// <summary>
    /// Reads <c>i/n</c> as the CLI takes it; false with a message saying what is wrong (not two numbers, n outside
    /// 1..1000, i outside 1..n).
    /// </summary>
    public static bool TryParse(string text, out int index, out int count, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        index = count = 0;
        var parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out count))
        {
            error = $"'{text}' is not i/n (for example 2/3: the second of three shards)";
            return false;
        }
        if (count is < 1 or > 1000)
        {
            error = $"'{text}': the shard count {count} is outside 1..1000";
            return false;
        }
        if (index < 1 || index > count)
        {
            error = $"'{text}': the shard index {index} is outside 1..{count}";
            return false;
        }
        error = "";
        return true;
    }

    /// <summary>The share of every pickle (1-based), in the order given.</summary>
    public IReadOnlyList<int> Assign(IReadOnlyList<PickleInfo> pickles)
    {
        ArgumentNullException.ThrowIfNull(pickles);
        var weights = Weights(pickles);
        var order = Enumerable.Range(0, pickles.Count)
            .OrderByDescending(i => weights[i])
            .ThenBy(i => pickles[i].Id, StringComparer.Ordinal)
            .ToList();
        var loads = new double[Count];
        var shares = new int[pickles.Count];
        foreach (var i in order)
        {
            var lightest = 0;
            for (var s = 1; s < Count; s++)
            {
                if (loads[s] < loads[lightest]) lightest = s;
            }
            loads[lightest] += weights[i];
            shares[i] = lightest + 1;
        }
        return shares;
    }

    /// <summary>The pickles of this share, in the order given.</summary>
    public IReadOnlyList<PickleInfo> Select(IReadOnlyList<PickleInfo> pickles)
    {
        var shares = Assign(pickles);
        return pickles.Where((_, i) => shares[i] == Index).ToList();
    }

    /// <summary>The weight of each pickle in seconds, as the remarks say.</summary>
    public IReadOnlyList<double> Weights(IReadOnlyList<PickleInfo> pickles)
    {
        ArgumentNullException.ThrowIfNull(pickles);
        var perStep = pickles
            .Where(p => Durations.ContainsKey(p.Pickle.Id) && p.Pickle.Steps.Count > 0)
            .Select(p => Durations[p.Pickle.Id].TotalSeconds / p.Pickle.Steps.Count)
            .Order()
            .ToList();
        var secondsPerStep = perStep.Count == 0 ? 1.0 : perStep[perStep.Count / 2];
        return pickles
            .Select(p => Durations.TryGetValue(p.Pickle.Id, out var known) ? known.TotalSeconds : Math.Max(1, p.Pickle.Steps.Count) * secondsPerStep)
            .ToList();
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}
