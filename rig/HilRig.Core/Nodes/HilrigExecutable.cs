namespace HilRig.Core.Nodes;

/// <summary>Finds how to start `hilrig` itself, which hosts the emulated chips and module.</summary>
public static class HilrigExecutable
{
    /// <summary>The command and leading arguments that run `hilrig`.</summary>
    public static (string FileName, IReadOnlyList<string> Prefix) Resolve()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "hilrig.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"hilrig.dll not found next to {AppContext.BaseDirectory}; build rig/HilRig.Cli (or reference it from this project)");
        }
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(host) || !File.Exists(host))
        {
            var self = Environment.ProcessPath;
            host = self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        }
        return (host, ["exec", dll]);
    }
}
