using System.Runtime.InteropServices;

namespace HilRig.Serial.Internal;

/// <summary>The few libc calls a pseudo-terminal needs (Linux; glibc and musl export them all from libc). Used here by
/// <see cref="PtyStream"/> and by HilRig.Core's Pty and VirtualWire (InternalsVisibleTo).</summary>
internal static partial class PosixPty
{
    private const string LibC = "libc";
    public const int O_RDWR = 2;
    public const int O_NOCTTY = 0x100;
    public const int TCSANOW = 0;
    public const short POLLIN = 1;
    public const short POLLOUT = 4;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;
    public const short POLLERR = 8;
    public const short POLLHUP = 16;
    public const int TCIFLUSH = 0;
    public const int EAGAIN = 11;
    public const int EINTR = 4;
    public const int EFD_NONBLOCK = 0x800;
    public const int EFD_CLOEXEC = 0x80000;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(LibC, SetLastError = true)]
    public static partial int posix_openpt(int flags);

    [LibraryImport(LibC, SetLastError = true)]
    public static partial int grantpt(int fd);

    [LibraryImport(LibC, SetLastError = true)]
    public static partial int unlockpt(int fd);

    [LibraryImport(LibC, SetLastError = true)]
    public static unsafe partial int ptsname_r(int fd, byte* buffer, nint length);

    [LibraryImport(LibC, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport(LibC, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(LibC, EntryPoint = "read", SetLastError = true)]
    public static unsafe partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport(LibC, EntryPoint = "write", SetLastError = true)]
    public static unsafe partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport(LibC, EntryPoint = "poll", SetLastError = true)]
    public static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    // struct termios is 60 bytes on Linux x64 and arm64; a larger buffer keeps it opaque and safe.
    [LibraryImport(LibC, SetLastError = true)]
    public static unsafe partial int tcgetattr(int fd, byte* termios);

    [LibraryImport(LibC, SetLastError = true)]
    public static unsafe partial int tcsetattr(int fd, int optionalActions, byte* termios);

    [LibraryImport(LibC)]
    public static unsafe partial void cfmakeraw(byte* termios);

    [LibraryImport(LibC, SetLastError = true)]
    public static partial int tcflush(int fd, int queueSelector);

    [LibraryImport(LibC, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initialValue, int flags);
}
