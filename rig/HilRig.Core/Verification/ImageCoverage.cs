namespace HilRig.Core.Verification;

/// <summary>The image bytes sent to one chip: how many in all, and which ones more than once.</summary>
public sealed class ImageCoverage
{
    private readonly IntervalSet _once = new();
    private readonly IntervalSet _again = new();

    /// <summary>Image bytes sent in all, repeats included.</summary>
    public long Sent { get; private set; }

    /// <summary>Image bytes sent more than once, each counted once however often it was repeated.</summary>
    public long SentAgain => _again.Length;

    /// <summary>Records DATA of <paramref name="count"/> bytes at <paramref name="offset"/>.</summary>
    public void Add(long offset, int count)
    {
        Sent += count;
        _again.AddOverlap(_once, offset, offset + count);
        _once.Add(offset, offset + count);
    }
}

/// <summary>A set of byte offsets kept as sorted, disjoint, half-open ranges.</summary>
public sealed class IntervalSet
{
    private readonly List<(long Start, long End)> _ranges = [];

    /// <summary>How many offsets the set holds.</summary>
    public long Length => _ranges.Sum(r => r.End - r.Start);

    /// <summary>The ranges, sorted and disjoint.</summary>
    public IReadOnlyList<(long Start, long End)> Ranges => _ranges;

    /// <summary>Adds [start, end).</summary>
    public void Add(long start, long end)
    {
        if (end <= start) return;
        var i = 0;
        while (i < _ranges.Count && _ranges[i].End < start) i++;
        while (i < _ranges.Count && _ranges[i].Start <= end)
        {
            start = Math.Min(start, _ranges[i].Start);
            end = Math.Max(end, _ranges[i].End);
            _ranges.RemoveAt(i);
        }
        _ranges.Insert(i, (start, end));
    }

    /// <summary>Adds the part of [start, end) that <paramref name="other"/> already holds.</summary>
    public void AddOverlap(IntervalSet other, long start, long end)
    {
        foreach (var (s, e) in other._ranges)
        {
            if (s >= end) break;
            Add(Math.Max(s, start), Math.Min(e, end));
        }
    }
}
