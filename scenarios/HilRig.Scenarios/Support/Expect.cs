using HilRig.Protocol.Messages;

namespace HilRig.Scenarios.Support;

/// <summary>Assertions that report every chip that is wrong at once, in words QA can read.</summary>
public static class Expect
{
    /// <summary>Checks each chip's status; <paramref name="problem"/> returns null when the chip is right.</summary>
    public static void ForEachChip(IReadOnlyDictionary<string, StatusPayload?> statuses, Func<string, StatusPayload?, string?> problem)
    {
        var problems = statuses.Select(s => problem(s.Key, s.Value)).OfType<string>().ToList();
        if (problems.Count > 0)
        {
            throw new ExpectationException(string.Join(Environment.NewLine, problems));
        }
    }

    /// <summary>Fails with <paramref name="message"/> unless <paramref name="condition"/> holds.</summary>
    public static void That(bool condition, string message)
    {
        if (!condition)
        {
            throw new ExpectationException(message);
        }
    }
}

/// <summary>A scenario expectation that did not hold.</summary>
public sealed class ExpectationException(string message) : Exception(message);
