namespace HilRig.Servers.Tls;

/// <summary>Key files: written whole with mode 0600 (never readable by others, not even for an instant), and refused when others can read them.</summary>
internal static class PrivateFiles
{
    /// <summary>Writes <paramref name="text"/> to a temporary file created with <paramref name="mode"/> and renames it over <paramref name="path"/>.</summary>
    public static void Write(string path, string text, UnixFileMode mode = BenchCertificateAuthority.PrivateFile)
    {
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }
        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Creates <paramref name="path"/> (and its parents) with mode 0700 where they are new.</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, BenchCertificateAuthority.PrivateDirectory);
        }
    }

    /// <summary>Throws when group or others may read or write the key at <paramref name="path"/> (ssh's rule for private keys).</summary>
    public static void RequirePrivate(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var mode = File.GetUnixFileMode(path);
        if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
        {
            throw new CertificateAuthorityException($"{path}: a private key that group or others may read (mode {Convert.ToString((int)mode, 8)}); chmod 600 it, or remove it to get a new one");
        }
    }
}
