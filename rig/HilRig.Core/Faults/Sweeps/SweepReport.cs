using System.Globalization;
using System.Text;

namespace HilRig.Core.Faults.Sweeps;

/// <summary>What happened at one cut point of a sweep.</summary>
/// <param name="Index">1-based point number (the frame or flash operation the cut landed at).</param>
/// <param name="Recovered">Every chip came back in its persisted mode and the upgrade finished with the right image.</param>
/// <param name="Bricked">The chip was left without a bootable image or never answered again.</param>
/// <param name="BytesResent">Image bytes the module sent more than once for this point, each counted once (<see cref="Verification.TransferAccounting.BytesSentAgain"/>).</param>
/// <param name="Problem">Why the point did not recover, if it did not.</param>
/// <param name="ArtifactsDirectory">Where this point's timeline and logs are.</param>
public sealed record SweepPoint(int Index, bool Recovered, bool Bricked, long BytesResent, string? Problem, string ArtifactsDirectory);

/// <summary>The table a sweep reports: points tried, recovered, bricked, max bytes re-sent.</summary>
public sealed record SweepReport(string Kind, string Chip, int ImageSizeBytes, int BaudRate, IReadOnlyList<SweepPoint> Points, TimeSpan WallTime, int Seed)
{
    /// <summary>Points where everything recovered.</summary>
    public int Recovered => Points.Count(p => p.Recovered);

    /// <summary>Points that left the chip without a bootable image or silent.</summary>
    public int Bricked => Points.Count(p => p.Bricked);

    /// <summary>The most image bytes sent twice at any one point.</summary>
    public long MaxBytesResent => Points.Count == 0 ? 0 : Points.Max(p => p.BytesResent);

    /// <summary>The summary table and one line per point that did not recover.</summary>
    public string Render()
    {
        var b = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        b.AppendLine(c, $"sweep: power cut {Kind} of {Chip}'s transfer ({ImageSizeBytes}-byte image, {BaudRate} baud, seed {Seed})");
        b.AppendLine("| points tried | recovered | bricked | max bytes re-sent | wall time |");
        b.AppendLine("|---|---|---|---|---|");
        b.AppendLine(c, $"| {Points.Count} | {Recovered} | {Bricked} | {MaxBytesResent} | {WallTime.TotalSeconds:0.0} s |");
        foreach (var p in Points.Where(p => !p.Recovered))
        {
            b.AppendLine(c, $"point {p.Index}: {(p.Bricked ? "BRICKED" : "not recovered")}: {p.Problem} (artifacts: {p.ArtifactsDirectory})");
        }
        return b.ToString();
    }
}
