using System.Reflection;
using System.Runtime.ExceptionServices;

namespace HilRig.Gherkin.Injection;

/// <summary>
/// A scope of context injection: run, feature or scenario. Objects are created on first request and shared
/// for the rest of the scope; a child scope sees what its parents already hold, and creates the rest itself.
/// </summary>
internal sealed class ObjectContainer : IScenarioServices, IAsyncDisposable
{
    private readonly ObjectContainer? _parent;
    private readonly Dictionary<Type, object> _instances = [];
    private readonly List<object> _created = [];
    private readonly HashSet<Type> _resolving = [];

    public ObjectContainer(ObjectContainer? parent)
    {
        _parent = parent;
        _instances[typeof(IScenarioServices)] = this;
    }

    public void RegisterInstance(Type serviceType, object instance)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        ArgumentNullException.ThrowIfNull(instance);
        if (!serviceType.IsInstanceOfType(instance))
        {
            throw new ArgumentException($"{instance.GetType().Name} is not a {serviceType.Name}.", nameof(instance));
        }

        _instances[serviceType] = instance;
    }

    public object Resolve(Type serviceType)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return TryGetExisting(serviceType) ?? Create(serviceType);
    }

    /// <summary>Disposes what this scope created, newest first; returns the errors instead of stopping at the first.</summary>
    public async Task<IReadOnlyList<Exception>> DisposeCreatedAsync()
    {
        var errors = new List<Exception>();
        for (var i = _created.Count - 1; i >= 0; i--)
        {
            try
            {
                switch (_created[i])
                {
                    case IAsyncDisposable asyncDisposable:
                        await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                        break;
                    case IDisposable disposable:
                        disposable.Dispose();
                        break;
                }
            }
            catch (Exception exception)
            {
                errors.Add(new InvalidOperationException(
                    $"Disposing {_created[i].GetType().Name} failed: {exception.GetType().Name}: {exception.Message}", exception));
            }
        }

        _created.Clear();
        return errors;
    }

    public async ValueTask DisposeAsync()
    {
        var errors = await DisposeCreatedAsync().ConfigureAwait(false);
        if (errors.Count > 0)
        {
            throw new AggregateException(errors);
        }
    }

    private object? TryGetExisting(Type serviceType) =>
        _instances.TryGetValue(serviceType, out var instance) ? instance : _parent?.TryGetExisting(serviceType);

    private object Create(Type type)
    {
        if (!type.IsClass || type.IsAbstract || type == typeof(string) || type.IsGenericTypeDefinition)
        {
            throw new InvalidOperationException(
                $"Cannot inject {type.Name}: only classes with a public constructor are created; register other types through RunOptions.ConfigureServices.");
        }

        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault()
            ?? throw new InvalidOperationException($"Cannot inject {type.Name}: it has no public constructor.");

        if (!_resolving.Add(type))
        {
            throw new InvalidOperationException($"Cannot inject {type.Name}: its constructor depends on itself ({string.Join(" -> ", _resolving.Select(t => t.Name))} -> {type.Name}).");
        }

        try
        {
            var arguments = constructor.GetParameters().Select(p => Resolve(p.ParameterType)).ToArray();
            object instance;
            try
            {
                instance = constructor.Invoke(arguments);
            }
            catch (TargetInvocationException exception) when (exception.InnerException is not null)
            {
                ExceptionDispatchInfo.Capture(exception.InnerException).Throw();
                throw;
            }

            _instances[type] = instance;
            _created.Add(instance);
            return instance;
        }
        finally
        {
            _resolving.Remove(type);
        }
    }
}
