namespace HilRig.Gherkin;

/// <summary>The feature a scenario belongs to, as <see cref="ScenarioRun.Feature"/> shows it.</summary>
/// <param name="Name">The feature's name (the text after <c>Feature:</c>).</param>
/// <param name="Uri">The feature file's path relative to the run's base directory, with forward slashes.</param>
/// <param name="Tags">The feature's own tags, with <c>@</c>.</param>
/// <param name="Description">The free text under the feature line.</param>
public sealed record ScenarioFeature(string Name, string Uri, IReadOnlyList<string> Tags, string Description);

/// <summary>
/// The running scenario as the rig sees it: its pickle id, name, tags and feature, the run's cancellation, values
/// shared by its bindings, and the way to attach timelines, logs and captures to the report. The host registers one
/// per scenario in Reqnroll's scenario container, so bindings, hooks and drivers take it through their constructor
/// (next to Reqnroll's own <c>ScenarioContext</c>, which knows nothing of pickle ids or the report).
/// </summary>
public sealed class ScenarioRun
{
    private readonly Action<GherkinAttachment> _attachmentSink;

    internal ScenarioRun(
        string pickleId,
        string name,
        IReadOnlyList<string> tags,
        ScenarioFeature feature,
        CancellationToken runCancellation,
        Action<GherkinAttachment> attachmentSink)
    {
        PickleId = pickleId;
        Name = name;
        Tags = tags;
        Feature = feature;
        RunCancellation = runCancellation;
        _attachmentSink = attachmentSink;
    }

    /// <summary>The stable pickle id, <c>relative/path.feature:LINE</c>.</summary>
    public string PickleId { get; }

    /// <summary>The scenario's name; for outlines, with the example values substituted.</summary>
    public string Name { get; }

    /// <summary>The scenario's tags with <c>@</c>, including those inherited from feature, rule and examples.</summary>
    public IReadOnlyList<string> Tags { get; }

    /// <summary>The feature this scenario belongs to.</summary>
    public ScenarioFeature Feature { get; }

    /// <summary>Cancelled when the run is asked to stop (e.g. SIGTERM); steps that wait should observe it.</summary>
    public CancellationToken RunCancellation { get; }

    /// <summary>Values shared by the bindings of this scenario.</summary>
    public IDictionary<string, object> Items { get; } = new Dictionary<string, object>(StringComparer.Ordinal);

    /// <summary>Reads a value stored in <see cref="Items"/>; throws a clear error when missing or of another type.</summary>
    public T Get<T>(string key) =>
        Items.TryGetValue(key, out var value) && value is T typed
            ? typed
            : throw new KeyNotFoundException($"Scenario run has no {typeof(T).Name} under '{key}'.");

    /// <summary>Attaches text (a log, a timeline as JSON) to the current step or hook in the report.</summary>
    public void Attach(string name, string mediaType, string body) =>
        _attachmentSink(new GherkinAttachment(name, mediaType, body, null, DateTimeOffset.UtcNow));

    /// <summary>Attaches binary content (a capture, an image) to the current step or hook in the report.</summary>
    public void Attach(string name, string mediaType, byte[] body) =>
        _attachmentSink(new GherkinAttachment(name, mediaType, null, body, DateTimeOffset.UtcNow));
}

/// <summary>An attachment added by a binding: either text or binary content.</summary>
/// <param name="Name">A file name or label, e.g. <c>timeline.json</c>; null for log text (Reqnroll's output helper).</param>
/// <param name="MediaType">The IANA media type, e.g. <c>application/json</c>.</param>
/// <param name="TextBody">The text content, or null when binary.</param>
/// <param name="BinaryBody">The binary content, or null when text.</param>
/// <param name="Timestamp">When it was attached.</param>
public sealed record GherkinAttachment(
    string? Name,
    string MediaType,
    string? TextBody,
    byte[]? BinaryBody,
    DateTimeOffset Timestamp);
