using System.Globalization;
using HilRig.Platform.Native;

namespace HilRig.Platform.Processes;

/// <summary>
/// A process as Linux tells it apart: its pid and its start time (clock ticks since boot, field 22 of
/// /proc/PID/stat). A pid alone is reused; the pair is not, so a pid file read long after its writer died
/// never names a stranger's process.
/// </summary>
public readonly record struct ProcessIdentity(int Pid, long StartTicks)
{
    /// <summary>This process.</summary>
    public static ProcessIdentity Current { get; } = Of(Environment.ProcessId) ?? new ProcessIdentity(Environment.ProcessId, 0);

    /// <summary>The running process with <paramref name="pid"/>, or null when there is none (or no /proc).</summary>
    public static ProcessIdentity? Of(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            // "pid (comm) state ppid ..." where comm may hold spaces and parentheses: fields count from the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After comm, field 3 (state) is index 0, so field 22 (starttime) is index 19.
            return fields.Length > 19 && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                ? new ProcessIdentity(pid, ticks)
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>True while this very process (same pid, same start) runs; a zombie counts as gone.</summary>
    public bool IsAlive
    {
        get
        {
            if (Of(Pid) is not { } now || now.StartTicks != StartTicks) return false;
            try
            {
                var stat = File.ReadAllText($"/proc/{Pid.ToString(CultureInfo.InvariantCulture)}/stat");
                return stat[(stat.LastIndexOf(')') + 2)..] is not ['Z', ..] and not ['X', ..];
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// Waits until this process has ended (a zombie counts as ended), up to <paramref name="timeout"/>; true when
    /// it has. Any process, not only a child: the wait is on a pidfd (pidfd_open, Linux 5.3), which becomes
    /// readable when the process terminates.
    /// </summary>
    public Task<bool> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var self = this;
        return Task.Run(() => self.WaitForExit(timeout), cancellationToken);
    }

    private unsafe bool WaitForExit(TimeSpan timeout)
    {
        if (!IsAlive) return true;
        var fd = Libc.Syscall(Libc.SysPidfdOpen, Pid, 0);
        if (fd < 0) return !IsAlive; // gone between the check and the open (ESRCH), or no pidfd: say what is true now
        try
        {
            // The pid may have been reused between IsAlive and pidfd_open: check the identity again on the open fd's process.
            if (!IsAlive) return true;
            var poll = new Libc.PollFd { Fd = fd, Events = Libc.PollIn };
            var ms = (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue);
            return Libc.Poll(&poll, 1, ms) > 0 || !IsAlive;
        }
        finally
        {
            _ = Libc.Close(fd);
        }
    }

    /// <summary>"pid.ticks", the form used in file names.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Pid}.{StartTicks}");

    /// <summary>Reads <see cref="ToString"/>'s form back.</summary>
    public static bool TryParse(string text, out ProcessIdentity identity)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0
            && int.TryParse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && long.TryParse(text.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
        {
            identity = new ProcessIdentity(pid, ticks);
            return true;
        }
        identity = default;
        return false;
    }
}
