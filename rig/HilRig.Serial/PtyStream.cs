using System.Runtime.InteropServices;
using System.Threading.Channels;
using HilRig.Serial.Internal;

namespace HilRig.Serial;

/// <summary>
/// A terminal device opened in raw mode, as a stream: the slave side of a pseudo-terminal, or (under HilRig.Core's
/// RigPort, which sets its line with System.IO.Ports) a real UART. One thread per line blocks in poll(2)
/// (and on an eventfd that closing the stream signals, so a close ends it at once) and hands what it reads to
/// <see cref="ReadAsync(Memory{byte}, CancellationToken)"/>; writes go straight to the non-blocking descriptor.
/// </summary>
public sealed class PtyStream : Stream
{
    /// <summary>How often the reader thread wakes on a quiet line to see whether the stream was closed, should the eventfd
    /// that signals a close be missing.</summary>
    public const int PollIntervalMs = 100;

    /// <summary>How long a write may wait for the other side to take bytes before it fails.</summary>
    public static readonly TimeSpan WriteStallLimit = TimeSpan.FromSeconds(5);

    private readonly string _path;
    private readonly int _fd;
    private readonly int _wake;
    private readonly Channel<byte[]> _input = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Lock _writeGate = new();
    private readonly Thread _reader;
    private volatile bool _closed;
    private byte[]? _pending;
    private int _pendingOffset;

    private PtyStream(string path, int fd)
    {
        _path = path;
        _fd = fd;
        // What the other side wrote before the line was opened (a node that was off) is not read.
        PosixPty.tcflush(fd, PosixPty.TCIFLUSH);
        // Closing writes to it, so the reader leaves poll(2) at once instead of at its next timeout (-1: none, then the timeout).
        _wake = PosixPty.EventFd(0, PosixPty.EFD_CLOEXEC | PosixPty.EFD_NONBLOCK);
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = $"pty {path}" };
        _reader.Start();
    }

    /// <summary>Opens <paramref name="path"/> (a pty slave, /dev/pts/N) read-write in raw mode; input queued before now is dropped.</summary>
    public static unsafe PtyStream Open(string path)
    {
        var fd = PosixPty.Open(path, PosixPty.O_RDWR | PosixPty.O_NOCTTY | PosixPty.O_NONBLOCK | PosixPty.O_CLOEXEC);
        if (fd < 0)
        {
            throw Error(path, "cannot open");
        }
        var termios = stackalloc byte[256];
        if (PosixPty.tcgetattr(fd, termios) != 0)
        {
            var error = Error(path, "is not a terminal");
            PosixPty.Close(fd);
            throw error;
        }
        PosixPty.cfmakeraw(termios);
        PosixPty.tcsetattr(fd, PosixPty.TCSANOW, termios);
        return new PtyStream(path, fd);
    }

    /// <inheritdoc />
    public override bool CanRead => !_closed;

    /// <inheritdoc />
    public override bool CanWrite => !_closed;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>
    /// Waits for bytes and returns at least one. Throws <see cref="ObjectDisposedException"/> once the stream is closed
    /// and <see cref="IOException"/> when the line failed (the other side of the pty is gone).
    /// </summary>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }
        if (_pending is null)
        {
            if (!_input.Reader.TryRead(out var chunk))
            {
                try
                {
                    chunk = await _input.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (ChannelClosedException ex)
                {
                    throw ex.InnerException as IOException ?? (Exception)new ObjectDisposedException(_path, $"{_path} is closed");
                }
            }
            _pending = chunk;
            _pendingOffset = 0;
        }
        var count = Math.Min(buffer.Length, _pending.Length - _pendingOffset);
        _pending.AsMemory(_pendingOffset, count).CopyTo(buffer);
        _pendingOffset += count;
        if (_pendingOffset == _pending.Length)
        {
            _pending = null;
        }
        return count;
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Writes every byte to the line; waits (up to <see cref="WriteStallLimit"/>) while the other side's buffer is full.</summary>
    public override unsafe void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        lock (_writeGate)
        {
            var offset = 0;
            var stalledSince = 0L;
            fixed (byte* p = buffer)
            {
                while (offset < buffer.Length)
                {
                    var written = PosixPty.Write(_fd, p + offset, buffer.Length - offset);
                    if (written > 0)
                    {
                        offset += (int)written;
                        stalledSince = 0;
                        continue;
                    }
                    var errno = Marshal.GetLastPInvokeError();
                    if (written < 0 && errno != PosixPty.EAGAIN && errno != PosixPty.EINTR)
                    {
                        throw Error(_path, "write failed");
                    }
                    if (stalledSince == 0)
                    {
                        stalledSince = Environment.TickCount64;
                    }
                    else if (Environment.TickCount64 - stalledSince > WriteStallLimit.TotalMilliseconds)
                    {
                        throw new IOException($"{_path}: write stalled: the other side took no byte for {WriteStallLimit.TotalSeconds:0} s");
                    }
                    ObjectDisposedException.ThrowIf(_closed, this);
                    var poll = new PosixPty.PollFd { Fd = _fd, Events = PosixPty.POLLOUT };
                    PosixPty.Poll(&poll, 1, 10);
                }
            }
        }
    }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Nothing to do: a write is in the kernel's buffer for the other side when it returns.</summary>
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed)
        {
            _closed = true;
            if (_wake >= 0)
            {
                Signal(_wake);
            }
            if (Thread.CurrentThread != _reader)
            {
                _reader.Join();
            }
            lock (_writeGate)
            {
                PosixPty.Close(_fd);
            }
            if (_wake >= 0)
            {
                PosixPty.Close(_wake);
            }
            _input.Writer.TryComplete();
        }
        base.Dispose(disposing);
    }

    private static unsafe void Signal(int eventFd)
    {
        ulong one = 1;
        PosixPty.Write(eventFd, (byte*)&one, sizeof(ulong));
    }

    private unsafe void ReadLoop()
    {
        var buffer = new byte[4096];
        var fds = stackalloc PosixPty.PollFd[2];
        fds[0] = new PosixPty.PollFd { Fd = _fd, Events = PosixPty.POLLIN };
        fds[1] = new PosixPty.PollFd { Fd = _wake, Events = PosixPty.POLLIN };
        var count = _wake >= 0 ? 2u : 1u;
        try
        {
            while (!_closed)
            {
                fds[0].Revents = 0;
                fds[1].Revents = 0;
                if (PosixPty.Poll(fds, count, PollIntervalMs) <= 0 || fds[0].Revents == 0)
                {
                    continue; // a timeout, or the close signal: the loop looks at _closed
                }
                nint n;
                fixed (byte* p = buffer)
                {
                    n = PosixPty.Read(_fd, p, buffer.Length);
                }
                if (n > 0)
                {
                    _input.Writer.TryWrite(buffer.AsSpan(0, (int)n).ToArray());
                    continue;
                }
                var errno = Marshal.GetLastPInvokeError();
                if (n < 0 && (errno == PosixPty.EAGAIN || errno == PosixPty.EINTR) && (fds[0].Revents & (PosixPty.POLLHUP | PosixPty.POLLERR)) == 0)
                {
                    continue;
                }
                if (!_closed)
                {
                    _input.Writer.TryComplete(n == 0 ? new IOException($"{_path}: the other side of the pty hung up") : Error(_path, "read failed"));
                }
                return;
            }
        }
        finally
        {
            _input.Writer.TryComplete();
        }
    }

    private static IOException Error(string path, string what) =>
        new($"{path}: {what}: {Marshal.GetLastPInvokeErrorMessage()} (errno {Marshal.GetLastPInvokeError()})");
}
