namespace StepUp.Cli.Commands;

/// <summary><c>stepup graph</c>: writes the build graph (api.graph) and prints the files written.</summary>
sealed class GraphCommand() : Command("graph", "PREFIX", "write the build graph to files starting with PREFIX", """
    Writes the director's graph of this project to three files whose names start with PREFIX
    (relative to the current folder) and prints their paths, one a line.
    """)
{
    protected override int Execute(ParsedArguments args, TextWriter output, TextWriter errors)
    {
        var prefix = OnePositional(args, "PREFIX");
        var answer = Connect().Call<GraphFilesReply>(new WriteGraphCall { Prefix = prefix });
        foreach (var file in answer.Files) output.WriteLine(file);
        return ExitCodes.Success;
    }
}
