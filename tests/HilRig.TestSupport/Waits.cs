using Xunit;

namespace HilRig.TestSupport;

/// <summary>Awaiting something that should happen at once on loopback, with a bound and the test's cancellation.</summary>
public static class Waits
{
    /// <summary>Upper bound for any awaited event; they normally arrive in milliseconds.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>The task, failing with a TimeoutException after <see cref="Timeout"/>.</summary>
    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(Timeout, TestContext.Current.CancellationToken);

    /// <summary>The task, failing with a TimeoutException after <see cref="Timeout"/>.</summary>
    public static Task Within(this Task task) => task.WaitAsync(Timeout, TestContext.Current.CancellationToken);
}
