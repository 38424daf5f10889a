using System.Globalization;

namespace MlOps.Ci.Data;

/// <summary>How a CSV cell's text is read: the one place that decides what counts as missing, a number or a boolean.</summary>
public static class CellValues
{
    // Deliberately short: "None" or "?" are real categories often enough (an InternetService of "None") to leave alone.
    private static readonly string[] MissingMarkers = ["NA", "N/A", "NaN", "null"];
    private static readonly string[] TrueWords = ["true", "yes", "y", "t", "1"];
    private static readonly string[] FalseWords = ["false", "no", "n", "f", "0"];

    public static bool IsMissing(ReadOnlySpan<char> text)
    {
        text = text.Trim();
        if (text.IsEmpty)
            return true;
        foreach (var marker in MissingMarkers)
        {
            if (text.Equals(marker, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    public static bool TryParseNumber(ReadOnlySpan<char> text, out float value)
    {
        text = text.Trim();
        return TryParsePlainDecimal(text, out value)
            || (float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && float.IsFinite(value));
    }

    // 10^0 … 10^10: each is exactly representable as a float (5^10 < 2^24).
    private static readonly float[] PowersOfTen = [1f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f];

    /// <summary>
    /// The common case of a data file — an optional sign, digits, an optional '.' and digits — parsed without the
    /// general parser, which is most of validation's time. When the digits form an integer of at most 2^24 and there
    /// are at most 10 decimals, one float division by an exact power of ten gives exactly the correctly rounded result
    /// float.TryParse would (Clinger's fast path); anything else falls back to float.TryParse, so the accepted values
    /// and their results are unchanged (checked bit for bit on 19 million inputs by bench/).
    /// </summary>
    private static bool TryParsePlainDecimal(ReadOnlySpan<char> text, out float value)
    {
        value = 0;
        var i = 0;
        var negative = false;
        if (i < text.Length && (text[i] == '-' || text[i] == '+'))
        {
            negative = text[i] == '-';
            i++;
        }
        ulong mantissa = 0;
        int digits = 0, decimals = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]) && digits < 19)
        {
            mantissa = mantissa * 10 + (uint)(text[i++] - '0');
            digits++;
        }
        if (i < text.Length && text[i] == '.')
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i]) && digits < 19)
            {
                mantissa = mantissa * 10 + (uint)(text[i++] - '0');
                digits++;
                decimals++;
            }
        }
        if (i != text.Length || digits == 0 || mantissa > 1UL << 24 || decimals >= PowersOfTen.Length)
            return false;
        var magnitude = (float)mantissa / PowersOfTen[decimals];
        value = negative ? -magnitude : magnitude;
        return true;
    }

    public static bool TryParseBoolean(ReadOnlySpan<char> text, out bool value)
    {
        text = text.Trim();
        foreach (var word in TrueWords)
        {
            if (text.Equals(word, StringComparison.OrdinalIgnoreCase))
            {
                value = true;
                return true;
            }
        }
        foreach (var word in FalseWords)
        {
            if (text.Equals(word, StringComparison.OrdinalIgnoreCase))
            {
                value = false;
                return true;
            }
        }
        value = false;
        return false;
    }
}
