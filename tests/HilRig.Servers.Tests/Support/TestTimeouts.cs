namespace HilRig.Servers.Tests.Support;

/// <summary>How long tests wait for something that should happen at once on loopback.</summary>
public static class TestTimeouts
{
    public static readonly TimeSpan Event = TimeSpan.FromSeconds(10);
}
