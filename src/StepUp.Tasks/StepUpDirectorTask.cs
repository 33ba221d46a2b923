using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using StepUp.Protocol;

namespace StepUp.Tasks
{
    /// <summary>
    /// Sends one request (Build, Clean, Graph or Shutdown) to the director and turns its events into
    /// MSBuild messages, warnings and errors. Every failure is a STEPUP error, never an exception.
    /// </summary>
    public sealed class StepUpDirectorTask : Task, ICancelableTask
    {
        /// <summary>Every name of <see cref="Contract.ItemMetadata"/>, by any casing (MSBuild's names are case-insensitive).</summary>
        static readonly Dictionary<string, string> MetadataNames = Contract.ItemMetadata.Values.SelectMany(names => names).Distinct()
            .ToDictionary(name => name, name => name, StringComparer.OrdinalIgnoreCase);
        static readonly string[] ListMetadataNames = { "Inp", "Out", "Vol", "Env" };

        readonly object _gate = new object();
        Stream? _stream;
        bool _cancelled;
        string _logPath = "";
        /// <summary>The director this task starts and talks to: <see cref="DirectorPath"/>, or its ahead-of-time twin for this platform.</summary>
        string _director = "";

        // The targets of sdk/StepUp.Sdk/Sdk/Sdk.targets set these by name (a renamed one is no longer
        // set); each says which property or item feeds it there.

        // What to ask of which director.
        /// <summary>Build, Clean, Graph or Shutdown: the request to send.</summary>
        [Required] public string Action { get; set; } = "";
        /// <summary>StepUpProjectRoot: the folder the project's paths are relative to.</summary>
        [Required] public string ProjectRoot { get; set; } = "";
        /// <summary>MSBuildProjectFullPath: the file named by errors and items that have none of their own.</summary>
        [Required] public string ProjectFile { get; set; } = "";
        /// <summary>StepUpDirectorPath: the director to start when none of this SDK runs; with SdkVersion, it names the director's endpoint.</summary>
        [Required] public string DirectorPath { get; set; } = "";
        /// <summary>StepUpSdkVersion: the version of this SDK, whose director the build wants.</summary>
        [Required] public string SdkVersion { get; set; } = "";
        /// <summary>DOTNET_HOST_PATH: the dotnet that starts the director; empty or missing: dotnet on PATH.</summary>
        public string DotnetHostPath { get; set; } = "";
        /// <summary>StepUpShutdownAll: Shutdown stops every director of the user, not only this SDK's.</summary>
        public bool ShutdownAll { get; set; }

        // The project's items, sent to a build in the items frame.
        /// <summary>@(Step).</summary>
        public ITaskItem[] Steps { get; set; } = Array.Empty<ITaskItem>();
        /// <summary>@(Static).</summary>
        public ITaskItem[] Statics { get; set; } = Array.Empty<ITaskItem>();
        /// <summary>@(Script).</summary>
        public ITaskItem[] Scripts { get; set; } = Array.Empty<ITaskItem>();
        /// <summary>@(Call).</summary>
        public ITaskItem[] Calls { get; set; } = Array.Empty<ITaskItem>();
        /// <summary>@(Global).</summary>
        public ITaskItem[] Globals { get; set; } = Array.Empty<ITaskItem>();
        /// <summary>@(Plan).</summary>
        public ITaskItem[] Plans { get; set; } = Array.Empty<ITaskItem>();
        /// <summary>StepUpPlan: the plans to use; empty uses every plan.</summary>
        public string PlanNames { get; set; } = "";
        /// <summary>StepUpRealizationsDir: where the realizations' folders go; empty: realizations/.</summary>
        public string RealizationsDir { get; set; } = "";

        // What a Build does instead of a plain build, set by the target of that name.
        /// <summary>StepUpList: plan and list the realizations with their state; run nothing.</summary>
        public bool ListOnly { get; set; }
        /// <summary>StepUpWatch: build, then build again on every change of the project's files, until Ctrl-C.</summary>
        public bool Watch { get; set; }
        /// <summary>StepUpInvalidate, from StepUpSelect: realization globs whose steps rerun at the next build; run nothing.</summary>
        public string Invalidate { get; set; } = "";

        // The StepUp* switches; MSBuild turns the property's text into true or false.
        /// <summary>StepUpKeepGoing: run what does not depend on a failed step.</summary>
        public bool KeepGoing { get; set; }
        /// <summary>StepUpClean: remove orphaned outputs after a complete, successful build.</summary>
        public bool Clean { get; set; } = true;
        /// <summary>StepUpExplainRerun: say why each step runs.</summary>
        public bool ExplainRerun { get; set; }
        /// <summary>StepUpAttic: move earlier outputs to .stepup/attic/ instead of deleting them.</summary>
        public bool Attic { get; set; }
        /// <summary>StepUpDryRun: run only out-of-date planning steps; say what else would run.</summary>
        public bool DryRun { get; set; }

        // The StepUp* texts, parsed here: empty means the default, a malformed one is a STEPUP error.
        /// <summary>StepUpJobs: how many steps may run at once; empty: one per core.</summary>
        public string Jobs { get; set; } = "";
        /// <summary>StepUpTargets: the outputs to build, separated by ';'; empty: everything.</summary>
        public string Targets { get; set; } = "";
        /// <summary>StepUpResources: the units available, such as gpu:1;mem:4.</summary>
        public string Resources { get; set; } = "";
        /// <summary>StepUpDirectorIdleTimeout: minutes the director may stay idle; 0: it ends after this request.</summary>
        public string IdleTimeout { get; set; } = "";
        /// <summary>StepUpGraphPrefix: where Graph writes its files, relative to the root; empty: graph.</summary>
        public string GraphPrefix { get; set; } = "";
        /// <summary>StepUpExecutor: where steps run unless their Executor says otherwise: local or slurm.</summary>
        public string Executor { get; set; } = "";
        /// <summary>StepUpSlurmOptions: sbatch options for every Slurm step.</summary>
        public string SlurmOptions { get; set; } = "";
        /// <summary>StepUpSlurmMaxJobs: at most this many of the build's jobs in Slurm's queue; empty: 1000.</summary>
        public string SlurmMaxJobs { get; set; } = "";

        // Hidden, for tests: the intervals of the signs of life.
        /// <summary>_StepUpProgressSeconds.</summary>
        public string ProgressSeconds { get; set; } = "";
        /// <summary>_StepUpHeartbeatSeconds.</summary>
        public string HeartbeatSeconds { get; set; } = "";

        /// <summary>What the director reported, for the project's summary line.</summary>
        [Output] public string Summary { get; set; } = "";

        /// <summary>Action Graph: the three files it writes (for the binary log), whatever the prefix defaulted to.</summary>
        [Output] public string[] GraphFiles { get; set; } = new string[0];

        public override bool Execute()
        {
            try
            {
                return ExecuteAction();
            }
            catch (DirectorUnavailableException e)
            {
                return Error(Codes.DirectorUnavailable, "The StepUp director could not be reached or started: " + e.Message);
            }
            catch (EndpointRefusedException e)
            {
                return Error(Codes.EndpointRefused, "StepUp refuses the director endpoint: " + e.Message);
            }
            catch (ProtocolException e)
            {
                return Error(Codes.MalformedAnswer, "The StepUp director sent a message this task cannot read (" + e.Message + "). Director log: " + _logPath);
            }
            catch (Exception e) when (e is IOException || e is System.Net.Sockets.SocketException || e is ObjectDisposedException)
            {
                if (_cancelled) return false;
                return Error(Codes.DirectorLost,
                    "The connection to the StepUp director was lost (" + e.Message + "). It may have been killed; the next build repairs the graph. Director log: " + _logPath);
            }
            catch (Exception e) when (!(e is OutOfMemoryException))
            {
                return Error(Codes.TaskInternal, "The StepUp task failed unexpectedly: " + e);
            }
            finally
            {
                lock (_gate) _stream = null;
            }
        }

        bool ExecuteAction()
        {
            if (!Endpoint.IsSupportedPlatform)
                return Error(Codes.UnsupportedPlatform, "StepUp.Sdk builds on Linux and macOS only: its director listens on a Unix socket and runs steps with /bin/sh.");
            var request = RequestOfAction();
            if (request == null) return false;
            _director = ReadyToRun.Prefer(DirectorPath);
            if (Action == "Shutdown") return Shutdown();

            var clock = System.Diagnostics.Stopwatch.StartNew();
            // Everything is ready before connecting: the director closes a connection whose request
            // does not come within a few seconds. The items go in a frame of their own: the director
            // fingerprints their bytes and does not even parse them when they are the same as last time.
            byte[]? items = null;
            if (request is BuildProjectRequest build)
            {
                build.ItemsFollow = true;
                items = WriteItems();
            }
            var frame = request.ToFrame();
            var prepared = clock.Elapsed.TotalMilliseconds;
            using (var stream = DirectorConnection.Connect(_director, DotnetHostPath, SdkVersion, out _logPath))
            {
                lock (_gate) _stream = stream;
                var connected = clock.Elapsed.TotalMilliseconds;
                Framing.Write(stream, frame);
                if (items != null) Framing.Write(stream, items);
                var sent = clock.Elapsed.TotalMilliseconds;
                var success = Relay(stream);
                WaitForClose(stream);
                Log.LogMessage(MessageImportance.Low, "StepUp task: request prepared in {0:0.0} ms, connected in {1:0.0} ms, sent in {2:0.0} ms, events relayed in {3:0.0} ms",
                    prepared, connected - prepared, sent - connected, clock.Elapsed.TotalMilliseconds - sent);
                if (!success && !Log.HasLoggedErrors && !_cancelled)
                    Error(Codes.FailedWithoutError, "The StepUp director reported that the " + Action.ToLowerInvariant() + " did not succeed, without an error; see " + _logPath + ".");
                return success && !Log.HasLoggedErrors;
            }
        }

        /// <summary>
        /// After its answer the director writes the build report and then closes the connection: once
        /// closed, .stepup/report.html is complete for the targets that follow (the binary log embeds it).
        /// </summary>
        static void WaitForClose(Stream stream)
        {
            try
            {
                if (stream.CanTimeout) stream.ReadTimeout = (int)ReportWait.TotalMilliseconds;
                while (Framing.Read(stream, ProtocolInfo.MaxAnswerBytes) != null) { }
            }
            catch (Exception e) when (e is IOException || e is ProtocolException || e is ObjectDisposedException || e is InvalidOperationException) { }
        }

        static readonly TimeSpan ReportWait = TimeSpan.FromSeconds(30);

        public void Cancel()
        {
            lock (_gate)
            {
                _cancelled = true;
                if (_stream == null) return;
                try { Framing.Write(_stream, new CancelRequest().ToFrame()); }
                catch (IOException) { }
                catch (ObjectDisposedException) { }
            }
        }

        bool Error(string code, string message)
        {
            Log.LogError(null, code, null, ProjectFile, 0, 0, 0, 0, "{0}", message);
            return false;
        }

        bool PropertyError(string name, string value, string expected) =>
            Error(Codes.BadProperty, name + "='" + value + "' is not valid; expected " + expected + ".");

        /// <summary>The request of <see cref="Action"/> from the StepUp* properties; null (and errors logged) when one is malformed.</summary>
        Request? RequestOfAction()
        {
            var ok = true;
            if (!Contract.TryParseIdleTimeout(IdleTimeout, out var idle))
                ok = PropertyError("StepUpDirectorIdleTimeout", IdleTimeout, Contract.IdleTimeoutSyntax);
            if (!Contract.TryParseJobs(Jobs, out var jobs))
                ok = PropertyError("StepUpJobs", Jobs, Contract.JobsSyntax);
            var resources = Contract.ParseResources(Resources, out var resourceError);
            if (resources == null)
                ok = PropertyError("StepUpResources", Resources, Contract.ResourcesSyntax + " (" + resourceError + ")");
            if (!Contract.TryParseExecutor(Executor, Contract.LocalExecutor, out var executor))
                ok = Error(Codes.BadSlurmMetadata, "StepUpExecutor='" + Executor + "' is not valid; expected " + Contract.ExecutorSyntax + ".");
            if (!Contract.TryParseSlurmMaxJobs(SlurmMaxJobs, out var slurmMaxJobs))
                ok = Error(Codes.BadSlurmMetadata, "StepUpSlurmMaxJobs='" + SlurmMaxJobs + "' is not valid; expected " + Contract.JobsSyntax + ".");
            if (Contract.SplitOptions(SlurmOptions, out var optionsError) == null)
                ok = Error(Codes.BadSlurmMetadata, "StepUpSlurmOptions='" + SlurmOptions + "' is not valid: it has " + optionsError + ".");
            if (!ok) return null;

            ProjectRequest request;
            switch (Action)
            {
                case "Shutdown":
                    return new ShutdownRequest();
                case "Clean":
                    request = new CleanProjectRequest { Attic = Attic };
                    break;
                case "Graph":
                    var prefix = GraphPrefix.Trim().Length > 0 ? GraphPrefix.Trim() : Contract.DefaultGraphPrefix;
                    request = new GraphProjectRequest { Prefix = prefix };
                    var basePath = Path.GetFullPath(Path.Combine(ProjectRoot, prefix));
                    GraphFiles = new[] { basePath + ".txt", basePath + "_provenance.dot", basePath + "_dependency.dot", basePath + "_provenance.svg", basePath + "_dependency.svg" };
                    break;
                case "Build":
                    var environment = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
                        environment[(string)entry.Key] = entry.Value as string ?? "";
                    request = new BuildProjectRequest
                    {
                        Environment = environment,
                        Jobs = jobs,
                        KeepGoing = KeepGoing,
                        Clean = Clean,
                        Targets = Targets.Split(';').Select(s => s.Trim()).Where(s => s.Length > 0).ToList(),
                        Resources = resources!,
                        ExplainRerun = ExplainRerun,
                        DryRun = DryRun,
                        List = ListOnly,
                        Watch = Watch,
                        Attic = Attic,
                        Invalidate = Invalidate.Split(';').Select(s => s.Trim()).Where(s => s.Length > 0).ToList(),
                        ProgressSeconds = Contract.ParseSeconds(ProgressSeconds, Contract.DefaultProgressSeconds),
                        HeartbeatSeconds = Contract.ParseSeconds(HeartbeatSeconds, Contract.DefaultHeartbeatSeconds),
                        Executor = executor,
                        SlurmOptions = SlurmOptions.Trim(),
                        SlurmMaxJobs = slurmMaxJobs,
                        // Thousands of SKIP lines in a no-op cost the logging service even when no logger shows them.
                        StepLines = Log.LogsMessagesOfImportance(MessageImportance.Normal),
                    };
                    break;
                default:
                    Error(Codes.BadProperty, "The StepUp task has Action='" + Action + "'; expected Build, Clean, Graph or Shutdown.");
                    return null;
            }
            request.Root = Path.GetFullPath(ProjectRoot);
            request.IdleTimeoutMinutes = idle;
            request.Transient = IsTrue(Environment.GetEnvironmentVariable("CI")) || idle <= 0;
            return request;
        }

        /// <summary>
        /// The Step, Static and Script items with their metadata and locations, written straight from
        /// the items: for 10,000 steps, intermediate objects cost more than the bytes.
        /// </summary>
        byte[] WriteItems()
        {
            var locations = new Dictionary<string, ItemLocations>(StringComparer.OrdinalIgnoreCase);
            using (var writer = new ItemsFrame.Writer(256 * (Statics.Length + Steps.Length + Scripts.Length + Calls.Length) + 16))
            {
                void Add(string type, ITaskItem[] list)
                {
                    foreach (var item in list)
                    {
                        var defining = item.GetMetadata("DefiningProjectFullPath");
                        if (string.IsNullOrEmpty(defining)) defining = ProjectFile;
                        if (!locations.TryGetValue(defining, out var fileLocations)) locations[defining] = fileLocations = ItemLocations.Read(defining);
                        var original = item.GetMetadata("OriginalItemSpec");
                        var (file, line, column) = fileLocations.Take(type, original.Length > 0 ? original : item.ItemSpec);
                        writer.Add(type, item.ItemSpec, StepUpMetadata(item), file, line, column);
                    }
                }
                Add("Static", Statics);
                Add("Step", Steps);
                Add("Script", Scripts);
                Add("Call", Calls);
                Add("Global", Globals);
                Add("Plan", Plans);
                foreach (var fileLocations in locations.Values)
                    foreach (var (where, text) in UnknownMetadata.Find(fileLocations.Written))
                        Log.LogWarning(null, Codes.UnknownMetadata, null, fileLocations.File, where.Line, where.Column, 0, 0, "{0}", text);
                // The settings that change the plan travel with the items, so the plan's fingerprint covers them.
                if (PlanNames.Length > 0 || RealizationsDir.Length > 0)
                    writer.Add("Settings", "", new[]
                    {
                        new KeyValuePair<string, string>("Plan", PlanNames),
                        new KeyValuePair<string, string>("RealizationsDir", RealizationsDir),
                    }, "", 0, 0);
                return writer.Finish();
            }
        }

        /// <summary>
        /// The StepUp metadata that is set. Lists go as MSBuild escaped them, so that the director
        /// splits them as MSBuild does: Out="a%3Bb.txt" is the one file a;b.txt.
        /// </summary>
        static IEnumerable<KeyValuePair<string, string>> StepUpMetadata(ITaskItem item)
        {
            foreach (DictionaryEntry entry in item.CloneCustomMetadata())
            {
                if (!(entry.Value is string value) || value.Length == 0 || !MetadataNames.TryGetValue((string)entry.Key, out var name)) continue;
                if (Array.IndexOf(ListMetadataNames, name) >= 0)
                    value = item is ITaskItem2 escaped ? escaped.GetMetadataValueEscaped(name) : value;
                yield return new KeyValuePair<string, string>(name, value);
            }
        }

        /// <summary>Logs the director's events until it says it is done.</summary>
        bool Relay(Stream stream)
        {
            var lastTag = "";
            // Durations of step runs go on their SUCCESS/FAIL lines at detailed verbosity (and in a binary log).
            var showDurations = Log.LogsMessagesOfImportance(MessageImportance.Low);
            while (true)
            {
                var frame = Framing.Read(stream, ProtocolInfo.MaxAnswerBytes);
                if (frame == null)
                {
                    if (_cancelled) return false;
                    return Error(Codes.DirectorLost,
                        "The StepUp director stopped before the request was done. It may have been killed; the next build repairs the graph. Director log: " + _logPath);
                }
                switch (Messages.ReadEvent(frame))
                {
                    case LineEvent line:
                        lastTag = line.Tag;
                        // PROGRESS is shown at the console logger's default verbosity, which CI logs use.
                        var important = IsFailure(lastTag) || lastTag == "WARNING" || lastTag == "PROGRESS";
                        // What StepUpList leaves out, and why a step that looks changed was skipped, show at detailed verbosity (-v:d).
                        var importance = important ? MessageImportance.High : lastTag == "OMITTED" || lastTag == "NOTE" ? MessageImportance.Low : MessageImportance.Normal;
                        var shown = showDurations && line.DurationMs >= 0 ? line.Text + " (" + EventText.Seconds(line.DurationMs) + ")" : line.Text;
                        Log.LogMessage(importance, "{0}", EventText.Line(lastTag, shown));
                        break;
                    case LineBatchEvent lines:
                        lastTag = lines.Tag;
                        foreach (var text in lines.Texts)
                            Log.LogMessage(MessageImportance.Normal, "{0}", EventText.Line(lastTag, text));
                        break;
                    case PageEvent page:
                        Log.LogMessage(IsFailure(lastTag) ? MessageImportance.High : MessageImportance.Normal, "{0}", EventText.Page(page.Title, page.Text));
                        break;
                    case DiagnosticEvent diagnostic:
                        LogDiagnostic(diagnostic);
                        break;
                    case Rejection rejection:
                        return Refused(rejection);
                    case DoneEvent done:
                        Summary = done.Summary;
                        Log.LogMessage(MessageImportance.Low, "StepUp director time: {0:0.0} ms", done.DirectorMs);
                        // "<project> -> text" is the form the terminal logger shows on the project's result line.
                        if (Summary.Length > 0)
                            Log.LogMessage(MessageImportance.High, "{0} -> {1}", Path.GetFileNameWithoutExtension(ProjectFile), Summary);
                        else if (done.Success && GraphFiles.Length > 0)
                            Log.LogMessage(MessageImportance.High, "{0} -> {1}", Path.GetFileNameWithoutExtension(ProjectFile),
                                GraphFiles[0] + ", " + string.Join(", ", GraphFiles.Skip(1).Select(Path.GetFileName)));
                        return done.Success;
                    case var other:
                        throw new ProtocolException("unexpected '" + other.Type + "' during a request");
                }
            }
        }

        static bool IsFailure(string tag) => tag == "FAIL" || tag == "CANCEL";

        bool Refused(Rejection rejection)
        {
            var advice = rejection.Code == Codes.ProtocolMismatch ? " Stop it with `dotnet build -t:StepUpShutdown` and build again." : " Director log: " + _logPath;
            return Error(rejection.Code, "The StepUp director refused the request: " + rejection.Reason + "." + advice);
        }

        void LogDiagnostic(DiagnosticEvent message)
        {
            var file = message.File.Length > 0 ? message.File : ProjectFile;
            var code = message.Code.Length > 0 ? message.Code : Codes.DirectorInternal;
            if (message.IsWarning)
                Log.LogWarning(null, code, null, file, message.Line, message.Column, 0, 0, "{0}", message.Text);
            else
                Log.LogError(null, code, null, file, message.Line, message.Column, 0, 0, "{0}", message.Text);
        }

        /// <summary>
        /// Stops this SDK build's director, or with <see cref="ShutdownAll"/> every director of the user,
        /// and says which ones it stopped, by the SDK version that started them.
        /// </summary>
        bool Shutdown()
        {
            var folder = Endpoint.DefaultDirectory();
            var own = new Endpoint(folder, Endpoint.ComputeId(SdkVersion, _director));
            _logPath = own.LogPath;
            var sockets = ShutdownAll ? DirectorSockets(folder) : new[] { own.SocketPath };
            var stopped = 0;
            foreach (var socket in sockets)
            {
                if (StopDirector(socket)) stopped++;
                if (Log.HasLoggedErrors) return false;
            }
            if (stopped == 0)
                Log.LogMessage(MessageImportance.High, ShutdownAll ? "No StepUp director of this user is running." : "No StepUp director of StepUp.Sdk {0} is running.", SdkVersion);
            return true;
        }

        static string[] DirectorSockets(string folder)
        {
            try { return Directory.GetFiles(folder, "d-*.sock").OrderBy(path => path, StringComparer.Ordinal).ToArray(); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { return new string[0]; }
        }

        /// <summary>Asks the director at <paramref name="socket"/> to stop; false when none listens there or it would not.</summary>
        bool StopDirector(string socket)
        {
            using (var stream = Endpoint.TryConnect(socket))
            {
                if (stream == null) return false;
                Framing.Write(stream, new ShutdownRequest().ToFrame());
                var frame = Framing.Read(stream, ProtocolInfo.MaxAnswerBytes);
                switch (frame == null ? null : Messages.ReadEvent(frame))
                {
                    case ShutdownReply stopping:
                        var version = stopping.SdkVersion.Length > 0 ? "StepUp.Sdk " + stopping.SdkVersion : "an unknown StepUp.Sdk version";
                        Log.LogMessage(MessageImportance.High, "Stopped the StepUp director of {0} (pid {1}).", version, stopping.Pid);
                        return true;
                    case Rejection rejection when ShutdownAll:
                        Log.LogWarning(null, Codes.DirectorNotStopped, null, ProjectFile, 0, 0, 0, 0,
                            "The StepUp director at {0} did not stop: {1}. Stop it with -t:StepUpShutdown of the SDK version that started it.", socket, rejection.Reason);
                        return false;
                    case Rejection rejection:
                        Refused(rejection);
                        return false;
                    case null:
                        Error(Codes.DirectorLost, "The StepUp director closed the connection without confirming the shutdown. Director log: " + _logPath);
                        return false;
                    case var other:
                        throw new ProtocolException("unexpected '" + other.Type + "' as the answer to shutdown");
                }
            }
        }

        static bool IsTrue(string? value) =>
            !string.IsNullOrEmpty(value) && !string.Equals(value, "false", StringComparison.OrdinalIgnoreCase) && value != "0";
    }
}
