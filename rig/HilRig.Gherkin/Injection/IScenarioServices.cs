namespace HilRig.Gherkin.Injection;

/// <summary>
/// The context-injection container seen by the host: register run-wide instances (options, a
/// <see cref="CancellationToken"/>, a bench) that bindings receive through their constructors.
/// </summary>
public interface IScenarioServices
{
    /// <summary>Makes <paramref name="instance"/> the answer for <paramref name="serviceType"/>. The container never disposes it.</summary>
    void RegisterInstance(Type serviceType, object instance);

    /// <summary>Resolves a registered instance, or creates and shares one for the rest of the scope.</summary>
    object Resolve(Type serviceType);
}

/// <summary>Generic helpers over <see cref="IScenarioServices"/>.</summary>
public static class ScenarioServicesExtensions
{
    /// <summary>Registers <paramref name="instance"/> as the answer for <typeparamref name="T"/>.</summary>
    public static void RegisterInstance<T>(this IScenarioServices services, T instance)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(services);
        services.RegisterInstance(typeof(T), instance);
    }

    /// <summary>Resolves <typeparamref name="T"/>.</summary>
    public static T Resolve<T>(this IScenarioServices services)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(services);
        return (T)services.Resolve(typeof(T));
    }
}
