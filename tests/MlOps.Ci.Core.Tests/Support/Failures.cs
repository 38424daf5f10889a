using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.Core.Tests.Support;

public static class Failures
{
    /// <summary>Runs a step that must fail, and returns the diagnostics it failed with.</summary>
    public static IReadOnlyList<Diagnostic> Of(Action step) => Should.Throw<MlOpsException>(step).Diagnostics;

    /// <summary>Runs a step that must fail with exactly one diagnostic, and returns it.</summary>
    public static Diagnostic SingleOf(Action step) => Of(step).ShouldHaveSingleItem();
}
