using System.Diagnostics;

namespace HilRig.Bench.Uart;

/// <summary>
/// Paces output to what a UART line at <see cref="BaudRate"/> can carry: 8N1 framing sends 10 bits per
/// byte (start, 8 data, stop), so one byte takes 10/baud seconds. The schedule is absolute, so a late
/// timer wake-up is absorbed by the next write instead of lowering the rate.
/// </summary>
public sealed class LinePacer(int baudRate)
{
    /// <summary>Bits on the line per byte at 8N1.</summary>
    public const int BitsPerByte = 10;

    private long _lineFreeAtTicks;

    /// <summary>The line rate in baud.</summary>
    public int BaudRate { get; } = baudRate;

    /// <summary>Bytes per second the line carries.</summary>
    public double BytesPerSecond => BaudRate / (double)BitsPerByte;

    /// <summary>
    /// Books <paramref name="byteCount"/> bytes on the line and returns the Stopwatch timestamp at which
    /// their last bit has been sent: the receiver holds the bytes only from then on.
    /// </summary>
    /// <param name="byteCount">Bytes to send.</param>
    /// <param name="queuedAtTimestamp">When the bytes were handed to the UART: bytes queued while the line
    /// was busy start right when it frees, however late the sender wakes up.</param>
    public long Reserve(int byteCount, long queuedAtTimestamp)
    {
        var start = Math.Max(queuedAtTimestamp, _lineFreeAtTicks);
        _lineFreeAtTicks = start + (long)(byteCount * Stopwatch.Frequency / BytesPerSecond);
        return _lineFreeAtTicks;
    }

    /// <summary>Waits until a timestamp returned by <see cref="Reserve"/>.</summary>
    public static async Task WaitUntilAsync(long timestamp, CancellationToken cancellationToken)
    {
        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        if (remaining > TimeSpan.FromMilliseconds(1))
        {
            await Task.Delay(remaining, cancellationToken).ConfigureAwait(false);
        }
    }
}
