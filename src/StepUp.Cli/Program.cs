using System.Reflection;
using System.Text;
using StepUp.Cli.Commands;
using StepUp.Cli.Workflow;

namespace StepUp.Cli;

/// <summary>
/// <c>stepup COMMAND [ARGS...]</c>: picks the command, runs it, and turns failures into exit codes
/// (1: error, 2: usage) with <c>stepup: error: MESSAGE</c> on stderr. The commands of StepUp's own
/// command line (build, wait, join, ...) go to <see cref="WorkflowCommandLine"/>; the step-API
/// commands that steps call are parsed here, without loading System.CommandLine (docs/cli.md).
/// </summary>
static class Program
{
    const string TopUsage = "stepup COMMAND [ARGS...]";

    static readonly Command[] Commands =
    [
        new StepCommand(), new StaticCommand(), new AmendCommand(), new ScriptCommand(),
        new GraphCommand(), new InfoCommand(),
    ];

    static int Main(string[] args)
    {
        var output = Console.Out;
        var errors = Console.Error;
        Command? command = null;
        try
        {
            if (args.Length == 0) throw new UsageException("no command given (see `stepup --help`)");
            switch (args[0])
            {
                case "-h" or "--help":
                    output.Write(TopHelp());
                    return ExitCodes.Success;
                case "help":
                    if (args.Length == 1) { output.Write(TopHelp()); return ExitCodes.Success; }
                    command = Find(args[1]);
                    output.Write(command.Help);
                    return ExitCodes.Success;
                case "--version":
                    output.WriteLine("stepup " + Version() + " (StepUp protocol " + ProtocolInfo.Version + ")");
                    return ExitCodes.Success;
            }
            if (IsWorkflowCommand(args[0]))
                return WorkflowCommandLine.Run(args, output, errors);
            if (WorkflowCommandLine.IsBuildOption(args[0]))
                return WorkflowCommandLine.Run(["build", .. args], output, errors);
            command = Find(args[0]);
            return command.Run(new ArraySegment<string>(args, 1, args.Length - 1), output, errors);
        }
        catch (UsageException e)
        {
            errors.WriteLine("usage: " + (command?.Usage ?? TopUsage));
            errors.WriteLine("stepup: error: " + e.Message);
            return ExitCodes.Usage;
        }
        catch (CliException e)
        {
            errors.WriteLine("stepup: error: " + e.Message);
            return e.ExitCode;
        }
        catch (Exception e)
        {
            errors.WriteLine("stepup: error: " + e.GetType().Name + ": " + e.Message);
            return ExitCodes.Error;
        }
        finally
        {
            output.Flush();
        }
    }

    /// <summary>`stepup graph` inside a step writes the graph of the director that runs it (api.graph); outside, of the folder's build.</summary>
    static bool IsWorkflowCommand(string name) =>
        WorkflowCommandLine.CommandNames.Contains(name) &&
        !(name == "graph" && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ProtocolInfo.EnvDirectorSocket)));

    static Command Find(string name)
    {
        foreach (var command in Commands)
            if (command.Name == name) return command;
        throw new UsageException(name.StartsWith('-')
            ? "unknown option " + name + " (see `stepup --help`)"
            : "unknown command '" + name + "' (see `stepup --help`)");
    }

    static string TopHelp()
    {
        var sb = new StringBuilder();
        sb.Append("usage: ").Append(TopUsage).Append('\n');
        sb.Append("""

            In a folder with a plan.py, StepUp's command line: `stepup build` (also `boot`, or `sb`),
            `wait`, `join`, `rebuild`, `graph`, `clean`, `shutdown`, `status`, and `install` (which
            puts `stepup` and `sb` on your PATH); `stepup build --help` and so on explain each.

            Inside a step (of a .stepproj or a plan.py), these talk to the director that runs it:

            """);
        var width = 0;
        foreach (var command in Commands) width = Math.Max(width, command.Name.Length);
        foreach (var command in Commands)
            sb.Append("  ").Append(command.Name.PadRight(width + 2)).Append(command.Summary).Append('\n');
        sb.Append("\nusage of each command:\n");
        foreach (var command in Commands) sb.Append("  ").Append(command.Usage).Append('\n');
        sb.Append("""

            `stepup COMMAND --help` explains a command and its options.
            Exit codes: 0 success, 1 error, 2 wrong usage, 75 (amend) inputs not built yet.

            """);
        return sb.ToString();
    }

    static string Version() =>
        typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
