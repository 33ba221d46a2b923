using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StepUp.Engine.Building;
using StepUp.Engine.Running;
using StepUp.Protocol;

namespace StepUp.Tests.Engine;

/// <summary>
/// Runs step commands in the test process, so that the engine's tests need neither /bin/sh nor any
/// process: <see cref="FakeCommand"/> understands the few shell-like commands they use. It counts how
/// many steps run at once, and can act like a batch scheduler that queues each step first.
/// </summary>
sealed class FakeRunner(StepRegistry steps) : IStepRunnerFactory
{
    readonly ConcurrentDictionary<string, bool> _started = new(StringComparer.Ordinal);
    int _running;
    int _peak;

    /// <summary>Reports each step as queued, then as running, before it runs (as a Slurm runner would).</summary>
    public bool Queues { get; init; }

    /// <summary>The most steps that ran at the same time, over every build.</summary>
    public int PeakRunning => Volatile.Read(ref _peak);

    public bool HasStarted(string key) => _started.ContainsKey(key);

    public StepRegistry Steps => steps;

    public IStepRunner Open(RunnerSite site) => new Run(this, site.Environment);

    sealed class Run(FakeRunner runner, IReadOnlyDictionary<string, string> buildEnv) : IStepRunner
    {
        public void Start(StepLaunch launch, IStepObserver observer)
        {
            var running = Interlocked.Increment(ref runner._running);
            for (var peak = runner._peak; running > peak; peak = runner._peak)
                Interlocked.CompareExchange(ref runner._peak, running, peak);
            runner._started[launch.Key] = true;
            _ = Task.Run(async () =>
            {
                if (runner.Queues) observer.Status(StepStatus.Queued);
                if (runner.Queues) observer.Status(StepStatus.Running);
                var env = new Dictionary<string, string>(buildEnv, StringComparer.Ordinal);
                foreach (var (name, value) in launch.Environment) env[name] = value;
                RunResult result;
                try { result = await new FakeCommand(runner, launch.Workdir, env, launch.Cancellation).RunAsync(launch.Command); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { result = new RunResult(1, "", "fake: " + e.Message + "\n", false, null); }
                Interlocked.Decrement(ref runner._running);
                observer.Finished(result);
            });
        }

        public void Dispose() { }
    }
}

/// <summary>
/// A few shell-like commands, run in-process: <c>echo</c>, <c>cat</c>, <c>grep [-q]</c>,
/// <c>head -n N</c>, <c>pwd</c>, <c>true</c>, <c>exit N</c>, <c>sleep S</c>, <c>printenv NAME...</c>,
/// <c>exec WORDS</c>; <c>wait-for KEY</c> waits
/// until the step KEY has started; <c>api JSON</c> calls the step API as the calling step. Commands
/// are joined by <c>;</c> and <c>&amp;&amp;</c>, with <c>&gt;</c>, <c>&gt;&gt;</c> and <c>&gt;&amp;2</c>,
/// '…' and "…" quoting, and $NAME and ${NAME} from the step's environment.
/// </summary>
sealed class FakeCommand(FakeRunner runner, string workdir, IReadOnlyDictionary<string, string> env, CancellationToken ct)
{
    /// <summary>What <c>stepup amend</c> exits with when an amended input is not built yet.</summary>
    const int Deferred = 75;

    readonly StringBuilder _stdout = new();
    readonly StringBuilder _stderr = new();

    public async Task<RunResult> RunAsync(string commandLine)
    {
        var code = 0;
        try
        {
            foreach (var (command, onlyIfPreviousSucceeded) in Parse(commandLine))
            {
                if (onlyIfPreviousSucceeded && code != 0) continue;
                code = await RunOneAsync(command);
                if (command.Words.Count > 0 && command.Words[0] == "exit") break;
            }
        }
        catch (OperationCanceledException)
        {
            return new RunResult(137, _stdout.ToString(), _stderr.ToString(), true, null);
        }
        return new RunResult(code, _stdout.ToString(), _stderr.ToString(), ct.IsCancellationRequested, null);
    }

    sealed record Command(List<string> Words, string? Target, bool Append, bool ToStderr);

    async Task<int> RunOneAsync(Command command)
    {
        var output = new StringBuilder();
        var (code, error) = await ExecuteAsync(command.Words, output);
        _stderr.Append(error);
        if (command.ToStderr) _stderr.Append(output);
        else if (command.Target == null) _stdout.Append(output);
        else if (command.Append) File.AppendAllText(Resolve(command.Target), output.ToString());
        else File.WriteAllText(Resolve(command.Target), output.ToString());
        return code;
    }

    string Resolve(string path) => Path.GetFullPath(Path.Combine(workdir, path));

    async Task<(int Code, string Error)> ExecuteAsync(List<string> words, StringBuilder output)
    {
        if (words.Count == 0) return (0, "");
        var args = words.Skip(1).ToList();
        switch (words[0])
        {
            case "true":
                return (0, "");
            case "exit":
                return (args.Count > 0 ? int.Parse(args[0]) : 0, "");
            case "echo":
                output.Append(string.Join(' ', args)).Append('\n');
                return (0, "");
            case "pwd":
                output.Append(workdir).Append('\n');
                return (0, "");
            case "cat":
                foreach (var file in args)
                {
                    if (!File.Exists(Resolve(file))) return (1, $"cat: {file}: No such file or directory\n");
                    output.Append(File.ReadAllText(Resolve(file)));
                }
                return (0, "");
            case "head" when args.Count == 3 && args[0] == "-n":
                foreach (var line in Lines(File.ReadAllText(Resolve(args[2]))).Take(int.Parse(args[1]))) output.Append(line).Append('\n');
                return (0, "");
            case "grep":
                var quiet = args.Count > 0 && args[0] == "-q";
                if (quiet) args.RemoveAt(0);
                var found = args.Skip(1).SelectMany(f => Lines(File.ReadAllText(Resolve(f)))).Where(l => l.Contains(args[0], StringComparison.Ordinal)).ToList();
                if (!quiet) foreach (var line in found) output.Append(line).Append('\n');
                return (found.Count > 0 ? 0 : 1, "");
            case "sleep":
                await Task.Delay(TimeSpan.FromSeconds(double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture)), ct);
                return (0, "");
            case "wait-for":
                // Bounded, so that a broken scheduler fails the step instead of hanging the test.
                for (var i = 0; !runner.HasStarted(args[0]); i++)
                {
                    if (i > 2000) return (1, $"wait-for: {args[0]} never started\n");
                    await Task.Delay(10, ct);
                }
                return (0, "");
            case "api":
                return await CallApiAsync(args[0], output);
            case "exec":
                // How the engine runs StepUp 4's steps without a shell: the quoted words, exec'ed.
                return await ExecuteAsync(args, output);
            case "printenv":
                foreach (var name in args) output.Append(env.GetValueOrDefault(name, "(unset)")).Append('\n');
                return (0, "");
            default:
                return (127, $"fake: {words[0]}: command not found\n");
        }
    }

    static IEnumerable<string> Lines(string text) => text.Split('\n').SkipLast(text.EndsWith('\n') ? 1 : 0);

    /// <summary>Sends a step-API request, with this step's token and folder, as the stepup command would.</summary>
    async Task<(int Code, string Error)> CallApiAsync(string json, StringBuilder output)
    {
        var request = JsonNode.Parse(json)!.AsObject();
        request["protocol"] = ProtocolInfo.Version;
        request["token"] = env.GetValueOrDefault("STEPUP_STEP_TOKEN");
        request["cwd"] = workdir;
        if (Messages.ReadRequest(Encoding.UTF8.GetBytes(request.ToJsonString())) is not StepCall call) return (1, "api: not a step call\n");
        if (runner.Steps.Find(call.Token) is not { } target) return (1, "api: no live step token\n");
        var reply = await target.CallAsync(call);
        output.Append(Encoding.UTF8.GetString(reply.ToFrame())).Append('\n');
        return reply switch
        {
            ErrorReply error => (1, "api: " + error.Text + "\n"),
            AmendReply { CarryOn: false } => (Deferred, ""),
            _ => (0, ""),
        };
    }


    /// <summary>Splits a command line into commands, each with whether it runs only after a success (&amp;&amp;).</summary>
    List<(Command Command, bool OnlyIfPreviousSucceeded)> Parse(string line)
    {
        var commands = new List<(Command, bool)>();
        var words = new List<string>();
        string? target = null;
        bool append = false, toStderr = false, afterAnd = false, redirect = false;
        var word = new StringBuilder();
        var inWord = false;

        void EndWord()
        {
            if (!inWord) return;
            if (redirect) { target = word.ToString(); redirect = false; }
            else words.Add(word.ToString());
            word.Clear();
            inWord = false;
        }

        void EndCommand(bool nextAfterAnd)
        {
            EndWord();
            commands.Add((new Command(words, target, append, toStderr), afterAnd));
            words = new List<string>();
            target = null;
            append = toStderr = false;
            afterAnd = nextAfterAnd;
        }

        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (char.IsWhiteSpace(c)) EndWord();
            else if (c == ';') EndCommand(false);
            else if (c == '&' && i + 1 < line.Length && line[i + 1] == '&') { EndCommand(true); i++; }
            else if (c == '>' && line.AsSpan(i).StartsWith(">&2")) { EndWord(); toStderr = true; i += 2; }
            else if (c == '>')
            {
                EndWord();
                append = i + 1 < line.Length && line[i + 1] == '>';
                if (append) i++;
                redirect = true;
            }
            else if (c == '\'')
            {
                var end = line.IndexOf('\'', i + 1);
                word.Append(line, i + 1, end - i - 1);
                inWord = true;
                i = end;
            }
            else if (c == '"')
            {
                var end = line.IndexOf('"', i + 1);
                word.Append(Expand(line.Substring(i + 1, end - i - 1)));
                inWord = true;
                i = end;
            }
            else if (c == '$')
            {
                var (name, length) = VariableAt(line, i);
                word.Append(env.GetValueOrDefault(name, ""));
                inWord = true;
                i += length - 1;
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }
        EndCommand(false);
        return commands;
    }

    string Expand(string text)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '$') { sb.Append(text[i]); continue; }
            var (name, length) = VariableAt(text, i);
            sb.Append(env.GetValueOrDefault(name, ""));
            i += length - 1;
        }
        return sb.ToString();
    }

    /// <summary>The variable named at <paramref name="start"/> ($NAME or ${NAME}) and how many characters it takes.</summary>
    static (string Name, int Length) VariableAt(string text, int start)
    {
        if (start + 1 < text.Length && text[start + 1] == '{')
        {
            var close = text.IndexOf('}', start);
            return (text.Substring(start + 2, close - start - 2), close - start + 1);
        }
        var end = start + 1;
        while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_')) end++;
        return (text.Substring(start + 1, end - start - 1), end - start);
    }
}
