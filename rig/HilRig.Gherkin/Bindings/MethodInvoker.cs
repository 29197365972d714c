using System.Reflection;
using System.Runtime.ExceptionServices;

namespace HilRig.Gherkin.Bindings;

/// <summary>Invokes step and hook methods returning void, Task or ValueTask, and rethrows what the method threw.</summary>
internal static class MethodInvoker
{
    public static async Task InvokeAsync(MethodInfo method, object? target, object?[] arguments)
    {
        object? returned;
        try
        {
            returned = method.Invoke(target, arguments);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(exception.InnerException).Throw();
            throw;
        }

        switch (returned)
        {
            case Task task:
                await task.ConfigureAwait(false);
                break;
            case ValueTask valueTask:
                await valueTask.ConfigureAwait(false);
                break;
            case not null when returned.GetType() is { IsGenericType: true } type
                                && type.GetGenericTypeDefinition() == typeof(ValueTask<>):
                await ((Task)type.GetMethod(nameof(ValueTask<int>.AsTask))!.Invoke(returned, null)!).ConfigureAwait(false);
                break;
        }
    }
}
