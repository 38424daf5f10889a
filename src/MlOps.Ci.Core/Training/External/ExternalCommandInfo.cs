namespace MlOps.Ci.Training.External;

/// <summary>
/// What an external trainer ran, for the model card: the command line as the project wrote it (placeholders, not this
/// machine's paths) and the fingerprints of its <c>TrainerInput</c> files (relative path → fingerprint).
/// </summary>
public sealed record ExternalCommandInfo(string CommandLine, IReadOnlyDictionary<string, string> Inputs);
