namespace StepUp.Cli.Commands;

/// <summary><c>stepup step</c>: defines a new step (api.step) and prints its label.</summary>
sealed class StepCommand() : Command("step", "-- COMMAND...", "define a step that runs a shell command", """
    Defines a new step, run by the director when its inputs are built, and prints its label.
    The words of COMMAND are joined by single spaces into one shell command, unquoted:
      stepup step --inp data.txt --out count.txt -- 'wc -l < data.txt > count.txt'
    Options end at "--" or at the first word that is not an option. Paths of --inp, --out
    and --vol are relative to the step's working folder; ${inp}, ${out} and ${vol} in COMMAND
    are expanded by the director.
    """)
{
    static readonly OptionSpec NameOption = new("--name", "N", "the step's name (default: it is labelled by its command)");
    static readonly OptionSpec Planning = new("--planning", null, "the step defines further steps (it plans)");

    protected override bool WordsEndOptions => true;

    public override IReadOnlyList<OptionSpec> Options { get; } =
    [
        NameOption, CommonOptions.Inp, CommonOptions.Out, CommonOptions.Vol, CommonOptions.Env,
        CommonOptions.Workdir, CommonOptions.Optional, Planning, CommonOptions.Resources,
    ];

    protected override int Execute(ParsedArguments args, TextWriter output, TextWriter errors)
    {
        var command = string.Join(' ', args.Positionals);
        if (command.Trim().Length == 0) throw new UsageException("no COMMAND given (put it after --)");

        var answer = Connect().Call<DefinitionReply>(new DefineStepCall
        {
            Command = command,
            Name = args.Value(NameOption.Name),
            Workdir = args.Value(CommonOptions.Workdir.Name) ?? CommonOptions.DefaultWorkdir,
            Inp = args.Values(CommonOptions.Inp.Name),
            Out = args.Values(CommonOptions.Out.Name),
            Vol = args.Values(CommonOptions.Vol.Name),
            Env = args.Values(CommonOptions.Env.Name),
            Optional = args.Flag(CommonOptions.Optional.Name),
            Planning = args.Flag(Planning.Name),
            Resources = args.Value(CommonOptions.Resources.Name),
        });
        output.WriteLine(StepLabel.Of(answer));
        return ExitCodes.Success;
    }
}
