using System.IO.Ports;

namespace HilRig.Serial;

/// <summary>
/// One UART of an emulated node (HilRig.Bench's UartPort: the emulated chips and WiFi module) as a byte stream. A
/// pseudo-terminal of the virtual bench (/dev/pts/N) is opened as a <see cref="PtyStream"/>; anything else (a USB
/// serial adapter, a Pi UART) through System.IO.Ports.
/// </summary>
/// <remarks>
/// Why two: System.IO.Ports on Linux serves a pending read by polling the port every millisecond (poll, ioctl and
/// sched_yield, measured with strace -c: about 45 000 polls, 43 000 ioctls and 60 000 yields in one 8 s chain upgrade of
/// the virtual bench), so the thirteen ports of a bench kept a 2-core machine busy. A pty needs no line settings beyond
/// raw mode, and a thread that blocks in poll(2) costs nothing while the line is quiet. The rig's own UARTs (its relay
/// links, HilRig.Core's RigPort) are System.IO.Ports SerialPorts on a pty or a real device alike, so that the rig's
/// code cannot tell the virtual bench from the real one (both open the same way); their bytes, too, move through a
/// PtyStream on the same device, for the reason RigPort gives.
/// </remarks>
public abstract class SerialLine : IDisposable
{
    /// <summary>The device path.</summary>
    public abstract string Path { get; }

    /// <summary>The open line's bytes: reads return what arrived, writes leave at once (pacing is the caller's).</summary>
    public abstract Stream Stream { get; }

    /// <summary>Opens the line and drops input received before now (bytes queued while the node was off).</summary>
    public abstract void Open();

    /// <summary>Waits until the bytes written so far have left (tcdrain on a real UART).</summary>
    public abstract void Drain();

    /// <summary>Creates (does not open) the line for <paramref name="path"/> at <paramref name="baudRate"/>, 8N1, no handshake.</summary>
    public static SerialLine Create(string path, int baudRate) =>
        IsPseudoTerminal(path) ? new PtyLine(path) : new PortLine(path, baudRate);

    /// <summary>True for a pseudo-terminal's slave path (/dev/pts/N).</summary>
    public static bool IsPseudoTerminal(string path) => path.StartsWith("/dev/pts/", StringComparison.Ordinal);

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes the line.</summary>
    protected abstract void Dispose(bool disposing);

    private sealed class PtyLine(string path) : SerialLine
    {
        private PtyStream? _stream;

        public override string Path => path;

        public override Stream Stream => _stream ?? throw new InvalidOperationException($"{path} is not open");

        public override void Open() => _stream = PtyStream.Open(path);

        public override void Drain()
        {
            // A write to a pty is in the kernel's buffer for the other side when it returns: nothing is left to drain.
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _stream?.Dispose();
        }
    }

    private sealed class PortLine(string path, int baudRate) : SerialLine
    {
        private readonly SerialPort _port = new(path, baudRate, Parity.None, 8, StopBits.One)
        {
            Handshake = Handshake.None,
            ReadBufferSize = 1 << 16,
            WriteBufferSize = 1 << 16,
        };

        public override string Path => path;

        public override Stream Stream => _port.BaseStream;

        public override void Open()
        {
            _port.Open();
            _port.DiscardInBuffer();
        }

        public override void Drain() => _port.BaseStream.Flush();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _port.Dispose();
        }
    }
}
