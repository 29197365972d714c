using System.IO.Ports;
using HilRig.Serial;

namespace HilRig.Core.Links;

/// <summary>
/// One UART the rig owns (a relay link's side), on a pty of the virtual bench or a real device alike: a System.IO.Ports
/// <see cref="SerialPort"/> opens and configures it (baud rate, 8N1, no handshake) and holds it for as long as the
/// rig uses it; its bytes move through <see cref="Stream"/>, a second descriptor of the same device read by one thread
/// blocked in poll(2).
/// </summary>
/// <remarks>
/// Why not SerialPort.BaseStream: on Linux it serves reads and writes from an I/O loop thread per port that polls every
/// millisecond. With both vCPUs of a 2-core machine kept busy (two <c>yes &gt; /dev/null</c>), every relay of the bench
/// went silent at once for 2.8 to 4 s, and the chain feature on C chips failed 2 of 3 runs (4/4, 2/4, 3/4 scenarios); with
/// the bytes on a poll(2) descriptor the same 3 runs passed 4/4 (docs/parity.md, Reliability). The descriptor is opened
/// before the SerialPort, so the port's exclusive open does not refuse it.
/// </remarks>
public sealed class RigPort : IDisposable
{
    private readonly SerialPort _port;
    private PtyStream? _stream;

    /// <summary>Creates (does not open) the port <paramref name="path"/> at <paramref name="baudRate"/>.</summary>
    public RigPort(string path, int baudRate)
    {
        Path = path;
        _port = new SerialPort(path, baudRate, Parity.None, 8, StopBits.One) { Handshake = Handshake.None };
    }

    /// <summary>The device path.</summary>
    public string Path { get; }

    /// <summary>The open port's bytes.</summary>
    public Stream Stream => _stream ?? throw new InvalidOperationException($"{Path} is not open");

    /// <summary>Opens the port; input queued before now is dropped.</summary>
    public void Open()
    {
        _stream = PtyStream.Open(Path);
        try
        {
            _port.Open();
        }
        catch
        {
            _stream.Dispose();
            _stream = null;
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stream?.Dispose();
        _port.Dispose();
    }
}
