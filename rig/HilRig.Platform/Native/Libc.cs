using System.Runtime.InteropServices;

namespace HilRig.Platform.Native;

/// <summary>The few libc calls .NET does not offer: open with O_NOFOLLOW, flock, fchmod, statx, kill, getuid.</summary>
internal static partial class Libc
{
    public const int ORdWr = 0x2;
    public const int OWrOnly = 0x1;
    public const int OCreat = 0x40;
    public const int OExcl = 0x80;
    public const int OCloExec = 0x80000;

    /// <summary>O_NOFOLLOW: 0400000 on x86 and x64, 0100000 on ARM (32 and 64 bit), as the kernel headers say.</summary>
    public static int ONoFollow => RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 ? 0x8000 : 0x20000;

    public const int LockEx = 2;
    public const int LockNb = 4;
    public const int EWouldBlock = 11;
    public const int ELoop = 40;
    public const int EExist = 17;
    public const int EAcces = 13;
    public const int EPerm = 1;
    public const int AtFdCwd = -100;
    public const int AtSymlinkNoFollow = 0x100;
    public const uint StatxBasicStats = 0x7ff;
    public const int SigKill = 9;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "fchmod", SetLastError = true)]
    public static partial int Fchmod(int fd, uint mode);

    [LibraryImport("libc", EntryPoint = "getuid")]
    public static partial uint GetUid();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    /// <summary>pidfd_open(2) has number 434 on every architecture (syscalls added since Linux 5.1 share their numbers).</summary>
    public const long SysPidfdOpen = 434;

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    public static partial int Syscall(long number, int pid, uint flags);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    public const short PollIn = 1;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    /// <summary>Owner, group and mode of <paramref name="path"/> itself (a symlink is not followed); null when it does not exist.</summary>
    /// <remarks>struct statx has the same layout on every architecture: stx_uid at 20, stx_gid at 24, stx_mode at 28.</remarks>
    public static unsafe (uint Uid, uint Gid, uint Mode)? Lstat(string path)
    {
        var buffer = stackalloc byte[256];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0) return null;
        return (*(uint*)(buffer + 20), *(uint*)(buffer + 24), *(ushort*)(buffer + 28));
    }

    public const uint SIfMt = 0xF000;
    public const uint SIfLnk = 0xA000;
    public const uint SIfDir = 0x4000;
    public const uint SIfReg = 0x8000;
}
