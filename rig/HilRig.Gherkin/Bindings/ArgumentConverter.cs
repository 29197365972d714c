using System.Globalization;

namespace HilRig.Gherkin.Bindings;

/// <summary>
/// Converts step text captured by a pattern into the type of the method parameter: string, integers (decimal or
/// <c>0x</c> hex), double/float/decimal (invariant culture), bool (true/false, yes/no, on/off), enums
/// (case-insensitive, spaces, dashes and underscores ignored) and their nullable forms.
/// </summary>
internal static class ArgumentConverter
{
    public static bool TryConvert(string? text, Type targetType, out object? value, out string error)
    {
        error = "";
        value = null;
        var underlying = Nullable.GetUnderlyingType(targetType);
        if (text is null)
        {
            if (!targetType.IsValueType || underlying is not null)
            {
                return true;
            }

            error = $"no value was captured for a {targetType.Name}";
            return false;
        }

        var type = underlying ?? targetType;
        try
        {
            value = Convert(text.Trim(), type, text);
            return true;
        }
        catch (Exception exception) when (exception is FormatException or OverflowException or ArgumentException)
        {
            error = $"'{text}' is not a valid {Describe(type)}";
            return false;
        }
    }

    private static object Convert(string trimmed, Type type, string original)
    {
        if (type == typeof(string) || type == typeof(object))
        {
            return original;
        }

        if (type.IsEnum)
        {
            return ParseEnum(trimmed, type);
        }

        if (type == typeof(bool))
        {
            return trimmed.ToUpperInvariant() switch
            {
                "TRUE" or "YES" or "ON" => true,
                "FALSE" or "NO" or "OFF" => false,
                _ => throw new FormatException(),
            };
        }

        if (type == typeof(double))
        {
            return double.Parse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        if (type == typeof(float))
        {
            return float.Parse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        if (type == typeof(decimal))
        {
            return decimal.Parse(trimmed, NumberStyles.Number, CultureInfo.InvariantCulture);
        }

        if (type == typeof(TimeSpan))
        {
            return TimeSpan.Parse(trimmed, CultureInfo.InvariantCulture);
        }

        if (IsInteger(type))
        {
            return System.Convert.ChangeType(ParseInteger(trimmed, type), type, CultureInfo.InvariantCulture);
        }

        throw new ArgumentException($"unsupported parameter type {type.Name}");
    }

    private static bool IsInteger(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(byte) || type == typeof(sbyte)
        || type == typeof(short) || type == typeof(ushort) || type == typeof(uint) || type == typeof(ulong);

    private static object ParseInteger(string text, Type type)
    {
        var isHex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        var isSigned = type == typeof(int) || type == typeof(long) || type == typeof(sbyte) || type == typeof(short);
        if (isHex)
        {
            return ulong.Parse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        }

        return isSigned
            ? long.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture)
            : ulong.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);
    }

    private static object ParseEnum(string text, Type type)
    {
        static string Normalize(string s) => s.Replace(" ", "", StringComparison.Ordinal)
            .Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);

        var wanted = Normalize(text);
        foreach (var name in Enum.GetNames(type))
        {
            if (string.Equals(Normalize(name), wanted, StringComparison.OrdinalIgnoreCase))
            {
                return Enum.Parse(type, name);
            }
        }

        throw new FormatException();
    }

    private static string Describe(Type type) =>
        type.IsEnum ? $"{type.Name} (one of {string.Join(", ", Enum.GetNames(type))})" : type.Name;
}
