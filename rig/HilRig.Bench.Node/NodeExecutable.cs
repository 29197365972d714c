namespace HilRig.Bench.Node;

/// <summary>How to start `hilrig-node`, the launcher of the bench's nodes: `dotnet exec hilrig-node.dll`.</summary>
public static class NodeExecutable
{
    /// <summary>The command and leading arguments that run `hilrig-node` (then give it chip, module or station).</summary>
    /// <exception cref="FileNotFoundException">hilrig-node.dll or its runtime configuration is missing (a broken build output).</exception>
    public static (string FileName, IReadOnlyList<string> Prefix) Resolve()
    {
        var dll = typeof(NodeExecutable).Assembly.Location;
        var runtimeConfig = Path.ChangeExtension(dll, ".runtimeconfig.json");
        if (string.IsNullOrEmpty(dll) || !File.Exists(runtimeConfig))
        {
            throw new FileNotFoundException($"hilrig-node: {runtimeConfig} not found (build rig/HilRig.Bench.Node, or reference it from the project that starts nodes)");
        }
        return (DotnetHost(), ["exec", dll]);
    }

    /// <summary>The dotnet host to start a framework-dependent program of this build with.</summary>
    public static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
