using StepUp.Protocol;

namespace StepUp.Cli.Commands;

/// <summary>How a step that the director defined is shown: its label, else its key.</summary>
static class StepLabel
{
    public static string Of(IDictionary<string, object?> answer) =>
        answer.Str("label") is { Length: > 0 } label ? label : answer.Str("key") ?? "";
}
