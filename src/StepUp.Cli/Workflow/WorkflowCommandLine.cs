using System.CommandLine;
using System.Globalization;

namespace StepUp.Cli.Workflow;

using Command = System.CommandLine.Command;

/// <summary>
/// StepUp's own command line (docs/cli.md): `stepup build` (also `boot`, and `sb`), `wait`, `join`,
/// `rebuild`, `graph`, `clean`, `shutdown`, `status` and `install`, parsed with System.CommandLine.
/// The step-API commands (`stepup step` and friends) do not come here: they start faster without it.
/// </summary>
static class WorkflowCommandLine
{
    /// <summary>How long `wait`, `join` and the like wait for a build started in the background to answer.</summary>
    static readonly TimeSpan BuildPatience = TimeSpan.FromSeconds(20);

    /// <summary>Words that name a command of this command line.</summary>
    public static readonly string[] CommandNames = ["build", "boot", "wait", "join", "rebuild", "graph", "clean", "shutdown", "status", "install", "config"];

    /// <summary>Options that make a bare `stepup -n 1` (StepUp 1 and 2) a build.</summary>
    public static bool IsBuildOption(string word) =>
        word is "-n" or "-j" or "-k" or "-e" or "-w" or "-W" or "--jobs" or "--num-workers" or "--watch" or "--keep-going" or "--explain-rerun"
        || LegacyWorkers(word) != null;

    public static int Run(string[] args, TextWriter output, TextWriter errors)
    {
        var root = BuildRoot();
        var parse = root.Parse(Legacy(args));
        return parse.Invoke(new InvocationConfiguration { Output = output, Error = errors });
    }

    /// <summary>
    /// The command lines of earlier StepUp versions that the seeds' tutorials use: `-n N` (workers,
    /// StepUp 2 and 3), `-n` alone (StepUp 1: not interactive, which a build here always is) and
    /// `-wN` (StepUp 1: N workers), all meaning --jobs.
    /// </summary>
    static string[] Legacy(string[] args)
    {
        var result = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "--") { result.AddRange(args[i..]); break; }
            if (LegacyWorkers(arg) is { } workers) { result.Add("--jobs"); result.Add(workers); continue; }
            if (arg is "-n" or "--num-workers")
            {
                if (i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    result.Add("--jobs");
                    result.Add(args[++i]);
                }
                continue;
            }
            result.Add(arg);
        }
        return result.ToArray();
    }

    static string? LegacyWorkers(string word) =>
        word.Length > 2 && word.StartsWith("-w", StringComparison.Ordinal) && word[2..].All(char.IsAsciiDigit) ? word[2..] : null;

    static RootCommand BuildRoot()
    {
        var root = new RootCommand("StepUp's command line for a folder with a plan.py (docs/cli.md).");
        root.Subcommands.Add(BuildCommand());
        root.Subcommands.Add(WaitCommand());
        root.Subcommands.Add(Simple("join", "Wait until the build is idle, then end it (the build of `stepup build -w`).", "join"));
        root.Subcommands.Add(Simple("rebuild", "Start a new build phase of a build that watches (`stepup build -w`).", "rebuild"));
        root.Subcommands.Add(GraphCommand());
        root.Subcommands.Add(CleanCommand());
        root.Subcommands.Add(ShutdownCommand());
        root.Subcommands.Add(StatusCommand());
        root.Subcommands.Add(InstallCommand());
        root.Subcommands.Add(ConfigCommand());
        return root;
    }

    static Command BuildCommand()
    {
        var jobs = new Option<string>("--jobs", "-j") { Description = "steps that run at once: a count, or a fraction of the cores with a decimal point (default: the number of cores; STEPUP_BUILD_JOBS)", HelpName = "J" };
        var keepGoing = new Option<bool>("--keep-going", "-k") { Description = "after a failure, run what does not depend on it (STEPUP_BUILD_KEEP_GOING)" };
        var watch = new Option<bool>("--watch", "-w") { Description = "after the build, stay for `stepup rebuild`, `wait`, `graph` and `join` (STEPUP_BUILD_WATCH)" };
        var watchFirst = new Option<bool>("--watch-first", "-W") { Description = "--watch, and the first change of a file of the project (outside .stepup/) starts the next build, half a second later (STEPUP_BUILD_WATCH_FIRST)" };
        var explain = new Option<bool>("--explain-rerun", "-e") { Description = "say why each step runs again (STEPUP_BUILD_EXPLAIN_RERUN)" };
        var noClean = new Option<bool>("--no-clean") { Description = "keep the outputs of steps that are no longer planned (STEPUP_BUILD_CLEAN=0)" };
        var resources = new Option<string[]>("--resources", "-r") { Description = "available resources, e.g. gpu:1,mem:4 (repeatable; STEPUP_BUILD_RESOURCES)", HelpName = "R" };
        var deferCap = new Option<int?>("--defer-cap") { Description = "how often a step may be deferred for amended inputs not built yet, since it last succeeded, before it fails (default: 100; STEPUP_BUILD_DEFER_CAP)", HelpName = "N" };
        var logLevel = new Option<string>("--log-level", "-l") { Description = "accepted for StepUp's command lines; the director's log is in its folder", HelpName = "LEVEL" };
        var targets = new Argument<string[]>("targets") { Description = "outputs to build (a trailing / names a folder); none builds everything", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("build", "Build the plan.py of the current folder (or of STEPUP_ROOT) with the StepUp director.")
        {
            jobs, keepGoing, watch, watchFirst, explain, noClean, resources, deferCap, logLevel, targets,
        };
        command.Aliases.Add("boot");
        command.SetAction(parse => Guarded(parse, () =>
        {
            // Options override environment variables, which override the configuration files.
            var config = ConfigFiles.Load(ProjectRoot());
            var settings = new BuildSettings
            {
                Jobs = ParseJobs(parse.GetValue(jobs) ?? config.Value("build", "jobs")),
                KeepGoing = parse.GetValue(keepGoing) || config.Flag("build", "keep_going"),
                Watch = parse.GetValue(watch) || parse.GetValue(watchFirst) || config.Flag("build", "watch") || config.Flag("build", "watch_first"),
                WatchFirst = parse.GetValue(watchFirst) || config.Flag("build", "watch_first"),
                ExplainRerun = parse.GetValue(explain) || config.Flag("build", "explain_rerun"),
                Clean = !parse.GetValue(noClean) && config.Flag("build", "clean", true),
                Targets = parse.GetValue(targets) ?? [],
                Resources = ParseResources(parse.GetValue(resources), config.Value("build", "resources")),
                DeferCap = ParseDeferCap(parse.GetValue(deferCap)?.ToString(CultureInfo.InvariantCulture) ?? config.Value("build", "defer_cap")),
            };
            var front = new BuildFrontEnd(settings, PackageLayout.OfThisCommand(), ProjectRoot(), parse.InvocationConfiguration.Output);
            return front.Run();
        }));
        return command;
    }

    static Command WaitCommand()
    {
        var updated = new Option<string>("--update", "-u") { Description = "first wait until PATH exists (it was written)", HelpName = "PATH" };
        var deleted = new Option<string>("--delete", "-d") { Description = "first wait until PATH no longer exists", HelpName = "PATH" };
        var command = new Command("wait", "Wait until the build of this folder has nothing to do.") { updated, deleted };
        command.SetAction(parse => Guarded(parse, () =>
        {
            if (parse.GetValue(updated) is { } u) WaitForFile(u, exists: true);
            if (parse.GetValue(deleted) is { } d) WaitForFile(d, exists: false);
            return Ask("wait", "");
        }));
        return command;
    }

    static Command Simple(string name, string description, string verb)
    {
        var command = new Command(name, description);
        command.SetAction(parse => Guarded(parse, () => Ask(verb, "")));
        return command;
    }

    static Command GraphCommand()
    {
        var prefix = new Argument<string>("PREFIX") { Description = "the files PREFIX.txt, PREFIX_provenance.dot and PREFIX_dependency.dot, relative to the project root (STEPUP_ROOT, else the current folder)" };
        var command = new Command("graph", "Write the graph of this folder's build (inside a step: of the director that runs it).") { prefix };
        command.SetAction(parse => Guarded(parse, () =>
        {
            // As StepUp's director, whose working folder is the project root.
            var full = Path.GetFullPath(parse.GetValue(prefix)!, ProjectRoot());
            var answer = ControlChannel.Ask(ProjectRoot(), "graph", full, TimeSpan.Zero);
            if (answer is { } a) return a.Ok ? 0 : Fail(a.Text);
            // No build runs here: the graph is on disk, and the director reads it.
            var printer = new EventPrinter(parse.InvocationConfiguration.Output);
            return GraphRequest.Write(PackageLayout.OfThisCommand(), ProjectRoot(), full, printer) ? 0 : 1;
        }));
        return command;
    }

    static Command CleanCommand()
    {
        var commit = new Option<bool>("--commit", "-c") { Description = "remove the files (without it, only print what would be removed)" };
        var all = new Option<bool>("--all", "-a") { Description = "every output, not only those of steps no longer planned" };
        var unsafeOption = new Option<bool>("--unsafe", "-u") { Description = "accepted for StepUp's command lines: edited outputs are never removed" };
        var paths = new Argument<string[]>("PATH") { Description = "outputs at or under these paths, and what is built from them (default: .)", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("clean", "Remove outputs of the build (a dry run unless --commit).") { commit, all, unsafeOption, paths };
        command.SetAction(parse => Guarded(parse, () =>
        {
            var root = ProjectRoot();
            var config = ConfigFiles.Load(root);
            var printer = new EventPrinter(parse.InvocationConfiguration.Output) { CleanRoot = root };
            return CleanRequest.Run(PackageLayout.OfThisCommand(), root, parse.GetValue(paths) ?? [], parse.GetValue(all) || config.Flag("clean", "all"),
                parse.GetValue(commit) || config.Flag("clean", "commit"), printer, parse.InvocationConfiguration.Output);
        }));
        return command;
    }

    static Command ShutdownCommand()
    {
        var director = new Option<bool>("--director") { Description = "stop the director too (it also serves `dotnet build`)" };
        var command = new Command("shutdown", "Stop the build of this folder: it starts no more steps and ends when those that run have finished; a second shutdown stops them.") { director };
        command.SetAction(parse => Guarded(parse, () =>
        {
            var answer = ControlChannel.Ask(ProjectRoot(), "shutdown", "", TimeSpan.Zero);
            if (answer is { Ok: false } refused) return Fail(refused.Text);
            if (answer == null && !parse.GetValue(director)) parse.InvocationConfiguration.Output.WriteLine("No StepUp build runs in " + ProjectRoot() + ".");
            if (parse.GetValue(director)) DirectorShutdown.Run(PackageLayout.OfThisCommand(), parse.InvocationConfiguration.Output);
            return 0;
        }));
        return command;
    }

    static Command StatusCommand()
    {
        var command = new Command("status", "Say whether a build runs in this folder, and what it does.");
        command.SetAction(parse => Guarded(parse, () =>
        {
            var answer = ControlChannel.Ask(ProjectRoot(), "status", "", TimeSpan.Zero);
            parse.InvocationConfiguration.Output.WriteLine(answer is { Ok: true } a
                ? "A StepUp build runs in " + ProjectRoot() + ": " + a.Text + "."
                : "No StepUp build runs in " + ProjectRoot() + ".");
            return 0;
        }));
        return command;
    }

    static Command InstallCommand()
    {
        var folder = new Argument<string>("FOLDER") { Description = "where to put the commands `stepup` and `sb` (default: ~/.local/bin)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("install", "Put `stepup` and `sb` of this package on your PATH (writes two small launchers).") { folder };
        command.SetAction(parse => Guarded(parse, () =>
            Installer.Run(PackageLayout.OfThisCommand(), parse.GetValue(folder), parse.InvocationConfiguration.Output)));
        return command;
    }

    /// <summary>
    /// `stepup config`: the settings `stepup build` takes from the environment and the configuration
    /// files, as TOML, each with its variable and whether that variable is set.
    /// </summary>
    static Command ConfigCommand()
    {
        var command = new Command("config", "Print the settings of `stepup build` that the environment gives (STEPUP_BUILD_*), and their defaults.");
        command.SetAction(parse => Guarded(parse, () =>
        {
            var output = parse.InvocationConfiguration.Output;
            var config = ConfigFiles.Load(ProjectRoot());
            output.WriteLine("# The settings of `stepup build` here; command-line options override them.");
            output.WriteLine("[build]");
            void Setting(string name, string variable, string value) =>
                output.WriteLine(name + " = " + value + "  # " + variable + (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } ? "" : " (unset: the default)"));
            static string Bool(bool value) => value ? "true" : "false";
            Setting("jobs", "STEPUP_BUILD_JOBS", ParseJobs(config.Value("build", "jobs")).ToString(CultureInfo.InvariantCulture));
            Setting("keep_going", "STEPUP_BUILD_KEEP_GOING", Bool(config.Flag("build", "keep_going")));
            Setting("watch", "STEPUP_BUILD_WATCH", Bool(config.Flag("build", "watch")));
            Setting("watch_first", "STEPUP_BUILD_WATCH_FIRST", Bool(config.Flag("build", "watch_first")));
            Setting("explain_rerun", "STEPUP_BUILD_EXPLAIN_RERUN", Bool(config.Flag("build", "explain_rerun")));
            Setting("clean", "STEPUP_BUILD_CLEAN", Bool(config.Flag("build", "clean", true)));
            var resources = ParseResources(null, Environment.GetEnvironmentVariable("STEPUP_BUILD_RESOURCES"));
            Setting("resources", "STEPUP_BUILD_RESOURCES", "\"" + string.Join(",", resources.Select(r => r.Key + ":" + r.Value)) + "\"");
            return 0;
        }));
        return command;
    }

    static int Ask(string verb, string argument)
    {
        // A build started in the background may not listen yet; one that ran here before (a graph
        // exists) and does not answer soon has ended: then there is nothing to wait for or join.
        var root = ProjectRoot();
        var ranBefore = File.Exists(Path.Combine(root, ".stepup", "graph.db"));
        var patience = ranBefore && verb is "join" or "shutdown" ? TimeSpan.FromSeconds(1) : BuildPatience;
        var answer = ControlChannel.Ask(root, verb, argument, patience);
        if (answer == null)
        {
            if (ranBefore && verb is "join" or "shutdown") return 0;
            return Fail("no StepUp build runs in " + root + " (start one with `stepup build -w &`)");
        }
        if (answer.Value.Ok || (answer.Value.Text == ControlChannel.EndedText && verb is "wait" or "join" or "shutdown")) return 0;
        return Fail(answer.Value.Text);
    }

    static void WaitForFile(string path, bool exists)
    {
        var full = Path.GetFullPath(path);
        while (File.Exists(full) != exists) Thread.Sleep(20);
    }

    static int Fail(string message) => throw new CliException(message);

    /// <summary>Runs an action; a <see cref="CliException"/> is `ERROR: message` on stderr and return code 1 (INTERNAL).</summary>
    static int Guarded(ParseResult parse, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (CliException e)
        {
            parse.InvocationConfiguration.Error.WriteLine("ERROR: " + e.Message);
            return (int)ReturnCode.Internal;
        }
    }

    /// <summary>STEPUP_ROOT, else the current folder.</summary>
    public static string ProjectRoot()
    {
        var root = Environment.GetEnvironmentVariable("STEPUP_ROOT");
        return Path.GetFullPath(string.IsNullOrEmpty(root) ? Environment.CurrentDirectory : root);
    }

    static int ParseJobs(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Environment.ProcessorCount;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value <= 0)
            throw new CliException("--jobs " + text + " is not a positive number");
        // StepUp: a number with a decimal point is a multiple of the cores.
        var count = text.Contains('.') ? value * Environment.ProcessorCount : value;
        return Math.Max(1, (int)Math.Round(count));
    }

    static int ParseDeferCap(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Contract.DeferCap;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var cap))
            throw new CliException("--defer-cap " + text + " is not a whole number of 0 or more");
        return cap;
    }

    static Dictionary<string, int> ParseResources(string[]? options, string? configured)
    {
        var all = new List<string>();
        if (!string.IsNullOrEmpty(configured)) all.Add(configured);
        if (options != null) all.AddRange(options);
        var text = string.Join(",", all.Where(s => s.Trim().Length > 0));
        return Contract.ParseResources(text, out var error) ?? throw new CliException("--resources " + text + ": " + error);
    }
}
