namespace HilRig.Core.Wiring;

/// <summary>Options for <see cref="WiringLoader"/>.</summary>
public sealed record WiringLoadOptions
{
    /// <summary>The options used when none are given.</summary>
    public static WiringLoadOptions Default { get; } = new();

    /// <summary>
    /// Whether files the wiring refers to (factory images) must exist. Turn off to check the
    /// topology of a bench whose images have not been built yet.
    /// </summary>
    public bool CheckFilesExist { get; init; } = true;
}
