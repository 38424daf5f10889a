using System.Text.RegularExpressions;

namespace MlOps.Ci.Pipeline;

/// <summary>
/// Finds where a project file declares an item (<c>&lt;Feature Include="Plan" …/&gt;</c>), so a diagnostic about the
/// item points at its line and column rather than only the file. Items can also come from imported files or be built
/// from properties; then nothing is found and the diagnostic names the file alone. Compiled into the MSBuild tasks too.
/// </summary>
public static partial class ProjectItemLocator
{
    [GeneratedRegex("""<\s*(?<type>[A-Za-z_][\w.-]*)\b[^>]*?\bInclude\s*=\s*(?:"(?<include>[^"]*)"|'(?<include>[^']*)')""", RegexOptions.Singleline)]
    private static partial Regex ItemElement();

    /// <summary>The 1-based line and column of the element whose Include lists <paramref name="include"/>, or null.</summary>
    public static (int Line, int Column)? Find(string projectFile, string itemType, string include)
    {
        string text;
        try
        {
            text = File.ReadAllText(projectFile);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
        foreach (Match match in ItemElement().Matches(text))
        {
            if (!string.Equals(match.Groups["type"].Value, itemType, StringComparison.OrdinalIgnoreCase))
                continue;
            var listed = match.Groups["include"].Value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (!listed.Any(entry => string.Equals(Unescape(entry), include, StringComparison.Ordinal)))
                continue;
            var line = 1 + text.AsSpan(0, match.Index).Count('\n');
            var column = match.Index - (text.LastIndexOf('\n', Math.Max(0, match.Index - 1)) + 1) + 1;
            return (line, column);
        }
        return null;
    }

    /// <summary>MSBuild's %XX escapes (Include="%2A" is the item "*").</summary>
    private static string Unescape(string value) =>
        value.Contains('%') ? Regex.Replace(value, "%([0-9A-Fa-f]{2})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 16)).ToString()) : value;
}
