using HilRig.Gherkin.Features;
using HilRig.Gherkin.Injection;

namespace HilRig.Gherkin.Execution;

/// <summary>A feature that has started in a run: its context, its scope, and whether BeforeFeature failed.</summary>
internal sealed class FeatureState(FeatureFile feature, ObjectContainer runContainer)
{
    public FeatureFile Feature { get; } = feature;

    public FeatureContext Context { get; } = new(feature.Name, feature.Uri, feature.Tags, feature.Description);

    public ObjectContainer Container { get; } = new(runContainer);

    /// <summary>Set when a BeforeFeature hook threw; every pickle of the feature then fails with it.</summary>
    public string? BeforeFeatureError { get; set; }
}
