using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using HilRig.Platform.Files;
using HilRig.Platform.Native;

namespace HilRig.Platform.Processes;

/// <summary>
/// Starts the rig's child processes (emulated chips, brokers, `hilrig run` under the service, bench
/// commands) so that none outlives the process that started it, however that process ends, SIGKILL
/// included:
/// <list type="bullet">
/// <item>each child gets a parent-death signal (SIGKILL), set by util-linux's <c>setpriv --pdeathsig</c>
/// before it executes the real program (the pid stays the child's own);</item>
/// <item>Linux sends that signal when the <em>thread</em> that forked the child ends, and .NET retires idle
/// pool threads, so every child is forked by one dedicated thread that lives as long as the process;</item>
/// <item>each child is written to a pid file (<see cref="Registry"/>), so that the next rig process sweeps
/// what a dead one left (a child that was forked but had not yet set its signal when the parent died).</item>
/// </list>
/// </summary>
public static class ChildProcesses
{
    private static readonly BlockingCollection<Action> Work = [];
    private static readonly Lazy<string?> SetPriv = new(() => new[] { "/usr/bin/setpriv", "/bin/setpriv" }.FirstOrDefault(File.Exists));
    private static readonly Lazy<ChildRegistry?> Registry_ = new(OpenRegistry);
    private static int _warned;

    static ChildProcesses()
    {
        var spawner = new Thread(() =>
        {
            foreach (var action in Work.GetConsumingEnumerable()) action();
        })
        {
            IsBackground = true,
            Name = "hilrig child spawner",
        };
        spawner.Start();
    }

    /// <summary>Where this process records its children; null when no private runtime directory could be had (then nothing is swept).</summary>
    public static ChildRegistry? Registry => Registry_.Value;

    /// <summary>
    /// Starts <paramref name="process"/> (its <see cref="Process.StartInfo"/> set up by the caller, handlers
    /// attached) with a parent-death signal, and records it. Throws what <see cref="Process.Start()"/> throws.
    /// </summary>
    public static void Start(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        var info = process.StartInfo;
        if (info.UseShellExecute) throw new ArgumentException("a child of the rig is started without the shell's file associations", nameof(process));
        if (!OperatingSystem.IsLinux())
        {
            process.Start();
            return;
        }
        if (SetPriv.Value is { } setpriv)
        {
            var file = info.FileName;
            var args = info.ArgumentList.ToList();
            info.FileName = setpriv;
            info.ArgumentList.Clear();
            foreach (var a in (string[])["--pdeathsig", "KILL", "--", file, .. args]) info.ArgumentList.Add(a);
        }
        else if (Interlocked.Exchange(ref _warned, 1) == 0)
        {
            Console.Error.WriteLine("hilrig: setpriv (util-linux) is missing: child processes will not die with the rig if it is killed; the next start sweeps them");
        }
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Work.Add(() =>
        {
            try
            {
                process.Start();
                started.SetResult();
            }
            catch (Exception ex)
            {
                started.SetException(ex);
            }
        });
        started.Task.GetAwaiter().GetResult();
        Registry?.Add(process);
    }

    /// <summary>Starts <paramref name="info"/> as <see cref="Start(Process)"/> does and returns the process.</summary>
    public static Process Start(ProcessStartInfo info)
    {
        var process = new Process { StartInfo = info };
        try
        {
            Start(process);
        }
        catch
        {
            process.Dispose();
            throw;
        }
        return process;
    }

    /// <summary>
    /// Kills what rig processes of this user that are gone left running (children in their pid files that
    /// still run, matched by pid and start time), and removes their pid files. Returns one line per process killed.
    /// </summary>
    public static IReadOnlyList<string> SweepLeftovers() => Registry?.Sweep() ?? [];

    private static ChildRegistry? OpenRegistry()
    {
        try
        {
            var registry = new ChildRegistry(Path.Combine(SharedDirectory.UserRuntime(), "children"), ProcessIdentity.Current);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => registry.Close();
            return registry;
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"hilrig: children are not recorded, so a crash's leftovers cannot be swept: {ex.Message}");
            return null;
        }
    }
}

/// <summary>
/// Pid files of the children of rig processes: DIRECTORY/OWNER/CHILD, where OWNER and CHILD are
/// <see cref="ProcessIdentity"/> strings (pid.starttime) and the file holds the child's command line.
/// A child's file is removed when it exits; the owner's folder when the owner sweeps at exit or the next rig sweeps it.
/// </summary>
public sealed class ChildRegistry
{
    private readonly string _directory;
    private readonly string _mine;

    /// <summary>Opens the registry in <paramref name="directory"/> for process <paramref name="owner"/>.</summary>
    public ChildRegistry(string directory, ProcessIdentity owner)
    {
        _directory = directory;
        _mine = Path.Combine(directory, owner.ToString());
    }

    /// <summary>Records <paramref name="process"/> (started) until it exits.</summary>
    public void Add(Process process)
    {
        if (ProcessIdentity.Of(process.Id) is not { } child) return;
        try
        {
            Directory.CreateDirectory(_mine);
            var file = Path.Combine(_mine, child.ToString());
            File.WriteAllText(file, process.StartInfo.FileName + " " + string.Join(' ', process.StartInfo.ArgumentList));
            process.EnableRaisingEvents = true;
            process.Exited += (_, _) => TryDelete(file);
            if (process.HasExited) TryDelete(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
        }
    }

    /// <summary>At a clean exit: removes this process's folder when none of its children is left running.</summary>
    public void Close()
    {
        try
        {
            if (Directory.Exists(_mine) && !Directory.EnumerateFiles(_mine).Any(f => ProcessIdentity.TryParse(Path.GetFileName(f), out var c) && c.IsAlive))
            {
                Directory.Delete(_mine, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The children recorded in the pid files of one owner's folder that still run, with their command lines.</summary>
    public static IReadOnlyList<(ProcessIdentity Child, string Command)> Recorded(string ownerDirectory)
    {
        var found = new List<(ProcessIdentity, string)>();
        if (!Directory.Exists(ownerDirectory)) return found;
        foreach (var file in Directory.EnumerateFiles(ownerDirectory))
        {
            if (!ProcessIdentity.TryParse(Path.GetFileName(file), out var child) || !child.IsAlive) continue;
            string command;
            try
            {
                command = File.ReadAllText(file);
            }
            catch (IOException)
            {
                continue;
            }
            // A file is created, then written: an empty one is a child being recorded right now.
            if (command.Length > 0) found.Add((child, command));
        }
        return found;
    }

    /// <summary>The children recorded by owners that are gone and still running (what <see cref="Sweep"/> would kill).</summary>
    public IReadOnlyList<(ProcessIdentity Owner, ProcessIdentity Child, string Command)> Leftovers()
    {
        if (!Directory.Exists(_directory)) return [];
        return [.. Directory.EnumerateDirectories(_directory)
            .Select(d => (Ok: ProcessIdentity.TryParse(Path.GetFileName(d), out var owner), Owner: owner, Directory: d))
            .Where(o => o.Ok && !o.Owner.IsAlive)
            .SelectMany(o => Recorded(o.Directory).Select(c => (o.Owner, c.Child, c.Command)))];
    }

    /// <summary>Kills the leftovers of owners that are gone and removes their pid files; one line per process killed.</summary>
    public IReadOnlyList<string> Sweep()
    {
        var lines = new List<string>();
        foreach (var (owner, child, command) in Leftovers())
        {
            if (Libc.Kill(child.Pid, Libc.SigKill) == 0)
            {
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"killed pid {child.Pid} ({Shorten(command)}), left running by rig process {owner.Pid} that is gone"));
            }
        }
        if (!Directory.Exists(_directory)) return lines;
        foreach (var ownerDir in Directory.EnumerateDirectories(_directory))
        {
            if (ProcessIdentity.TryParse(Path.GetFileName(ownerDir), out var owner) && owner.IsAlive) continue;
            try
            {
                Directory.Delete(ownerDir, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
        return lines;
    }

    private static string Shorten(string command) => command.Length <= 160 ? command : command[..157] + "...";

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
