namespace StepUp.Cli.Commands;

/// <summary><c>stepup info</c>: prints the running step's definition as JSON (api.info).</summary>
sealed class InfoCommand : Command
{
    public override string Name => "info";
    public override string Summary => "print the running step's definition as JSON";
    protected override string ArgumentsUsage => "";

    protected override string Description => """
        Prints the definition of the step that runs this command, as the director knows it:
        command, workdir, inp, out, vol and env, as JSON.
        """;

    protected override int Execute(ParsedArguments args, TextWriter output, TextWriter errors)
    {
        NoPositionals(args);
        var answer = Connect().Call("api.info", new(StringComparer.Ordinal));
        answer.Remove("type");
        output.WriteLine(PrettyJson.Write(answer));
        return ExitCodes.Success;
    }
}
