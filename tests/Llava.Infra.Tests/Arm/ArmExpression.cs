using System.Globalization;
using System.Text;

namespace Llava.Infra.Tests.Arm;

/// <summary>A parsed ARM template language expression (the text between '[' and ']').</summary>
internal abstract record ArmExpression;

internal sealed record ArmStringLiteral(string Value) : ArmExpression;

internal sealed record ArmNumberLiteral(long Value) : ArmExpression;

internal sealed record ArmFunctionCall(string Name, IReadOnlyList<ArmExpression> Arguments) : ArmExpression;

internal sealed record ArmPropertyAccess(ArmExpression Target, string Property) : ArmExpression;

internal sealed record ArmIndexAccess(ArmExpression Target, ArmExpression Index) : ArmExpression;

/// <summary>
/// Parses ARM expressions: string literals ('it''s'), integers, function calls, '.property' and '[index]'.
/// That is the whole grammar the Bicep compiler emits.
/// </summary>
internal sealed class ArmExpressionParser
{
    private readonly string _text;
    private int _position;

    private ArmExpressionParser(string text)
    {
        _text = text;
    }

    public static ArmExpression Parse(string text)
    {
        var parser = new ArmExpressionParser(text);
        ArmExpression expression = parser.ParseExpression();
        parser.SkipWhitespace();
        if (parser._position != text.Length)
        {
            throw parser.Error("unexpected text after the expression");
        }

        return expression;
    }

    private ArmExpression ParseExpression()
    {
        ArmExpression expression = ParsePrimary();
        while (true)
        {
            SkipWhitespace();
            if (TryConsume('.'))
            {
                expression = new ArmPropertyAccess(expression, ParseIdentifier());
            }
            else if (TryConsume('['))
            {
                ArmExpression index = ParseExpression();
                Expect(']');
                expression = new ArmIndexAccess(expression, index);
            }
            else
            {
                return expression;
            }
        }
    }

    private ArmExpression ParsePrimary()
    {
        SkipWhitespace();
        if (_position >= _text.Length)
        {
            throw Error("unexpected end of expression");
        }

        char c = _text[_position];
        if (c == '\'')
        {
            return new ArmStringLiteral(ParseString());
        }

        if (char.IsDigit(c) || (c == '-' && _position + 1 < _text.Length && char.IsDigit(_text[_position + 1])))
        {
            int start = _position;
            _position++;
            while (_position < _text.Length && char.IsDigit(_text[_position]))
            {
                _position++;
            }

            return new ArmNumberLiteral(long.Parse(_text.AsSpan(start, _position - start), CultureInfo.InvariantCulture));
        }

        string name = ParseIdentifier();
        Expect('(');
        var arguments = new List<ArmExpression>();
        SkipWhitespace();
        if (!TryConsume(')'))
        {
            do
            {
                arguments.Add(ParseExpression());
                SkipWhitespace();
            }
            while (TryConsume(','));
            Expect(')');
        }

        return new ArmFunctionCall(name, arguments);
    }

    private string ParseString()
    {
        Expect('\'');
        var value = new StringBuilder();
        while (true)
        {
            if (_position >= _text.Length)
            {
                throw Error("unterminated string literal");
            }

            char c = _text[_position++];
            if (c != '\'')
            {
                value.Append(c);
            }
            else if (_position < _text.Length && _text[_position] == '\'')
            {
                value.Append('\'');
                _position++;
            }
            else
            {
                return value.ToString();
            }
        }
    }

    private string ParseIdentifier()
    {
        SkipWhitespace();
        int start = _position;
        while (_position < _text.Length && (char.IsLetterOrDigit(_text[_position]) || _text[_position] is '_' or '$'))
        {
            _position++;
        }

        if (start == _position)
        {
            throw Error("identifier expected");
        }

        return _text[start.._position];
    }

    private void SkipWhitespace()
    {
        while (_position < _text.Length && char.IsWhiteSpace(_text[_position]))
        {
            _position++;
        }
    }

    private bool TryConsume(char c)
    {
        SkipWhitespace();
        if (_position < _text.Length && _text[_position] == c)
        {
            _position++;
            return true;
        }

        return false;
    }

    private void Expect(char c)
    {
        if (!TryConsume(c))
        {
            throw Error($"'{c}' expected");
        }
    }

    private FormatException Error(string message) =>
        new($"ARM expression '{_text}', position {_position}: {message}.");
}
