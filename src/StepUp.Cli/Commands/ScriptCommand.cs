namespace StepUp.Cli.Commands;

/// <summary><c>stepup script</c>: defines the plan step of an executable script (api.script).</summary>
sealed class ScriptCommand : Command
{
    static readonly OptionSpec StepInfo =
        new("--step-info", "F", "a JSON file, written by the plan step, describing the run steps it defines");

    public override string Name => "script";
    public override string Summary => "define the steps of an executable script (./EXE plan, then run)";
    protected override string ArgumentsUsage => "EXE";
    protected override bool ArgumentsFirstInUsage => true;

    protected override string Description => """
        Defines the plan step `./EXE plan` of an executable script, which in turn defines the
        step(s) that run it, and prints the plan step's label. EXE is relative to the working folder.
        """;

    public override IReadOnlyList<OptionSpec> Options { get; } =
    [
        CommonOptions.Workdir, CommonOptions.Optional, StepInfo,
        CommonOptions.Inp, CommonOptions.Out, CommonOptions.Vol, CommonOptions.Env, CommonOptions.Resources,
    ];

    protected override int Execute(ParsedArguments args, TextWriter output, TextWriter errors)
    {
        var executable = OnePositional(args, "EXE");
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["executable"] = executable,
            ["workdir"] = args.Value(CommonOptions.Workdir.Name) ?? CommonOptions.DefaultWorkdir,
            ["optional"] = args.Flag(CommonOptions.Optional.Name),
        };
        if (args.Value(StepInfo.Name) is { } stepInfo) fields["stepInfo"] = stepInfo;
        fields["inp"] = args.Values(CommonOptions.Inp.Name);
        fields["out"] = args.Values(CommonOptions.Out.Name);
        fields["vol"] = args.Values(CommonOptions.Vol.Name);
        fields["env"] = args.Values(CommonOptions.Env.Name);
        if (args.Value(CommonOptions.Resources.Name) is { } resources) fields["resources"] = resources;

        var answer = Connect().Call("api.script", fields);
        output.WriteLine(StepLabel.Of(answer));
        return ExitCodes.Success;
    }
}
