using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;
using Xunit;

namespace HilRig.Layers.Tests;

/// <summary>
/// The layers of rig/ point down (issue 20, item 3): every project of rig/ has a layer, and each of its references,
/// declared (the csproj's ProjectReference) or compiled in (the assembly's references), goes to a lower layer. A
/// failure names the arrow that points up. Then the rules the layering alone does not say: HilRig.Protocol does no
/// I/O, nothing in rig/ but the CLI names or starts the CLI, the emulated module does not load the cluster side, and
/// the service reads nothing from a run's console.
/// </summary>
public sealed class LayerReferenceTests
{
    /// <summary>Every project under rig/ (and the scenarios project the CLI hosts) by assembly name, lowest first.</summary>
    private static readonly Dictionary<string, int> Layers = new(StringComparer.Ordinal)
    {
        ["HilRig.Platform"] = 0, ["HilRig.Protocol"] = 0, ["HilRig.Gherkin"] = 0,
        ["HilRig.Serial"] = 1, ["HilRig.Servers"] = 1, ["HilRig.Gateway.Device"] = 1,
        ["HilRig.Bench"] = 2, ["HilRig.Gateway"] = 2,
        ["hilrig-node"] = 3,
        ["HilRig.Core"] = 4,
        ["HilRig.Service"] = 5,
        ["HilRig.Scenarios"] = 6,
        ["hilrig"] = 7,
    };

    private static readonly string Root = HilRig.Scenarios.Support.RigSettings.FindRepositoryRoot(AppContext.BaseDirectory);

    public static TheoryData<string> RigProjects() => [.. Projects().Select(p => p.Assembly)];

    [Fact]
    public void Every_rig_project_has_a_layer()
    {
        var missing = Projects().Where(p => !Layers.ContainsKey(p.Assembly)).Select(p => p.Path).ToList();
        Assert.True(missing.Count == 0, $"no layer for {string.Join(", ", missing)}: add it to LayerReferenceTests.Layers");
    }

    [Theory]
    [MemberData(nameof(RigProjects))]
    public void Every_reference_points_down(string assembly)
    {
        var up = new List<string>();
        foreach (var target in DeclaredReferences(assembly).Concat(CompiledReferences(assembly)).Distinct())
        {
            if (Layers.TryGetValue(target, out var layer) && layer >= Layers[assembly])
            {
                up.Add($"{assembly} (layer {Layers[assembly]}) -> {target} (layer {layer})");
            }
        }
        Assert.True(up.Count == 0, "arrows that point up: " + string.Join("; ", up));
    }

    [Fact]
    public void Protocol_does_no_io()
    {
        using var pe = Open("HilRig.Protocol");
        var reader = pe.GetMetadataReader();
        var found = new List<string>();
        foreach (var name in reader.AssemblyReferences.Select(h => reader.GetString(reader.GetAssemblyReference(h).Name)))
        {
            if (name is "System.IO.Ports" || name.StartsWith("HilRig.", StringComparison.Ordinal)) found.Add($"references {name}");
        }
        string[] io = ["System.IO.File", "System.IO.FileInfo", "System.IO.FileStream", "System.IO.Directory", "System.IO.DirectoryInfo",
            "System.IO.StreamReader", "System.IO.StreamWriter", "System.Diagnostics.Process", "System.Diagnostics.ProcessStartInfo",
            "System.Net.Sockets.Socket", "System.Net.Sockets.TcpClient", "System.Net.Http.HttpClient", "System.Runtime.InteropServices.DllImportAttribute",
            "System.Runtime.InteropServices.LibraryImportAttribute", "System.Runtime.InteropServices.Marshal"];
        foreach (var type in reader.TypeReferences.Select(h => reader.GetTypeReference(h)))
        {
            var full = $"{reader.GetString(type.Namespace)}.{reader.GetString(type.Name)}";
            if (io.Contains(full) || full.StartsWith("System.IO.Ports.", StringComparison.Ordinal)) found.Add($"uses {full}");
        }
        foreach (var method in reader.MethodDefinitions.Select(h => reader.GetMethodDefinition(h)))
        {
            if ((method.Attributes & MethodAttributes.PinvokeImpl) != 0) found.Add($"calls native {reader.GetString(method.Name)}");
        }
        Assert.True(found.Count == 0, "HilRig.Protocol does I/O: " + string.Join("; ", found.Distinct()));
    }

    [Fact]
    public void Nothing_in_rig_but_the_cli_names_or_starts_the_cli()
    {
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, "rig"), "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Root, file);
            if (relative.StartsWith(Path.Combine("rig", "HilRig.Cli") + Path.DirectorySeparatorChar, StringComparison.Ordinal) || IsBuildOutput(relative)) continue;
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                // A run's reproduce line for people may say `dotnet run --project rig/HilRig.Cli`; code may not reach it.
                if (lines[i].Contains("hilrig.dll", StringComparison.Ordinal) || lines[i].Contains("HilrigExecutable", StringComparison.Ordinal)
                    || lines[i].Contains("HilRig.Cli.", StringComparison.Ordinal) || lines[i].Contains("using HilRig.Cli", StringComparison.Ordinal))
                {
                    found.Add($"{relative}:{i + 1}: {lines[i].Trim()}");
                }
            }
        }
        Assert.True(found.Count == 0, "rig/ names the CLI outside rig/HilRig.Cli: " + string.Join("; ", found));
    }

    [Fact]
    public void The_emulated_module_references_the_device_side_of_the_gateway_only()
    {
        var references = DeclaredReferences("HilRig.Bench").Concat(CompiledReferences("HilRig.Bench")).ToHashSet();
        Assert.Contains("HilRig.Gateway.Device", references);
        Assert.DoesNotContain("HilRig.Gateway", references);
        Assert.DoesNotContain("MQTTnet.Server", CompiledReferences("HilRig.Gateway.Device"));
    }

    [Fact]
    public void The_service_reads_nothing_from_a_runs_console()
    {
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, "rig", "HilRig.Service"), "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Root, file);
            if (IsBuildOutput(relative)) continue;
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i];
                // Console lines go to run.log as they come (RunLog.Write), and nowhere else.
                var consoleEvent = line.Contains("OutputDataReceived", StringComparison.Ordinal) || line.Contains("ErrorDataReceived", StringComparison.Ordinal);
                if (consoleEvent && !line.Contains("=> log.Write(e.Data,", StringComparison.Ordinal)
                    || line.Contains(".StandardOutput", StringComparison.Ordinal) || line.Contains(".StandardError", StringComparison.Ordinal))
                {
                    found.Add($"{relative}:{i + 1}: {line.Trim()}");
                }
            }
        }
        var log = File.ReadAllText(Path.Combine(Root, "rig", "HilRig.Service", "Runs", "RunLog.cs"));
        foreach (var inspect in new[] { ".Contains(", ".StartsWith(", ".EndsWith(", ".IndexOf(", ".Split(", ".Replace(", "Regex" })
        {
            if (log.Contains(inspect, StringComparison.Ordinal)) found.Add($"rig/HilRig.Service/Runs/RunLog.cs inspects a console line ({inspect})");
        }
        Assert.True(found.Count == 0, "the service parses a run's console: " + string.Join("; ", found));
    }

    private static bool IsBuildOutput(string relative) =>
        relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj");

    private static IEnumerable<(string Assembly, string Path)> Projects()
    {
        var projects = Directory.EnumerateFiles(Path.Combine(Root, "rig"), "*.csproj", SearchOption.AllDirectories)
            .Append(Path.Combine(Root, "scenarios", "HilRig.Scenarios", "HilRig.Scenarios.csproj"));
        foreach (var path in projects.Where(p => !IsBuildOutput(Path.GetRelativePath(Root, p))).Order(StringComparer.Ordinal))
        {
            yield return (AssemblyOf(path), Path.GetRelativePath(Root, path));
        }
    }

    private static string AssemblyOf(string csproj) =>
        XDocument.Load(csproj).Descendants("AssemblyName").FirstOrDefault()?.Value ?? Path.GetFileNameWithoutExtension(csproj);

    private static IEnumerable<string> DeclaredReferences(string assembly)
    {
        var path = Path.Combine(Root, Projects().Single(p => p.Assembly == assembly).Path);
        return XDocument.Load(path).Descendants("ProjectReference")
            .Select(r => AssemblyOf(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, r.Attribute("Include")!.Value))));
    }

    private static List<string> CompiledReferences(string assembly)
    {
        using var pe = Open(assembly);
        var reader = pe.GetMetadataReader();
        return [.. reader.AssemblyReferences.Select(h => reader.GetString(reader.GetAssemblyReference(h).Name))];
    }

    private static PEReader Open(string assembly)
    {
        var path = Path.Combine(AppContext.BaseDirectory, assembly + ".dll");
        Assert.True(File.Exists(path), $"{path} is missing: build tests/HilRig.Layers.Tests (it references the CLI, the top of rig/)");
        return new PEReader(File.OpenRead(path));
    }
}
