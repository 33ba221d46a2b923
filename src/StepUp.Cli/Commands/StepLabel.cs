namespace StepUp.Cli.Commands;

/// <summary>How a step that the director defined is shown: its label, else its key.</summary>
static class StepLabel
{
    public static string Of(DefinitionReply answer) => answer.Label.Length > 0 ? answer.Label : answer.Key;
}
