namespace HilRig.Gherkin;

/// <summary>What a binding can know about the feature being run. Injectable into bindings and hooks.</summary>
public sealed class FeatureContext
{
    internal FeatureContext(string name, string uri, IReadOnlyList<string> tags, string description)
    {
        Name = name;
        Uri = uri;
        Tags = tags;
        Description = description;
    }

    /// <summary>The feature's name (the text after <c>Feature:</c>).</summary>
    public string Name { get; }

    /// <summary>The feature file's path relative to the run's base directory, with forward slashes.</summary>
    public string Uri { get; }

    /// <summary>The feature's own tags, with <c>@</c>.</summary>
    public IReadOnlyList<string> Tags { get; }

    /// <summary>The free text under the feature line.</summary>
    public string Description { get; }

    /// <summary>Values shared by every scenario of this feature in one run.</summary>
    public IDictionary<string, object> Items { get; } = new Dictionary<string, object>(StringComparer.Ordinal);
}

/// <summary>
/// What a binding can know about the running scenario, and how it adds attachments (timelines, logs, captures)
/// to the report. One instance per scenario; injectable into bindings and hooks.
/// </summary>
public sealed class ScenarioContext
{
    private readonly Action<GherkinAttachment> _attachmentSink;

    internal ScenarioContext(
        string pickleId,
        string name,
        IReadOnlyList<string> tags,
        FeatureContext feature,
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

    /// <summary>The scenario's tags including those inherited from feature, rule and examples.</summary>
    public IReadOnlyList<string> Tags { get; }

    /// <summary>The feature this scenario belongs to.</summary>
    public FeatureContext Feature { get; }

    /// <summary>Cancelled when the run is asked to stop (e.g. SIGTERM); steps that wait should observe it.</summary>
    public CancellationToken RunCancellation { get; }

    /// <summary>Values shared by the bindings of this scenario.</summary>
    public IDictionary<string, object> Items { get; } = new Dictionary<string, object>(StringComparer.Ordinal);

    /// <summary>Reads a value stored in <see cref="Items"/>; throws a clear error when missing or of another type.</summary>
    public T Get<T>(string key) =>
        Items.TryGetValue(key, out var value) && value is T typed
            ? typed
            : throw new KeyNotFoundException($"Scenario context has no {typeof(T).Name} under '{key}'.");

    /// <summary>Attaches text (a log, a timeline as JSON) to the current step in the report.</summary>
    public void Attach(string name, string mediaType, string body) =>
        _attachmentSink(new GherkinAttachment(name, mediaType, body, null, DateTimeOffset.UtcNow));

    /// <summary>Attaches binary content (a capture, an image) to the current step in the report.</summary>
    public void Attach(string name, string mediaType, byte[] body) =>
        _attachmentSink(new GherkinAttachment(name, mediaType, null, body, DateTimeOffset.UtcNow));
}

/// <summary>An attachment added by a binding: either text or binary content.</summary>
/// <param name="Name">A file name or label, e.g. <c>timeline.json</c>.</param>
/// <param name="MediaType">The IANA media type, e.g. <c>application/json</c>.</param>
/// <param name="TextBody">The text content, or null when binary.</param>
/// <param name="BinaryBody">The binary content, or null when text.</param>
/// <param name="Timestamp">When it was attached.</param>
public sealed record GherkinAttachment(
    string Name,
    string MediaType,
    string? TextBody,
    byte[]? BinaryBody,
    DateTimeOffset Timestamp);
