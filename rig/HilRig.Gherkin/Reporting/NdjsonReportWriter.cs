using System.Text;
using HilRig.Gherkin.Execution;
using HilRig.Gherkin.Features;
using Io.Cucumber.Messages.Types;

namespace HilRig.Gherkin.Reporting;

/// <summary>
/// Writes the run as Cucumber messages NDJSON (what the Cucumber HTML formatter reads), one envelope per line,
/// flushed after every test case so a crash loses at most the pickle that was running. Every line is valid JSON in
/// UTF-8 whatever the texts hold (see <see cref="MessageJson"/>), and a run that started always ends with
/// testRunFinished: if the run never reported its end, <see cref="Dispose"/> writes one that says so.
/// </summary>
public sealed partial class NdjsonReportWriter : IRunListener, IDisposable
{
    private readonly StreamWriter _writer;
    private readonly HashSet<FeatureFile> _emittedFeatures = [];
    private readonly HashSet<string> _emittedPickles = new(StringComparer.Ordinal);
    private string _runId = "";
    private bool _runStarted;
    private bool _runFinished;

    /// <summary>Writes to <paramref name="stream"/>, which the writer then owns.</summary>
    public NdjsonReportWriter(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n" };
    }

    /// <summary>
    /// The bench this run's test cases run on, written as testCaseStarted.workerId (a bench of <c>hilrig run --parallel</c>);
    /// null: none is named.
    /// </summary>
    public string? WorkerId { get; init; }

    /// <summary>Creates (or replaces) the file at <paramref name="path"/>, creating its directory; <paramref name="workerId"/>: see <see cref="WorkerId"/>.</summary>
    public static NdjsonReportWriter Create(string path, string? workerId = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return new NdjsonReportWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read)) { WorkerId = workerId };
    }

    /// <inheritdoc />
    public void OnRunStarted(RunStartedEvent run)
    {
        ArgumentNullException.ThrowIfNull(run);
        _runId = run.RunId;
        _runStarted = true;
        Write(MessageFactory.Meta());
        foreach (var feature in run.Features)
        {
            EmitFeature(feature);
        }

        foreach (var pickle in run.Pickles)
        {
            EmitPickle(pickle);
        }

        foreach (var parameterType in run.Bindings.ParameterTypes.Where(p => p.Binding.Name is not null || p.Binding.Regex is not null))
        {
            Write(MessageFactory.ParameterType(parameterType));
        }

        foreach (var definition in run.Bindings.StepDefinitions)
        {
            if (definition.Error is { } error && UndefinedParameterType().Match(error) is { Success: true } undefined)
            {
                Write(Envelope.Create(new UndefinedParameterType(definition.Pattern, undefined.Groups[1].Value)));
            }
            else if (definition.Error is null)
            {
                Write(MessageFactory.StepDefinition(definition));
            }
        }

        foreach (var hook in run.Bindings.Hooks.Where(h => h.Kind is not (Reqnroll.Bindings.HookType.BeforeStep or Reqnroll.Bindings.HookType.AfterStep
            or Reqnroll.Bindings.HookType.BeforeScenarioBlock or Reqnroll.Bindings.HookType.AfterScenarioBlock)))
        {
            Write(MessageFactory.Hook(hook));
        }

        Write(Envelope.Create(new TestRunStarted(MessageFactory.Timestamp(run.Timestamp), run.RunId)));
        _writer.Flush();
    }

    /// <inheritdoc />
    public void OnRunHookStarted(RunHookExecution hook, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(hook);
        Write(Envelope.Create(new TestRunHookStarted(hook.Id, _runId, hook.Hook.Id, null, MessageFactory.Timestamp(timestamp))));
    }

    /// <inheritdoc />
    public void OnRunHookFinished(RunHookResult result, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(result);
        Write(Envelope.Create(new TestRunHookFinished(result.Hook.Id, MessageFactory.Result(result), MessageFactory.Timestamp(timestamp))));
        _writer.Flush();
    }

    /// <inheritdoc />
    public void OnPickleStarted(TestCasePlan testCase, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(testCase);
        EmitFeature(testCase.Pickle.Feature);
        EmitPickle(testCase.Pickle);
        if (testCase.Attempt == 0)
        {
            // A retry is the same test case started again: testCase once, testCaseStarted per attempt.
            Write(MessageFactory.TestCase(testCase, _runId));
        }

        Write(Envelope.Create(new TestCaseStarted(testCase.Attempt, testCase.TestCaseStartedId, testCase.TestCaseId, WorkerId, MessageFactory.Timestamp(timestamp))));
    }

    /// <inheritdoc />
    public void OnStepStarted(TestCasePlan testCase, PlannedStep step, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(testCase);
        ArgumentNullException.ThrowIfNull(step);
        Write(Envelope.Create(new TestStepStarted(testCase.TestCaseStartedId, step.Id, MessageFactory.Timestamp(timestamp))));
    }

    /// <inheritdoc />
    public void OnAttachment(TestCasePlan testCase, PlannedStep? step, GherkinAttachment attachment)
    {
        ArgumentNullException.ThrowIfNull(testCase);
        ArgumentNullException.ThrowIfNull(attachment);
        var (body, encoding) = attachment.BinaryBody is { } bytes
            ? (Convert.ToBase64String(bytes), AttachmentContentEncoding.BASE64)
            : (attachment.TextBody ?? "", AttachmentContentEncoding.IDENTITY);
        Write(Envelope.Create(new Attachment(
            body, encoding, attachment.Name, attachment.MediaType, null, testCase.TestCaseStartedId, step?.Id, null, null, null,
            MessageFactory.Timestamp(attachment.Timestamp))));
    }

    /// <inheritdoc />
    public void OnStepFinished(TestCasePlan testCase, StepResult result, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(testCase);
        ArgumentNullException.ThrowIfNull(result);
        if (result.Snippet is not null && result.Step.PickleStep is not null)
        {
            Write(Envelope.Create(new Suggestion(Guid.NewGuid().ToString(), result.Step.PickleStep.Id, [new Snippet("csharp", result.Snippet)])));
        }

        Write(Envelope.Create(new TestStepFinished(testCase.TestCaseStartedId, result.Step.Id, MessageFactory.Result(result), MessageFactory.Timestamp(timestamp))));
    }

    /// <inheritdoc />
    public void OnPickleFinished(TestCasePlan testCase, PickleResult result, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(testCase);
        ArgumentNullException.ThrowIfNull(result);
        Write(Envelope.Create(new TestCaseFinished(testCase.TestCaseStartedId, MessageFactory.Timestamp(timestamp), result.WillBeRetried)));
        _writer.Flush();
    }

    /// <inheritdoc />
    public void OnRunFinished(RunResult result, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(result);
        var message = result.Errors.Count > 0 ? string.Join("\n", result.Errors) : result.Cancelled ? "The run was cancelled." : null;
        var exception = result.Exception is { } e ? new Io.Cucumber.Messages.Types.Exception(e.Type, e.Message, e.StackTrace) : null;
        _runFinished = true;
        Write(Envelope.Create(new TestRunFinished(message, result.Success, MessageFactory.Timestamp(timestamp), exception, _runId)));
        _writer.Flush();
    }

    /// <summary>Closes the file, first writing a failed testRunFinished if the run started and never reported its end.</summary>
    public void Dispose()
    {
        try
        {
            if (_runStarted && !_runFinished)
            {
                _runFinished = true;
                Write(Envelope.Create(new TestRunFinished(
                    "The run ended without reporting its end (the runner stopped).", false, MessageFactory.Timestamp(DateTimeOffset.UtcNow), null, _runId)));
            }
        }
        finally
        {
            _writer.Dispose();
        }
    }

    private void EmitFeature(FeatureFile feature)
    {
        if (_emittedFeatures.Add(feature))
        {
            Write(Envelope.Create(new Source(feature.Uri, feature.Source, SourceMediaType.TEXT_X_CUCUMBER_GHERKIN_PLAIN)));
            Write(Envelope.Create(feature.Document));
        }
    }

    private void EmitPickle(PickleInfo pickle)
    {
        EmitFeature(pickle.Feature);
        if (_emittedPickles.Add(pickle.Pickle.Id))
        {
            Write(Envelope.Create(pickle.Pickle));
        }
    }

    private void Write(Envelope envelope) => _writer.WriteLine(MessageJson.Serialize(envelope));

    [System.Text.RegularExpressions.GeneratedRegex("Undefined parameter type '(.*?)'")]
    private static partial System.Text.RegularExpressions.Regex UndefinedParameterType();
}
