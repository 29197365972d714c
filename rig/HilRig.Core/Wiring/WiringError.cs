namespace HilRig.Core.Wiring;

/// <summary>
/// One broken rule in a wiring file, with the position of the offending YAML node.
/// Renders as <c>file:line:col: rule</c>, the format editors and CI logs link to.
/// </summary>
/// <param name="SourcePath">The wiring file, as the caller named it.</param>
/// <param name="Line">1-based line, or 0 when the error concerns the whole file (e.g. it is missing).</param>
/// <param name="Column">1-based column, or 0 when <paramref name="Line"/> is 0.</param>
/// <param name="Rule">The broken rule in plain words.</param>
public sealed record WiringError(string SourcePath, int Line, int Column, string Rule)
{
    /// <inheritdoc />
    public override string ToString() =>
        Line > 0 ? $"{SourcePath}:{Line}:{Column}: {Rule}" : $"{SourcePath}: {Rule}";
}

/// <summary>
/// Thrown when a wiring file cannot be used. Carries every error found in the file, not just the
/// first; <see cref="Exception.Message"/> lists them one per line.
/// </summary>
public sealed class WiringException : Exception
{
    /// <summary>Creates the exception from the errors of one wiring file (at least one).</summary>
    public WiringException(IReadOnlyList<WiringError> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        if (errors.Count == 0)
        {
            throw new ArgumentException("A wiring exception needs at least one error.", nameof(errors));
        }

        Errors = errors;
    }

    /// <summary>Every error found in the file, in file order.</summary>
    public IReadOnlyList<WiringError> Errors { get; }
}
