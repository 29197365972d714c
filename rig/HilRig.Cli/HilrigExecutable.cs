using HilRig.Bench.Node;

namespace HilRig.Cli;

/// <summary>How to start `hilrig` itself: `hilrig serve` gives it to the service for its runs; tests start it so.</summary>
public static class HilrigExecutable
{
    /// <summary>The command and leading arguments that run `hilrig`.</summary>
    public static (string FileName, IReadOnlyList<string> Prefix) Resolve()
    {
        var dll = typeof(HilrigExecutable).Assembly.Location;
        if (string.IsNullOrEmpty(dll) || !File.Exists(dll))
        {
            throw new FileNotFoundException($"hilrig.dll not found next to {AppContext.BaseDirectory}; build rig/HilRig.Cli (or reference it from this project)");
        }
        return (NodeExecutable.DotnetHost(), ["exec", dll]);
    }
}
