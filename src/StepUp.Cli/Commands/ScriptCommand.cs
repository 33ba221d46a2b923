namespace StepUp.Cli.Commands;

/// <summary><c>stepup script</c>: defines the plan step of an executable script (api.script).</summary>
sealed class ScriptCommand() : Command("script", "EXE", "define the steps of an executable script (./EXE plan, then run)", """
    Defines the plan step `./EXE plan` of an executable script, which in turn defines the
    step(s) that run it, and prints the plan step's label. EXE is relative to the working folder.
    """)
{
    static readonly OptionSpec StepInfo =
        new("--step-info", "F", "a JSON file, written by the plan step, describing the run steps it defines");

    protected override bool ArgumentsFirstInUsage => true;

    public override IReadOnlyList<OptionSpec> Options { get; } =
    [
        CommonOptions.Workdir, CommonOptions.Optional, StepInfo,
        CommonOptions.Inp, CommonOptions.Out, CommonOptions.Vol, CommonOptions.Env, CommonOptions.Resources,
    ];

    protected override int Execute(ParsedArguments args, TextWriter output, TextWriter errors)
    {
        var executable = OnePositional(args, "EXE");
        var answer = Connect().Call<DefinitionReply>(new DefineScriptCall
        {
            Executable = executable,
            Workdir = args.Value(CommonOptions.Workdir.Name) ?? CommonOptions.DefaultWorkdir,
            Optional = args.Flag(CommonOptions.Optional.Name),
            StepInfo = args.Value(StepInfo.Name),
            Inp = args.Values(CommonOptions.Inp.Name),
            Out = args.Values(CommonOptions.Out.Name),
            Vol = args.Values(CommonOptions.Vol.Name),
            Env = args.Values(CommonOptions.Env.Name),
            Resources = args.Value(CommonOptions.Resources.Name),
        });
        output.WriteLine(StepLabel.Of(answer));
        return ExitCodes.Success;
    }
}
