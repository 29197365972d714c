using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HilRig.Core.Wiring;

/// <summary>Collects the errors of one wiring file so that all of them are reported at once.</summary>
internal sealed class WiringErrorList(string sourcePath)
{
    private readonly List<WiringError> errors = [];

    public string SourcePath { get; } = sourcePath;

    public bool HasErrors => errors.Count > 0;

    public void Add(Mark mark, string rule) =>
        errors.Add(new WiringError(SourcePath, (int)mark.Line, (int)mark.Column, rule));

    public void Add(YamlNode node, string rule) => Add(node.Start, rule);

    /// <summary>The errors in file order (stable for errors at the same position).</summary>
    public IReadOnlyList<WiringError> InFileOrder() =>
        errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList();

    public void ThrowIfAny()
    {
        if (HasErrors)
        {
            throw new WiringException(InFileOrder());
        }
    }
}
