using System.Runtime.InteropServices;
using System.Text;
using HilRig.Serial.Internal;

namespace HilRig.Core.Links;

/// <summary>
/// A pseudo-terminal made from .NET (no socat): the slave side has a path that any program opens as a
/// serial port; the rig keeps the master side. The rig also holds the slave open in raw mode, so bytes
/// are never echoed or translated and the master does not see end-of-file when a node's process dies.
/// </summary>
public sealed class Pty : IDisposable
{
    private int _master;
    private int _slaveKeeper;

    private Pty(int master, int slaveKeeper, string slavePath)
    {
        _master = master;
        _slaveKeeper = slaveKeeper;
        SlavePath = slavePath;
    }

    /// <summary>The path to open as a serial port, e.g. /dev/pts/7.</summary>
    public string SlavePath { get; }

    /// <summary>The master file descriptor (read: what the slave's user wrote; write: what it will read).</summary>
    public int MasterFd => _master;

    /// <summary>Creates a raw pty pair.</summary>
    public static unsafe Pty Create()
    {
        var master = PosixPty.posix_openpt(PosixPty.O_RDWR | PosixPty.O_NOCTTY | PosixPty.O_NONBLOCK);
        if (master < 0) throw Error("posix_openpt");
        if (PosixPty.grantpt(master) != 0 || PosixPty.unlockpt(master) != 0)
        {
            PosixPty.Close(master);
            throw Error("grantpt/unlockpt");
        }
        var name = new byte[256];
        fixed (byte* p = name)
        {
            if (PosixPty.ptsname_r(master, p, name.Length) != 0)
            {
                PosixPty.Close(master);
                throw Error("ptsname_r");
            }
        }
        var path = Encoding.ASCII.GetString(name, 0, Array.IndexOf(name, (byte)0));
        var slave = PosixPty.Open(path, PosixPty.O_RDWR | PosixPty.O_NOCTTY);
        if (slave < 0)
        {
            PosixPty.Close(master);
            throw Error($"open {path}");
        }
        var termios = stackalloc byte[256];
        if (PosixPty.tcgetattr(slave, termios) == 0)
        {
            PosixPty.cfmakeraw(termios);
            PosixPty.tcsetattr(slave, PosixPty.TCSANOW, termios);
        }
        return new Pty(master, slave, path);
    }

    private static IOException Error(string call) =>
        new($"{call} failed: {Marshal.GetLastPInvokeErrorMessage()} (errno {Marshal.GetLastPInvokeError()})");

    /// <inheritdoc />
    public void Dispose()
    {
        if (_slaveKeeper >= 0) PosixPty.Close(_slaveKeeper);
        if (_master >= 0) PosixPty.Close(_master);
        _slaveKeeper = -1;
        _master = -1;
    }
}
