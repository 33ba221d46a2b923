namespace StepUp.Cli.Commands;

/// <summary><c>stepup amend</c>: adds to the running step's own inputs, outputs and variables (api.amend).</summary>
sealed class AmendCommand() : Command("amend", "", "add inputs, outputs or variables to the running step", $"""
    Adds inputs, outputs, volatile outputs and environment variables to the step that runs this
    command (dynamic dependencies). Paths are relative to the current folder.
    When an amended input is not built yet, prints so and exits with code {ExitCodes.NotBuiltYet}: the step
    should stop (a shell step with `set -e` does); the director runs it again, from scratch,
    once the input is built.
    """)
{
    static readonly OptionSpec ImplicitStatic =
        new("--implicit-static", null, "amended inputs that nothing makes or declares become static");

    public const string NotBuiltYetMessage = "amended inputs are not built yet; the step will run again when they are.";

    public override IReadOnlyList<OptionSpec> Options { get; } =
        [CommonOptions.Inp, CommonOptions.Out, CommonOptions.Vol, CommonOptions.Env, ImplicitStatic];

    protected override int Execute(ParsedArguments args, TextWriter output, TextWriter errors)
    {
        NoPositionals(args);
        var answer = Connect().Call<AmendReply>(new AmendCall
        {
            Inp = args.Values(CommonOptions.Inp.Name),
            Out = args.Values(CommonOptions.Out.Name),
            Vol = args.Values(CommonOptions.Vol.Name),
            Env = args.Values(CommonOptions.Env.Name),
            ImplicitStatic = args.Flag(ImplicitStatic.Name),
        });
        if (answer.CarryOn) return ExitCodes.Success;
        errors.WriteLine("stepup: " + NotBuiltYetMessage);
        return ExitCodes.NotBuiltYet;
    }
}
