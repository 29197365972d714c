using HilRig.Gherkin.Tests.Support;
using Reqnroll;

namespace HilRig.Gherkin.Tests.StepDefinitions;

/// <summary>Shared by two binding classes within a scenario; disposed at scenario end.</summary>
public sealed class SharedJournal : IDisposable
{
    private readonly Probe _probe;

    public SharedJournal(Probe probe)
    {
        _probe = probe;
        _probe.Add($"journal created {Id}");
    }

    public Guid Id { get; } = Guid.NewGuid();

    public List<string> Entries { get; } = [];

    public void Dispose() => _probe.Add($"journal disposed {Id}");
}

/// <summary>Created after the journal, so disposed before it.</summary>
public sealed class LateResource(Probe probe) : IAsyncDisposable
{
    public ValueTask DisposeAsync()
    {
        probe.Add("late resource disposed");
        return ValueTask.CompletedTask;
    }
}

[Binding]
public sealed class JournalWriterSteps(SharedJournal journal, Probe probe)
{
    [Given("the first binding writes {string} into the shared journal")]
    public void GivenTheFirstBindingWrites(string text)
    {
        journal.Entries.Add(text);
        probe.Add($"writer used {journal.Id}");
    }
}

[Binding]
public sealed class JournalReaderSteps(SharedJournal journal, LateResource late, Probe probe)
{
    [Then("the second binding reads {string} from the shared journal")]
    public void ThenTheSecondBindingReads(string text)
    {
        GC.KeepAlive(late);
        probe.Add($"reader used {journal.Id}");
        Assert.Equal([text], journal.Entries);
    }

    [Then("the shared journal is empty")]
    public void ThenTheSharedJournalIsEmpty()
    {
        probe.Add($"reader used {journal.Id}");
        Assert.Empty(journal.Entries);
    }
}
