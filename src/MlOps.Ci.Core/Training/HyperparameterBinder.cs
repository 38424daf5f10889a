using System.Globalization;
using System.Reflection;
using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.Training;

/// <summary>
/// Sets <c>&lt;Hyperparameter Include="NumberOfTrees" Value="200" /&gt;</c> on the trainer's ML.NET Options object by
/// name, so every option ML.NET documents is available without a table of our own to keep in step with it.
/// </summary>
public static class HyperparameterBinder
{
    public static IReadOnlyList<string> NamesOf(Type optionsType) =>
        Members(optionsType).Select(m => m.Name).Order(StringComparer.Ordinal).ToList();

    public static bool Has(Type optionsType, string name) => Find(optionsType, name) is not null;

    /// <summary>The type an option takes (Nullable unwrapped), or null when the trainer has no such option.</summary>
    public static Type? TypeOf(Type optionsType, string name) => Find(optionsType, name) switch
    {
        FieldInfo field => Nullable.GetUnderlyingType(field.FieldType) ?? field.FieldType,
        PropertyInfo property => Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType,
        _ => null,
    };

    /// <summary>Whether <paramref name="text"/> is a value of <paramref name="type"/> by the same rules <see cref="Apply"/> uses.</summary>
    public static bool Converts(string text, Type type) => TryConvert(text, type, out _);

    public static void Apply(object options, string name, string value, string trainer, SourceLocation where)
    {
        var member = Find(options.GetType(), name) ?? throw MlOpsException.Of(DiagnosticCodes.UnknownHyperparameter,
            $"Trainer '{trainer}' has no hyperparameter '{name}'.", where, $"Its hyperparameters are: {string.Join(", ", NamesOf(options.GetType()))}.");
        var type = member switch
        {
            FieldInfo field => field.FieldType,
            PropertyInfo property => property.PropertyType,
            _ => throw new InvalidOperationException(),
        };
        if (!TryConvert(value, type, out var converted))
        {
            var target = Nullable.GetUnderlyingType(type) ?? type;
            var expected = target.IsEnum ? $"one of {string.Join(", ", Enum.GetNames(target))}" : $"a {target.Name}";
            throw MlOpsException.Of(DiagnosticCodes.InvalidHyperparameterValue, $"Hyperparameter '{member.Name}' of '{trainer}' cannot be '{value}': it takes {expected}.",
                where, "Numbers use '.' for decimals.");
        }
        switch (member)
        {
            case FieldInfo field:
                field.SetValue(options, converted);
                break;
            case PropertyInfo property:
                property.SetValue(options, converted);
                break;
        }
    }

    private static IEnumerable<MemberInfo> Members(Type optionsType) =>
        optionsType.GetFields(BindingFlags.Public | BindingFlags.Instance).Where(f => !f.IsInitOnly && IsSimple(f.FieldType)).Cast<MemberInfo>()
            .Concat(optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && IsSimple(p.PropertyType)))
            .Where(m => m.Name is not ("LabelColumnName" or "FeatureColumnName" or "ExampleWeightColumnName" or "RowGroupColumnName"));

    private static MemberInfo? Find(Type optionsType, string name) =>
        Members(optionsType).FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));

    private static bool IsSimple(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal);
    }

    private static bool TryConvert(string text, Type type, out object? value)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        value = null;
        if (target.IsEnum)
        {
            if (!Enum.TryParse(target, text, ignoreCase: true, out var parsed) || !Enum.IsDefined(target, parsed!))
                return false;
            value = parsed;
            return true;
        }
        if (target == typeof(bool))
        {
            if (!bool.TryParse(text, out var flag))
                return false;
            value = flag;
            return true;
        }
        // Convert.ChangeType would accept thousands separators and read a comma-decimal "0,2" as 2; a non-finite value is never a setting.
        if (target == typeof(double))
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
                return false;
            value = number;
            return true;
        }
        if (target == typeof(float))
        {
            if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !float.IsFinite(number))
                return false;
            value = number;
            return true;
        }
        if (target == typeof(decimal))
        {
            if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                return false;
            value = number;
            return true;
        }
        try
        {
            value = Convert.ChangeType(text, target, CultureInfo.InvariantCulture);
            return true;
        }
        catch (Exception exception) when (exception is FormatException or OverflowException or InvalidCastException)
        {
            return false;
        }
    }
}
