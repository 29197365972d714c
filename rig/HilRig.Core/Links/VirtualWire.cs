using System.Runtime.InteropServices;
using HilRig.Serial.Internal;

namespace HilRig.Core.Links;

/// <summary>Which way bytes travel on a wire or link.</summary>
public enum Direction
{
    /// <summary>From the end nearer the module to the farther end.</summary>
    Downstream,
    /// <summary>From the farther end towards the module.</summary>
    Upstream,
}

/// <summary>
/// A cable between two serial ports of the virtual bench: two ptys whose masters the rig copies into
/// each other, so each end is an ordinary serial device path. Bytes for an end nobody reads (a node
/// that is powered off) are dropped after a short wait, as on a real line.
/// </summary>
public sealed class VirtualWire : IDisposable
{
    // A live reader drains a pty within a few ms; a full buffer for this long means nobody reads it.
    private const int StalledReaderTimeoutMs = 250;
    private readonly Pty _near;
    private readonly Pty _far;
    private readonly Thread[] _pumps;
    private volatile bool _stopped;

    /// <summary>Creates the two ptys and starts copying.</summary>
    public VirtualWire(string name)
    {
        Name = name;
        _near = Pty.Create();
        _far = Pty.Create();
        _pumps =
        [
            new Thread(() => Pump(_near.MasterFd, _far.MasterFd, Direction.Downstream)) { IsBackground = true, Name = $"wire {name} down" },
            new Thread(() => Pump(_far.MasterFd, _near.MasterFd, Direction.Upstream)) { IsBackground = true, Name = $"wire {name} up" },
        ];
        foreach (var t in _pumps) t.Start();
    }

    /// <summary>The wire's name, for logs.</summary>
    public string Name { get; }

    /// <summary>Serial device path of the end nearer the module.</summary>
    public string NearPath => _near.SlavePath;

    /// <summary>Serial device path of the farther end.</summary>
    public string FarPath => _far.SlavePath;

    /// <summary>Sees every chunk that crosses the wire (a tap).</summary>
    public event Action<Direction, byte[]>? Tapped;

    /// <summary>Bytes dropped because the receiving end was not reading.</summary>
    public long DroppedBytes => Interlocked.Read(ref _dropped);

    private long _dropped;

    private unsafe void Pump(int from, int to, Direction direction)
    {
        var buffer = new byte[4096];
        var poll = new PosixPty.PollFd { Fd = from, Events = PosixPty.POLLIN };
        while (!_stopped)
        {
            poll.Revents = 0;
            if (PosixPty.Poll(&poll, 1, 50) <= 0) continue;
            nint n;
            fixed (byte* p = buffer) n = PosixPty.Read(from, p, buffer.Length);
            if (n <= 0) continue;
            var chunk = buffer.AsSpan(0, (int)n).ToArray();
            Tapped?.Invoke(direction, chunk);
            WriteAll(to, chunk);
        }
    }

    private unsafe void WriteAll(int fd, byte[] data)
    {
        var offset = 0;
        var waitedMs = 0;
        while (offset < data.Length && !_stopped)
        {
            nint written;
            fixed (byte* p = data) written = PosixPty.Write(fd, p + offset, data.Length - offset);
            if (written > 0)
            {
                offset += (int)written;
                waitedMs = 0;
                continue;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (written < 0 && errno != PosixPty.EAGAIN && errno != PosixPty.EINTR) break;
            if (waitedMs >= StalledReaderTimeoutMs) break;
            var poll = new PosixPty.PollFd { Fd = fd, Events = PosixPty.POLLOUT };
            PosixPty.Poll(&poll, 1, 10);
            waitedMs += 10;
        }
        Interlocked.Add(ref _dropped, data.Length - offset);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stopped = true;
        foreach (var t in _pumps) t.Join();
        _near.Dispose();
        _far.Dispose();
    }
}
