using System.Text;

namespace MlOps.Ci.AzureDevOps.Pipelines;

/// <summary>
/// One Azure Pipelines logging command, <c>##vso[area.action key=value;key=value]message</c>, written with the agent's
/// own escaping (azure-pipelines-task-lib, taskcommand.js): a value or message that held a line break, a <c>;</c> or a
/// <c>]</c> would otherwise end the command early or smuggle a second one into the log.
/// </summary>
internal static class LoggingCommand
{
    private const string Prefix = "##vso[";

    /// <param name="command">The command, e.g. <c>task.logissue</c>.</param>
    /// <param name="properties">Its properties in order; those whose value is null or empty are left out, as the task library does.</param>
    /// <param name="message">The text after the closing bracket.</param>
    public static string Format(string command, IEnumerable<KeyValuePair<string, string?>> properties, string? message)
    {
        var line = new StringBuilder(Prefix).Append(command);
        var separator = ' ';
        foreach (var (key, value) in properties)
        {
            if (string.IsNullOrEmpty(value))
                continue;
            line.Append(separator).Append(key).Append('=').Append(EscapeProperty(value));
            separator = ';';
        }
        return line.Append(']').Append(EscapeMessage(message ?? "")).ToString();
    }

    public static string Format(string command, string? message) => Format(command, [], message);

    /// <summary>
    /// The message after <c>]</c>: only what would end the line needs escaping. <c>%</c> first, so the agent's
    /// unescaping cannot turn a literal <c>%0A</c> in the text into a line break.
    /// </summary>
    public static string EscapeMessage(string value) =>
        value.Replace("%", "%AZP25", StringComparison.Ordinal)
            .Replace("\r", "%0D", StringComparison.Ordinal)
            .Replace("\n", "%0A", StringComparison.Ordinal);

    /// <summary>A property value: also <c>]</c> (ends the properties) and <c>;</c> (separates them).</summary>
    public static string EscapeProperty(string value) =>
        EscapeMessage(value)
            .Replace("]", "%5D", StringComparison.Ordinal)
            .Replace(";", "%3B", StringComparison.Ordinal);
}
