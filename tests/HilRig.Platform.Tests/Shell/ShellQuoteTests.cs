using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using HilRig.Platform.Shell;
using Xunit;

namespace HilRig.Platform.Tests.Shell;

/// <summary>A quoted word, pasted into /bin/sh, is that word: nothing in it runs or expands.</summary>
public sealed class ShellQuoteTests
{
    [Theory]
    [InlineData("@sim and not @slow")]
    [InlineData("$(touch /tmp/hilrig-pwned)")]
    [InlineData("`id`")]
    [InlineData("it's \"quoted\" $HOME *")]
    [InlineData("a'b''c")]
    [InlineData("")]
    [InlineData("line\nbreak; rm -rf x")]
    public async Task The_shell_reads_back_the_word_it_was_given(string word)
    {
        Assert.Equal([word], await ShellWordsAsync(ShellQuote.Word(word)));
    }

    [Fact]
    public void Safe_words_are_left_as_they_are()
    {
        Assert.Equal("scenarios/HilRig.Scenarios/Features/x.feature:12", ShellQuote.Word("scenarios/HilRig.Scenarios/Features/x.feature:12"));
        Assert.Equal("--seed", ShellQuote.Word("--seed"));
        Assert.Equal("'a b'", ShellQuote.Word("a b"));
    }

    [Fact]
    public async Task Any_words_survive_a_round_trip_through_the_shell()
    {
        // Printable ASCII and a few others; NUL cannot be in an argument at all.
        var words = ArbMap.Default.GeneratorFor<string>()
            .Select(s => new string((s ?? "").Where(c => c is >= ' ' and <= '~' or '\n' or '\t' or 'é').ToArray()))
            .ArrayOf().Where(a => a.Length is > 0 and < 6)
            .Sample(40);
        foreach (var sample in words)
        {
            Assert.Equal(sample, await ShellWordsAsync(ShellQuote.Join(sample)));
        }
    }

    private static async Task<string[]> ShellWordsAsync(string line)
    {
        // printf prints each argument followed by NUL, so any word (newlines included) comes back whole.
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("printf '%s\\0' " + line);
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, process.ExitCode);
        return output.Split('\0')[..^1];
    }
}
