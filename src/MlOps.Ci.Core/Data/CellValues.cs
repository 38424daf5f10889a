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

    public static bool TryParseNumber(ReadOnlySpan<char> text, out float value) =>
        float.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && float.IsFinite(value);

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
