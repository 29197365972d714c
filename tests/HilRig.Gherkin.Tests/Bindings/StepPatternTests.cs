using HilRig.Gherkin.Bindings;

namespace HilRig.Gherkin.Tests.Bindings;

public sealed class StepPatternTests
{
    [Fact]
    public void Match_CapturesIntAndString_When_CucumberExpressionHasBoth()
    {
        var pattern = StepPattern.Compile("the chip {int} has firmware {string}");

        var arguments = pattern.Match("the chip -12 has firmware \"1.4 \\\"rc\\\"\"");

        Assert.NotNull(arguments);
        Assert.Equal("-12", arguments[0].Value);
        Assert.Equal("1.4 \"rc\"", arguments[1].Value);
        Assert.Equal("string", arguments[1].ParameterTypeName);
        Assert.Equal(9, arguments[0].Start);
    }

    [Fact]
    public void Match_StripsSingleQuotes_When_StringIsSingleQuoted()
    {
        var arguments = StepPattern.Compile("firmware {string}").Match("firmware '2.0'");

        Assert.Equal("2.0", Assert.Single(arguments!).Value);
    }

    [Theory]
    [InlineData("mode {word}", "mode power-save", "power-save")]
    [InlineData("volts {float}", "volts -3.25", "-3.25")]
    [InlineData("says {}", "says anything at all", "anything at all")]
    public void Match_CapturesValue_When_ParameterTypeMatches(string source, string text, string expected)
    {
        Assert.Equal(expected, Assert.Single(StepPattern.Compile(source).Match(text)!).Value);
    }

    [Fact]
    public void Match_ReturnsNull_When_WordWouldNeedWhitespace()
    {
        Assert.Null(StepPattern.Compile("mode {word}").Match("mode power save"));
    }

    [Theory]
    [InlineData("1 chip listening")]
    [InlineData("3 chips listening")]
    public void Match_AcceptsOptionalText_When_PatternHasParentheses(string text)
    {
        Assert.NotNull(StepPattern.Compile("{int} chip(s) listening").Match(text));
    }

    [Theory]
    [InlineData("there is 1 chip")]
    [InlineData("there are 2 chip")]
    public void Match_AcceptsEitherWord_When_PatternHasAlternation(string text)
    {
        Assert.NotNull(StepPattern.Compile("there is/are {int} chip").Match(text));
    }

    [Fact]
    public void Match_TreatsEscapedParenthesesLiterally_When_Escaped()
    {
        var pattern = StepPattern.Compile(@"the value \(in volts\) is {int}");

        Assert.NotNull(pattern.Match("the value (in volts) is 3"));
        Assert.Null(pattern.Match("the value  is 3"));
    }

    [Fact]
    public void Match_UsesWholeText_When_PatternIsRegex()
    {
        var pattern = StepPattern.Compile(@"^register (0x[0-9A-F]+)");

        Assert.True(pattern.IsRegularExpression);
        Assert.Equal("0x1F", Assert.Single(pattern.Match("register 0x1F")!).Value);
        Assert.Null(pattern.Match("register 0x1F extra"));
    }

    [Fact]
    public void Compile_Throws_When_ParameterTypeIsUnknown()
    {
        var error = Assert.Throws<FormatException>(() => StepPattern.Compile("the chip {chip} is on"));

        Assert.Contains("{chip}", error.Message, StringComparison.Ordinal);
    }
}
