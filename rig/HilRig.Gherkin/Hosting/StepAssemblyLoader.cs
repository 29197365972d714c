using System.Reflection;
using System.Runtime.Loader;
using Reqnroll.Infrastructure;

namespace HilRig.Gherkin.Hosting;

/// <summary>
/// Loads a run's binding assemblies for Reqnroll: the ones the host passed as objects (by a key naming them), and
/// dll paths (a QA team's step library). Reqnroll's own loader does <c>Assembly.Load(name)</c>, which a path fails.
/// A path loads into the default load context, so the library shares this process's Reqnroll (else <c>[Binding]</c>
/// and <c>ScenarioContext</c> would be other types), with its own dependencies resolved from its folder.
/// </summary>
internal sealed class StepAssemblyLoader(IReadOnlyList<Assembly> knownAssemblies) : IBindingAssemblyLoader
{
    private const string KeyPrefix = "hilrig-assembly:";
    private static readonly Dictionary<string, Assembly> LoadedPaths = new(StringComparer.Ordinal);

    /// <summary>The name under which an assembly object goes into Reqnroll's <c>AdditionalStepAssemblies</c>.</summary>
    public static string KeyOf(Assembly assembly) => KeyPrefix + assembly.FullName;

    public Assembly Load(string assemblyName)
    {
        ArgumentNullException.ThrowIfNull(assemblyName);
        if (assemblyName.StartsWith(KeyPrefix, StringComparison.Ordinal))
        {
            return knownAssemblies.First(a => KeyOf(a) == assemblyName);
        }

        return assemblyName.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? LoadFromPath(Path.GetFullPath(assemblyName))
            : Assembly.Load(assemblyName);
    }

    private static Assembly LoadFromPath(string path)
    {
        lock (LoadedPaths)
        {
            if (LoadedPaths.TryGetValue(path, out var loaded))
            {
                return loaded;
            }

            if (!File.Exists(path))
            {
                throw new GherkinException($"{path}: no such step assembly (RunOptions.StepAssemblies, hilrig run --steps).");
            }

            var resolver = new AssemblyDependencyResolver(path);
            AssemblyLoadContext.Default.Resolving += (context, name) =>
                resolver.ResolveAssemblyToPath(name) is { } dependency ? context.LoadFromAssemblyPath(dependency) : null;
            var assembly = AppDomain.CurrentDomain.GetAssemblies()
                .FirstOrDefault(a => !a.IsDynamic && string.Equals(a.Location, path, StringComparison.Ordinal))
                ?? AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
            LoadedPaths[path] = assembly;
            return assembly;
        }
    }
}
