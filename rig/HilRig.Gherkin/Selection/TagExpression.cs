namespace HilRig.Gherkin.Selection;

/// <summary>
/// A Cucumber tag expression: tags (<c>@sim</c>), <c>not</c>, <c>and</c>, <c>or</c> and parentheses, with the usual
/// precedence (not, then and, then or). An empty expression matches everything. Tag comparison is case-sensitive,
/// as in Cucumber.
/// </summary>
public sealed class TagExpression
{
    private readonly Func<IReadOnlySet<string>, bool> _evaluate;

    private TagExpression(string text, Func<IReadOnlySet<string>, bool> evaluate)
    {
        Text = text;
        _evaluate = evaluate;
    }

    /// <summary>The expression that matches every tag set.</summary>
    public static TagExpression Always { get; } = new("", _ => true);

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    /// <summary>Parses an expression; throws <see cref="GherkinException"/> naming the column and what was expected.</summary>
    public static TagExpression Parse(string? text)
    {
        if (!TryParse(text, out var expression, out var error))
        {
            throw new GherkinException(error);
        }

        return expression;
    }

    /// <summary>Parses an expression; on failure <paramref name="error"/> names the column and what was expected.</summary>
    public static bool TryParse(string? text, out TagExpression expression, out string error)
    {
        expression = Always;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var parser = new Parser(text);
        try
        {
            var evaluate = parser.ParseAll();
            expression = new TagExpression(text, evaluate);
            return true;
        }
        catch (FormatException exception)
        {
            error = $"Tag expression '{text}' is invalid: {exception.Message}";
            return false;
        }
    }

    /// <summary>Evaluates the expression against a set of tags (with <c>@</c>).</summary>
    public bool Matches(IEnumerable<string> tags) =>
        _evaluate(tags as IReadOnlySet<string> ?? new HashSet<string>(tags, StringComparer.Ordinal));

    /// <inheritdoc />
    public override string ToString() => Text;

    private sealed class Parser(string text)
    {
        private readonly List<(string Token, int Column)> _tokens = Tokenize(text);
        private int _position;

        public Func<IReadOnlySet<string>, bool> ParseAll()
        {
            var result = ParseOr();
            if (_position < _tokens.Count)
            {
                throw Unexpected("'and', 'or' or the end of the expression");
            }

            return result;
        }

        private Func<IReadOnlySet<string>, bool> ParseOr()
        {
            var left = ParseAnd();
            while (Accept("or"))
            {
                var (l, r) = (left, ParseAnd());
                left = tags => l(tags) || r(tags);
            }

            return left;
        }

        private Func<IReadOnlySet<string>, bool> ParseAnd()
        {
            var left = ParseNot();
            while (Accept("and"))
            {
                var (l, r) = (left, ParseNot());
                left = tags => l(tags) && r(tags);
            }

            return left;
        }

        private Func<IReadOnlySet<string>, bool> ParseNot()
        {
            if (Accept("not"))
            {
                var operand = ParseNot();
                return tags => !operand(tags);
            }

            if (Accept("("))
            {
                var inner = ParseOr();
                if (!Accept(")"))
                {
                    throw Unexpected("')'");
                }

                return inner;
            }

            if (_position < _tokens.Count && _tokens[_position].Token.StartsWith('@') && _tokens[_position].Token.Length > 1)
            {
                var tag = _tokens[_position++].Token;
                return tags => tags.Contains(tag);
            }

            throw Unexpected("a tag such as @sim, 'not' or '('");
        }

        private bool Accept(string token)
        {
            if (_position < _tokens.Count && _tokens[_position].Token == token)
            {
                _position++;
                return true;
            }

            return false;
        }

        private FormatException Unexpected(string expected) =>
            _position < _tokens.Count
                ? new FormatException($"at column {_tokens[_position].Column} expected {expected} but found '{_tokens[_position].Token}'.")
                : new FormatException($"expected {expected} but the expression ended.");

        private static List<(string Token, int Column)> Tokenize(string text)
        {
            var tokens = new List<(string, int)>();
            var i = 0;
            while (i < text.Length)
            {
                if (char.IsWhiteSpace(text[i]))
                {
                    i++;
                    continue;
                }

                if (text[i] is '(' or ')')
                {
                    tokens.Add((text[i].ToString(), i + 1));
                    i++;
                    continue;
                }

                var start = i;
                var token = new System.Text.StringBuilder();
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not '(' and not ')')
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    token.Append(text[i++]);
                }

                tokens.Add((token.ToString(), start + 1));
            }

            return tokens;
        }
    }
}
