namespace StepUp.Cli;

/// <summary>
/// One option of a command: a flag (<c>--optional</c>) when <see cref="ValueName"/> is null, else an
/// option with a value (<c>--inp P</c> or <c>--inp=P</c>), given at most once unless repeatable.
/// </summary>
sealed class OptionSpec(string name, string? valueName, string help, bool repeatable = false)
{
    /// <summary>The name with its dashes, e.g. <c>--inp</c>.</summary>
    public string Name { get; } = name;
    public string? ValueName { get; } = valueName;
    public string Help { get; } = help;
    public bool Repeatable { get; } = repeatable;
    public bool IsFlag => ValueName == null;

    /// <summary>As in a usage line: <c>[--inp P]...</c>, <c>[--optional]</c>.</summary>
    public string UsageText => "[" + Name + (IsFlag ? "" : " " + ValueName) + "]" + (Repeatable ? "..." : "");

    /// <summary>As in the options list of the help: <c>--inp P</c>.</summary>
    public string HelpTerm => Name + (IsFlag ? "" : " " + ValueName);
}
