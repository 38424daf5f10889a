using System.Text;

namespace MlOps.Ci.GitHub.Actions;

/// <summary>
/// GitHub's workflow-command syntax (<c>::name key=value,…::data</c>) and its escaping, as the runner and
/// @actions/core define them: data escapes <c>%</c>, CR and LF; property values also <c>:</c> and <c>,</c>, which
/// would otherwise end the value. Unescaped, a newline in a message would end the command and let the rest of the
/// line be read as a new command.
/// </summary>
public static class WorkflowCommands
{
    public static string EscapeData(string value) =>
        value.Replace("%", "%25", StringComparison.Ordinal)
            .Replace("\r", "%0D", StringComparison.Ordinal)
            .Replace("\n", "%0A", StringComparison.Ordinal);

    public static string EscapeProperty(string value) =>
        EscapeData(value)
            .Replace(":", "%3A", StringComparison.Ordinal)
            .Replace(",", "%2C", StringComparison.Ordinal);

    /// <summary>One command line, e.g. <c>::error file=a.csv,line=3,title=MLOPS1005::text</c>.</summary>
    public static string Format(string command, IEnumerable<KeyValuePair<string, string?>> properties, string data)
    {
        var line = new StringBuilder("::").Append(command);
        var first = true;
        foreach (var (key, value) in properties)
        {
            if (string.IsNullOrEmpty(value))
                continue;
            line.Append(first ? ' ' : ',').Append(key).Append('=').Append(EscapeProperty(value));
            first = false;
        }
        return line.Append("::").Append(EscapeData(data)).ToString();
    }

    /// <summary>
    /// An entry of the <c>$GITHUB_OUTPUT</c> file: <c>name=value</c>, or for a multi-line value the heredoc form with a
    /// delimiter that cannot occur in the value (random, and checked).
    /// </summary>
    public static string OutputEntry(string name, string value)
    {
        if (name.Length == 0 || name.IndexOfAny(['=', '\r', '\n']) >= 0)
            throw new ArgumentException($"'{name}' cannot be a step output name.", nameof(name));
        if (value.IndexOfAny(['\r', '\n']) < 0)
            return $"{name}={value}\n";
        string delimiter;
        do
        {
            delimiter = $"ghadelimiter_{Guid.NewGuid():N}";
        } while (value.Contains(delimiter, StringComparison.Ordinal));
        return $"{name}<<{delimiter}\n{value}\n{delimiter}\n";
    }
}
