namespace StepUp.Cli.Commands;

/// <summary>Options that several commands share, with one wording.</summary>
static class CommonOptions
{
    public static readonly OptionSpec Inp = new("--inp", "P", "an input file (a trailing / names a folder)", repeatable: true);
    public static readonly OptionSpec Out = new("--out", "P", "an output file (a trailing / names a folder)", repeatable: true);
    public static readonly OptionSpec Vol = new("--vol", "P", "a volatile output: made, but not tracked", repeatable: true);
    public static readonly OptionSpec Env = new("--env", "V", "an environment variable the step depends on", repeatable: true);
    public static readonly OptionSpec Workdir = new("--workdir", "D", "the step's working folder, relative to the current one (default ./)");
    public static readonly OptionSpec Optional = new("--optional", null, "run the step only when another step needs its outputs");
    public static readonly OptionSpec Resources = new("--resources", "R", "resources the step holds while it runs, e.g. gpu:1");

    public const string DefaultWorkdir = "./";
}
