namespace HilRig.Cli.Commands;

/// <summary>
/// A fresh directory under the temp folder that a one-shot command works in, and that is removed when it is disposed
/// (unless kept), however the command ends: the proof of `hilrig wiring check` put flash files, node logs and a
/// timeline there, and every node process the .NET runtime files of its own (diagnostic sockets, debug pipes, left
/// behind when a power cut kills the node), about 400 KB per check. So that those land here too, TMPDIR points
/// inside it for the processes started meanwhile, and is restored on disposal.
/// </summary>
internal sealed class ScratchDirectory : IDisposable
{
    private const string TempVariable = "TMPDIR";

    private readonly bool _keep;
    private readonly string? _previousTemp;

    private ScratchDirectory(string path, bool keep)
    {
        Path = path;
        _keep = keep;
        _previousTemp = Environment.GetEnvironmentVariable(TempVariable);
        var temp = System.IO.Path.Combine(path, "tmp");
        Directory.CreateDirectory(temp);
        Environment.SetEnvironmentVariable(TempVariable, temp);
    }

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary>Makes a new directory named <paramref name="prefix"/> and a random suffix.</summary>
    public static ScratchDirectory Create(string prefix, bool keep) => new(Directory.CreateTempSubdirectory(prefix).FullName, keep);

    /// <inheritdoc />
    public void Dispose()
    {
        Environment.SetEnvironmentVariable(TempVariable, _previousTemp);
        if (_keep)
        {
            return;
        }
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"could not remove the scratch directory {Path}: {ex.Message}");
        }
    }
}
