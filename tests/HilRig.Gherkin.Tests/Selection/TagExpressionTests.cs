using HilRig.Gherkin.Selection;

namespace HilRig.Gherkin.Tests.Selection;

public sealed class TagExpressionTests
{
    [Theory]
    [InlineData("@a and not (@b or @c)", "@a", true)]
    [InlineData("@a and not (@b or @c)", "@a @c", false)]
    [InlineData("@a or @b and @c", "@a", true)]
    [InlineData("(@a or @b) and @c", "@a", false)]
    [InlineData("not @slow", "@fast", true)]
    [InlineData("", "@anything", true)]
    public void Matches_FollowsPrecedence_When_Evaluated(string expression, string tags, bool expected)
    {
        var parsed = TagExpression.Parse(expression);

        Assert.Equal(expected, parsed.Matches(tags.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Theory]
    [InlineData("@a and", "ended")]
    [InlineData("@a @b", "column 4")]
    [InlineData("(@a or @b", "')'")]
    [InlineData("a and @b", "column 1")]
    public void Parse_GivesOneClearMessage_When_ExpressionIsInvalid(string expression, string expectedFragment)
    {
        var error = Assert.Throws<GherkinException>(() => TagExpression.Parse(expression));

        Assert.Contains($"'{expression}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(expectedFragment, error.Message, StringComparison.Ordinal);
    }
}
