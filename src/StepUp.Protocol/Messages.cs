using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;

// Every message of the StepUp protocol, with its fields as they travel (docs/step-api.md and
// docs/design.md describe the same).
//
// A connection carries one request. The client sends the request frame: a JSON object with "type"
// and "protocol" (ProtocolInfo.Version), at most ProtocolInfo.MaxRequestBytes long and within
// ProtocolInfo.RequestTimeout of connecting. A build request with "itemsFollow" is followed by one
// items frame (ItemsFrame), the only frame that may be large. The director then answers:
//
//   build, clean, graph   events (line, lines, page, diag) and finally done; meanwhile the client
//                          may send cancel, or close the connection, to stop the request
//   shutdown               stopping, after which the director ends
//   api.*                  one answer: ok (with the call's fields) or error
//   anything it cannot     rejected, with the STEPUP code and the reason (another protocol
//   serve                  version, a malformed or oversized request); the connection then closes
//
// Lists are JSON arrays of strings: a path containing ';' is one element.
// JSON is read and written with System.Text.Json everywhere: in-box for the director, the engine
// and the `stepup` command; the MSBuild task uses the copy MSBuild itself ships (see
// StepUp.Protocol.csproj).

namespace StepUp.Protocol
{
    /// <summary>
    /// A message: one frame's JSON object, whose "type" names the class. Its other fields are the
    /// [Wire] properties of the class and its bases; StepUp.Protocol.Generator writes each class's
    /// WriteFields and static Read from them (see <see cref="WireAttribute"/>).
    /// </summary>
    public abstract class Message
    {
        private protected Message() { }

        /// <summary>The "type" field.</summary>
        public abstract string Type { get; }

        private protected abstract void WriteFields(Utf8JsonWriter w);

        /// <summary>The message as the payload of a frame: UTF-8 JSON.</summary>
        public byte[] ToFrame()
        {
            using (var buffer = new MemoryStream())
            {
                using (var w = new Utf8JsonWriter(buffer, Messages.WriterOptions))
                {
                    w.WriteStartObject();
                    w.WriteString("type", Type);
                    WriteFields(w);
                    w.WriteEndObject();
                }
                return buffer.ToArray();
            }
        }
    }

    /// <summary>The first frame of a connection, from a client to the director.</summary>
    public abstract class Request : Message
    {
        private protected Request() { }

        /// <summary>The client's <see cref="ProtocolInfo.Version"/>; another version is rejected unread.</summary>
        [Wire("protocol")] public int Protocol { get; set; } = ProtocolInfo.Version;
    }

    /// <summary>A request of the MSBuild task about one project: build, clean or graph.</summary>
    public abstract class ProjectRequest : Request
    {
        private protected ProjectRequest() { }

        /// <summary>The project root, absolute.</summary>
        [Wire("root", WireRule.Required, Check = nameof(MustBeAbsolute))] public string Root { get; set; } = "";

        /// <summary>Minutes the director may stay idle after this request (StepUpDirectorIdleTimeout).</summary>
        [Wire("idleTimeout", Check = nameof(MustBeIdleTimeout))] public double IdleTimeoutMinutes { get; set; } = Contract.DefaultIdleTimeoutMinutes;

        /// <summary>The director should end when it has nothing left to do (CI, or an idle timeout of 0).</summary>
        [Wire("transient")] public bool Transient { get; set; }

        private protected static string MustBeAbsolute(string root) =>
            Path.IsPathRooted(root) ? root : throw new ProtocolException("'root' must be an absolute path, not '" + root + "'");

        private protected static double MustBeIdleTimeout(double minutes) => Contract.IsIdleTimeout(minutes)
            ? minutes
            : throw new ProtocolException("'idleTimeout' must be " + Contract.IdleTimeoutSyntax + ", not " + minutes);
    }

    /// <summary>"build": run the project's steps. The StepUp* properties travel already parsed.</summary>
    [Wire("build")]
    public sealed partial class BuildProjectRequest : ProjectRequest
    {
        /// <summary>The environment of the build, which steps inherit.</summary>
        [Wire("env")] public Dictionary<string, string> Environment { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>How many steps may run at once (StepUpJobs); a request that does not say: one per core.</summary>
        [Wire("jobs", Missing = nameof(Contract.DefaultJobs))] public int Jobs { get; set; } = 1;

        /// <summary>Run what does not depend on a failed step (StepUpKeepGoing).</summary>
        [Wire("keepGoing")] public bool KeepGoing { get; set; }

        /// <summary>Remove orphaned outputs after a complete, successful build (StepUpClean).</summary>
        [Wire("clean")] public bool Clean { get; set; } = true;

        /// <summary>The outputs to build, project-relative; empty builds everything (StepUpTargets).</summary>
        [Wire("targets")] public List<string> Targets { get; set; } = new List<string>();

        /// <summary>Available units by name (StepUpResources, parsed by <see cref="Contract.ParseResources"/>).</summary>
        [Wire("resources")] public Dictionary<string, int> Resources { get; set; } = new Dictionary<string, int>(StringComparer.Ordinal);

        /// <summary>Say why each step runs (StepUpExplainRerun).</summary>
        [Wire("explainRerun")] public bool ExplainRerun { get; set; }

        /// <summary>Plan and list the steps and realizations with their state; run nothing (StepUpList).</summary>
        [Wire("list")] public bool List { get; set; }

        /// <summary>Move earlier outputs to .stepup/attic/ instead of deleting or overwriting them (StepUpAttic).</summary>
        [Wire("attic")] public bool Attic { get; set; }

        /// <summary>Realization globs (StepUpSelect) whose steps and everything downstream rerun at the next build; run nothing (StepUpInvalidate).</summary>
        [Wire("invalidate")] public List<string> Invalidate { get; set; } = new List<string>();

        /// <summary>Where steps run unless their Executor says otherwise (StepUpExecutor): local or slurm.</summary>
        [Wire("executor")] public string Executor { get; set; } = Contract.LocalExecutor;

        /// <summary>Sbatch options for every Slurm step, verbatim (StepUpSlurmOptions).</summary>
        [Wire("slurmOptions")] public string SlurmOptions { get; set; } = "";

        /// <summary>At most this many of the build's jobs in Slurm's queue (StepUpSlurmMaxJobs).</summary>
        [Wire("slurmMaxJobs")] public int SlurmMaxJobs { get; set; } = Contract.DefaultSlurmMaxJobs;

        /// <summary>Run only out-of-date planning steps; say what else would run (StepUpDryRun).</summary>
        [Wire("dryRun")] public bool DryRun { get; set; }

        /// <summary>An items frame follows this one.</summary>
        [Wire("itemsFollow")] public bool ItemsFollow { get; set; }

        /// <summary>After the build, watch the project's files and build again on each change, until cancelled (StepUpWatch).</summary>
        [Wire("watch", WireRule.OmitDefault)] public bool Watch { get; set; }

        /// <summary>How often a long build says how far it is.</summary>
        [Wire("progressSeconds")] public double ProgressSeconds { get; set; } = Contract.DefaultProgressSeconds;

        /// <summary>After how long (and how often) a running step is reported as still running.</summary>
        [Wire("heartbeatSeconds")] public double HeartbeatSeconds { get; set; } = Contract.DefaultHeartbeatSeconds;

        /// <summary>
        /// The START, SUCCESS and SKIP lines of each step (and the output of a step that succeeded);
        /// false from a client that would not show them (MSBuild below normal verbosity, with no
        /// logger such as a binary log that records them).
        /// </summary>
        [Wire("stepLines", WireRule.OmitDefault)] public bool StepLines { get; set; } = true;

        /// <summary>
        /// Share the director's job slots with the other projects' builds (MSBuild: a solution built
        /// with -m runs no more steps at once than its largest StepUpJobs). False from StepUp's own
        /// command line, where each project is a StepUp of its own, with its own jobs.
        /// </summary>
        [Wire("shareJobs", WireRule.OmitDefault)] public bool ShareJobs { get; set; } = true;

        /// <summary>How often a step may be deferred for amended inputs (since it last succeeded) before it fails (`stepup build --defer-cap`).</summary>
        [Wire("deferCap", WireRule.OmitDefault)] public int DeferCap { get; set; } = Contract.DeferCap;

        // After every field is read, so that a request with several faults is refused for the same one as ever.
        partial void OnRead(Fields f)
        {
            if (Jobs < 1) throw new ProtocolException("'jobs' must be " + Contract.JobsSyntax);
            if (!(ProgressSeconds > 0) || !(HeartbeatSeconds > 0))
                throw new ProtocolException("'progressSeconds' and 'heartbeatSeconds' must be positive");
            if (!Contract.TryParseExecutor(Executor, Contract.LocalExecutor, out var executor))
                throw new ProtocolException("'executor' must be " + Contract.ExecutorSyntax);
            Executor = executor;
            if (SlurmMaxJobs < 1) throw new ProtocolException("'slurmMaxJobs' must be " + Contract.JobsSyntax);
            if (DeferCap < 0) throw new ProtocolException("'deferCap' must be 0 or more");
        }
    }

    /// <summary>"clean": remove what the graph records as built (dotnet clean) and forget the graph.</summary>
    [Wire("clean")]
    public sealed partial class CleanProjectRequest : ProjectRequest
    {
        /// <summary>Move the outputs to .stepup/attic/ instead of deleting them (StepUpAttic).</summary>
        [Wire("attic")] public bool Attic { get; set; }

        /// <summary>Report each file that would be removed (a "DRYRUN" line), remove nothing, keep the graph (`stepup clean`).</summary>
        [Wire("dryRun")] public bool DryRun { get; set; }

        /// <summary>Root-relative; when given, only the outputs at or under them and what is built from them, and the graph is kept (`stepup clean`).</summary>
        [Wire("paths")] public List<string> Paths { get; set; } = new List<string>();

        /// <summary>With paths, every such output; without, only orphaned ones.</summary>
        [Wire("all")] public bool All { get; set; }
    }

    /// <summary>"graph": write the project's graph to files (the StepUpGraph target).</summary>
    [Wire("graph")]
    public sealed partial class GraphProjectRequest : ProjectRequest
    {
        /// <summary>Where the files go, relative to the root (StepUpGraphPrefix).</summary>
        [Wire("prefix", WireRule.EmptyIsDefault)] public string Prefix { get; set; } = Contract.DefaultGraphPrefix;
    }

    /// <summary>"shutdown": end the director once its requests in flight are done; answered by <see cref="ShutdownReply"/>.</summary>
    [Wire("shutdown")]
    public sealed partial class ShutdownRequest : Request { }

    /// <summary>"stopping": the answer to shutdown, with the director's "pid".</summary>
    [Wire("stopping")]
    public sealed partial class ShutdownReply : Message
    {
        [Wire("pid")] public int Pid { get; set; }

        /// <summary>The StepUp.Sdk version the director belongs to; empty when a director does not say.</summary>
        [Wire("sdk")] public string SdkVersion { get; set; } = "";
    }

    /// <summary>"cancel": sent during a build, clean or graph request (Ctrl-C): stop it.</summary>
    [Wire("cancel")]
    public sealed partial class CancelRequest : Message
    {
        /// <summary>
        /// A build starts no more steps and ends when those that run have ended (the first
        /// `stepup shutdown`, as StepUp 4's); a later cancel without it stops them. Other requests
        /// stop at once.
        /// </summary>
        [Wire("drain", WireRule.OmitDefault)] public bool Drain { get; set; }
    }

    /// <summary>
    /// A call of a running step (docs/step-api.md). Paths are as the caller wrote them; the director
    /// resolves them against <see cref="Cwd"/>.
    /// </summary>
    public abstract class StepCall : Request
    {
        private protected StepCall() { }

        /// <summary>STEPUP_STEP_TOKEN of the calling step.</summary>
        [Wire("token")] public string Token { get; set; } = "";

        /// <summary>The caller's working folder, absolute; null: the project root.</summary>
        [Wire("cwd")] public string? Cwd { get; set; }

        /// <summary>The fields of this call's "ok" answer.</summary>
        internal abstract StepReply ReadReply(Fields f);
    }

    /// <summary>
    /// What a step defines: the fields api.step and api.script share, which travel after the fields
    /// that say what the step runs (<see cref="WireRule.BeforeBase"/>).
    /// </summary>
    public abstract class DefineCall : StepCall
    {
        private protected DefineCall() { }

        /// <summary>The new step's working folder, relative to the caller's; null: the caller's.</summary>
        [Wire("workdir")] public string? Workdir { get; set; }

        /// <summary>"inp", "out", "vol": paths relative to the new step's workdir.</summary>
        [Wire("inp")] public List<string> Inp { get; set; } = new List<string>();
        [Wire("out")] public List<string> Out { get; set; } = new List<string>();
        [Wire("vol")] public List<string> Vol { get; set; } = new List<string>();

        /// <summary>Names of environment variables the new step depends on.</summary>
        [Wire("env")] public List<string> Env { get; set; } = new List<string>();

        /// <summary>Run the step only when another step needs its outputs.</summary>
        [Wire("optional")] public bool Optional { get; set; }

        /// <summary>What the step holds while it runs, in the syntax of <see cref="Contract.ParseResources"/>; null: none.</summary>
        [Wire("resources")] public string? Resources { get; set; }

        /// <summary>The step's expected wall time in seconds, for the dispatch order; null: the default.</summary>
        [Wire("duration")] public double? Duration { get; set; }

        internal override StepReply ReadReply(Fields f) => DefinitionReply.Read(f);
    }

    /// <summary>"api.step": define a step that runs a shell command; answered by <see cref="DefinitionReply"/>.</summary>
    [Wire("api.step")]
    public sealed partial class DefineStepCall : DefineCall
    {
        /// <summary>The shell command; ${inp}, ${out} and ${vol} are expanded by the director.</summary>
        [Wire("command", WireRule.BeforeBase)] public string Command { get; set; } = "";

        /// <summary>The step's key; null: the step is labelled by its command.</summary>
        [Wire("name", WireRule.BeforeBase)] public string? Name { get; set; }

        /// <summary>The step defines further steps.</summary>
        [Wire("planning")] public bool Planning { get; set; }

        /// <summary>False runs <see cref="Argv"/> without /bin/sh.</summary>
        [Wire("shell", WireRule.OmitDefault)] public bool Shell { get; set; } = true;

        /// <summary>With shell false, the program and its arguments as the client split the command.</summary>
        public List<string> Argv { get; set; } = new List<string>();

        // "argv" travels with shell false only, even when empty.
        [Wire("argv")] List<string>? ArgvWithoutShell { get => Shell ? null : Argv; set => Argv = value ?? new List<string>(); }

        /// <summary>False leaves ${inp}, ${out} and ${vol} in the command as they are.</summary>
        [Wire("placeholders", WireRule.OmitDefault)] public bool Placeholders { get; set; } = true;

        /// <summary>Variables set in the command's environment (from leading VAR=value words).</summary>
        [Wire("envOverrides", WireRule.OmitDefault)] public Dictionary<string, string> EnvOverrides { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);
    }

    /// <summary>"api.script": define the plan step `./EXE plan` of an executable script; answered by <see cref="DefinitionReply"/>.</summary>
    [Wire("api.script")]
    public sealed partial class DefineScriptCall : DefineCall
    {
        /// <summary>The script, relative to the new step's workdir.</summary>
        [Wire("executable", WireRule.BeforeBase)] public string Executable { get; set; } = "";

        /// <summary>A JSON file the plan step writes about the steps it defines; null: none.</summary>
        [Wire("stepInfo", WireRule.BeforeBase)] public string? StepInfo { get; set; }
    }

    /// <summary>"api.static": declare files that no step makes; answered by <see cref="StaticReply"/>.</summary>
    [Wire("api.static")]
    public sealed partial class DeclareStaticCall : StepCall
    {
        /// <summary>Relative to the caller's cwd; a trailing '/' names a folder: every file under it.</summary>
        [Wire("paths")] public List<string> Paths { get; set; } = new List<string>();

        /// <summary>The patterns whose matches are among the paths, registered with the caller as api.glob does.</summary>
        [Wire("patterns", WireRule.OmitDefault)] public List<GlobPattern> Patterns { get; set; } = new List<GlobPattern>();

        internal override StepReply ReadReply(Fields f) => StaticReply.Read(f);
    }

    /// <summary>"api.amend": add to the calling step's own dependencies; answered by <see cref="AmendReply"/>.</summary>
    [Wire("api.amend")]
    public sealed partial class AmendCall : StepCall
    {
        /// <summary>"inp", "out", "vol": paths relative to the caller's cwd; "env": variable names.</summary>
        [Wire("inp")] public List<string> Inp { get; set; } = new List<string>();
        [Wire("out")] public List<string> Out { get; set; } = new List<string>();
        [Wire("vol")] public List<string> Vol { get; set; } = new List<string>();
        [Wire("env")] public List<string> Env { get; set; } = new List<string>();

        /// <summary>Amended inputs that nothing makes or declares become static.</summary>
        [Wire("implicitStatic")] public bool ImplicitStatic { get; set; }

        internal override StepReply ReadReply(Fields f) => AmendReply.Read(f);
    }

    /// <summary>"api.info": the calling step's definition; answered by <see cref="DefinitionReply"/>.</summary>
    [Wire("api.info")]
    public sealed partial class StepInfoCall : StepCall
    {
        internal override StepReply ReadReply(Fields f) => DefinitionReply.Read(f);
    }

    /// <summary>"api.graph": write the graph to three files; answered by <see cref="GraphFilesReply"/>.</summary>
    [Wire("api.graph")]
    public sealed partial class WriteGraphCall : StepCall
    {
        /// <summary>Relative to the caller's cwd.</summary>
        [Wire("prefix", WireRule.EmptyIsDefault)] public string Prefix { get; set; } = Contract.DefaultGraphPrefix;

        internal override StepReply ReadReply(Fields f) => GraphFilesReply.Read(f);
    }

    /// <summary>A file pattern with named wildcards (${*NAME}) and the matches the client found, relative to the caller's cwd.</summary>
    public sealed partial class GlobPattern
    {
        /// <summary>Variables substituted; may hold *, ?, [...], ** and ${*NAME}.</summary>
        [Wire("pattern", WireRule.Required)] public string Pattern { get; set; } = "";

        /// <summary>The sub-pattern of each named wildcard (default *).</summary>
        [Wire("subs")] public Dictionary<string, string> Subs { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>The matches, folders with a trailing '/'.</summary>
        [Wire("paths")] public List<string> Paths { get; set; } = new List<string>();
    }

    /// <summary>"api.glob" (advisory): register a pattern and its matches with the calling step; answered by <see cref="EmptyReply"/>.</summary>
    [Wire("api.glob")]
    public sealed partial class GlobCall : StepCall
    {
        /// <summary>Its fields are the call's own.</summary>
        [Wire] public GlobPattern Glob { get; set; } = new GlobPattern();

        internal override StepReply ReadReply(Fields f) => new EmptyReply();
    }

    /// <summary>"api.hold" and "api.release" (advisory): hold back, or let go, the steps the caller defines; answered by <see cref="EmptyReply"/>.</summary>
    public sealed partial class HoldCall : StepCall
    {
        internal const string HoldName = "api.hold";
        internal const string ReleaseName = "api.release";

        /// <summary>True for api.release.</summary>
        public bool Release { get; set; }

        public override string Type => Release ? ReleaseName : HoldName;

        internal static HoldCall Read(Fields f, bool release)
        {
            var call = Read(f);
            call.Release = release;
            return call;
        }

        internal override StepReply ReadReply(Fields f) => new EmptyReply();
    }

    /// <summary>"api.record" (advisory): a command the step ran itself, kept for inspection; answered by <see cref="EmptyReply"/>.</summary>
    [Wire("api.record")]
    public sealed partial class RecordCall : StepCall
    {
        /// <summary>Shell-quoted.</summary>
        [Wire("command")] public string Command { get; set; } = "";
        [Wire("returncode")] public int ReturnCode { get; set; }

        /// <summary>Relative to cwd.</summary>
        [Wire("workdir")] public string Workdir { get; set; } = ".";
        [Wire("shell")] public bool Shell { get; set; }
        [Wire("stdin")] public string Stdin { get; set; } = "";
        [Wire("stdout")] public string Stdout { get; set; } = "";
        [Wire("stderr")] public string Stderr { get; set; } = "";
        [Wire("envOverrides", WireRule.OmitDefault)] public Dictionary<string, string> EnvOverrides { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

        internal override StepReply ReadReply(Fields f) => new EmptyReply();
    }

    /// <summary>
    /// A step call of a name this protocol does not know (a newer client's): it reaches the build, which
    /// answers it with an <see cref="ErrorReply"/> "unknown call 'NAME'", so a client can tell that the
    /// director lacks a call from a call that failed.
    /// </summary>
    public sealed partial class UnknownCall : StepCall
    {
        internal const string Prefix = "api.";

        public string Name { get; set; } = "";
        public override string Type => Name;

        partial void OnRead(Fields f) => Name = f.Type;

        internal override StepReply ReadReply(Fields f) => throw new ProtocolException("no answer is defined for '" + Name + "'");
    }

    /// <summary>"ok": a step call was done; the fields depend on the call.</summary>
    public abstract class StepReply : Message
    {
        private protected StepReply() { }

        internal const string TypeName = "ok";
        public sealed override string Type => TypeName;
    }

    /// <summary>The answer to api.step, api.script and api.info: a definition, paths relative to its workdir.</summary>
    public sealed partial class DefinitionReply : StepReply
    {
        /// <summary>"key": the step's identity; "label": how it is shown. Empty: not sent.</summary>
        [Wire("key", WireRule.OmitDefault)] public string Key { get; set; } = "";
        [Wire("label", WireRule.OmitDefault)] public string Label { get; set; } = "";
        [Wire("command")] public string Command { get; set; } = "";
        [Wire("workdir")] public string Workdir { get; set; } = "";
        [Wire("inp")] public List<string> Inp { get; set; } = new List<string>();
        [Wire("out")] public List<string> Out { get; set; } = new List<string>();
        [Wire("vol")] public List<string> Vol { get; set; } = new List<string>();
        [Wire("env")] public List<string> Env { get; set; } = new List<string>();

        /// <summary>command, workdir, inp, out, vol, env: what `stepup info` prints.</summary>
        public void WriteDefinition(Utf8JsonWriter w) =>
            new DefinitionReply { Command = Command, Workdir = Workdir, Inp = Inp, Out = Out, Vol = Vol, Env = Env }.WriteFields(w);
    }

    /// <summary>The answer to api.glob, api.hold, api.release and api.record: "ok" without fields.</summary>
    public sealed partial class EmptyReply : StepReply { }

    /// <summary>The answer to api.static: the root-relative files declared.</summary>
    public sealed partial class StaticReply : StepReply
    {
        [Wire("paths")] public List<string> Paths { get; set; } = new List<string>();
    }

    /// <summary>The answer to api.amend: false when an amended input is not built yet.</summary>
    public sealed partial class AmendReply : StepReply
    {
        [Wire("carryOn")] public bool CarryOn { get; set; } = true;
    }

    /// <summary>The answer to api.graph: the three files written.</summary>
    public sealed partial class GraphFilesReply : StepReply
    {
        [Wire("files")] public List<string> Files { get; set; } = new List<string>();
    }

    /// <summary>
    /// "error": a step call that could not be done; "message" says why (the step should fail with it).
    /// "kind", when given, names the error as StepUp 4's exceptions do (<see cref="CyclicKind"/>), so
    /// that the Python client raises the same exception class.
    /// </summary>
    [Wire("error")]
    public sealed partial class ErrorReply : Message
    {
        /// <summary>The call would close a dependency cycle (StepUp 4's CyclicError).</summary>
        public const string CyclicKind = "CyclicError";

        [Wire("message")] public string Text { get; set; } = "";

        [Wire("kind", WireRule.OmitDefault)] public string Kind { get; set; } = "";
    }

    /// <summary>"rejected": the director did not serve the request; "code" is the STEPUP code, "reason" why.</summary>
    [Wire("rejected")]
    public sealed partial class Rejection : Message
    {
        [Wire("code")] public string Code { get; set; } = Codes.MalformedRequest;
        [Wire("reason")] public string Reason { get; set; } = "";
    }

    /// <summary>"line": a tagged line of the build's story, e.g. ("START", "story").</summary>
    [Wire("line")]
    public sealed partial class LineEvent : Message
    {
        [Wire("tag")] public string Tag { get; set; } = "";
        [Wire("text")] public string Text { get; set; } = "";

        /// <summary>How long the step ran, on the line that ends its run; negative on other lines.</summary>
        public double DurationMs { get; set; } = -1;

        // "ms" is left out while negative.
        [Wire("ms")] double? Ms { get => DurationMs >= 0 ? DurationMs : (double?)null; set => DurationMs = value ?? -1; }
    }

    /// <summary>"lines": a run of lines with one tag ("texts"): thousands of SKIP lines travel as one message.</summary>
    [Wire("lines")]
    public sealed partial class LineBatchEvent : Message
    {
        [Wire("tag")] public string Tag { get; set; } = "";
        [Wire("texts")] public List<string> Texts { get; set; } = new List<string>();
    }

    /// <summary>"page": a block of text under a titled rule, e.g. a step's output.</summary>
    [Wire("page")]
    public sealed partial class PageEvent : Message
    {
        [Wire("title")] public string Title { get; set; } = "";
        [Wire("text")] public string Text { get; set; } = "";
    }

    /// <summary>"diag": an MSBuild error or warning: "severity" (error, warning), "code", "message", "file", "line", "column".</summary>
    [Wire("diag")]
    public sealed partial class DiagnosticEvent : Message
    {
        public bool IsWarning { get; set; }

        // Anything but "warning" reads as an error.
        [Wire("severity")] string Severity { get => IsWarning ? "warning" : "error"; set => IsWarning = value == "warning"; }

        [Wire("code")] public string Code { get; set; } = "";
        [Wire("message")] public string Text { get; set; } = "";

        /// <summary>The item's file; empty: the project file.</summary>
        [Wire("file")] public string File { get; set; } = "";
        [Wire("line")] public int Line { get; set; }
        [Wire("column")] public int Column { get; set; }
    }

    /// <summary>"done": the last event of a build, clean or graph request.</summary>
    [Wire("done")]
    public sealed partial class DoneEvent : Message
    {
        /// <summary>The request did what was asked; a failure has been reported as a diag.</summary>
        [Wire("success")] public bool Success { get; set; }

        /// <summary>The closing line, e.g. "StepUp: 3 ran, 0 skipped, ...".</summary>
        [Wire("summary")] public string Summary { get; set; } = "";

        /// <summary>The director's own time for the request.</summary>
        [Wire("directorMs")] public double DirectorMs { get; set; }

        /// <summary>Steps of a build that failed (the `stepup` command's return code has a bit for them).</summary>
        [Wire("failed")] public int Failed { get; set; }

        /// <summary>Steps of a build left pending (not run, not skipped).</summary>
        [Wire("notRun")] public int NotRun { get; set; }

        /// <summary>Runs a build started, failed and deferred ones included (`stepup build` says `Ran N job(s).`).</summary>
        [Wire("jobs")] public int Jobs { get; set; }

        /// <summary>The build stopped starting steps because its client asked it to (a drain cancel).</summary>
        [Wire("drained", WireRule.OmitDefault)] public bool Drained { get; set; }
    }

    /// <summary>Reads frames into messages, for each side of a connection.</summary>
    public static class Messages
    {
        internal static readonly JsonWriterOptions WriterOptions = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        /// <summary>The request frame of a connection, as the director reads it.</summary>
        /// <exception cref="ProtocolException">Not a request of this protocol version.</exception>
        public static Request ReadRequest(byte[] frame) => Fields.Parse<Request>(frame, f =>
        {
            // The version first: a client of another version may mean anything by its other fields.
            var protocol = f.Integer("protocol", -1);
            if (protocol < 0) throw new ProtocolException("a request needs a 'protocol' field");
            if (protocol != ProtocolInfo.Version)
                throw new ProtocolException("this director speaks StepUp protocol " + ProtocolInfo.Version + ", the client speaks " + protocol, isVersionMismatch: true);
            switch (f.Type)
            {
                case BuildProjectRequest.TypeName: return BuildProjectRequest.Read(f);
                case CleanProjectRequest.TypeName: return CleanProjectRequest.Read(f);
                case GraphProjectRequest.TypeName: return GraphProjectRequest.Read(f);
                case ShutdownRequest.TypeName: return new ShutdownRequest();
                case DefineStepCall.TypeName: return DefineStepCall.Read(f);
                case DefineScriptCall.TypeName: return DefineScriptCall.Read(f);
                case DeclareStaticCall.TypeName: return DeclareStaticCall.Read(f);
                case AmendCall.TypeName: return AmendCall.Read(f);
                case StepInfoCall.TypeName: return StepInfoCall.Read(f);
                case WriteGraphCall.TypeName: return WriteGraphCall.Read(f);
                case GlobCall.TypeName: return GlobCall.Read(f);
                case HoldCall.HoldName: return HoldCall.Read(f, release: false);
                case HoldCall.ReleaseName: return HoldCall.Read(f, release: true);
                case RecordCall.TypeName: return RecordCall.Read(f);
                case var call when call.StartsWith(UnknownCall.Prefix, StringComparison.Ordinal): return UnknownCall.Read(f);
                default: throw new ProtocolException("unknown request '" + f.Type + "'");
            }
        });

        /// <summary>A frame the client sends while its request runs: only cancel is one.</summary>
        public static CancelRequest ReadWhileServed(byte[] frame) => Fields.Parse(frame, f =>
            f.Type == CancelRequest.TypeName ? CancelRequest.Read(f) : throw new ProtocolException("unexpected '" + f.Type + "' during a request"));

        /// <summary>An event or the answer to a project request or shutdown, as the task reads it.</summary>
        public static Message ReadEvent(byte[] frame) => Fields.Parse<Message>(frame, f =>
        {
            switch (f.Type)
            {
                case LineEvent.TypeName: return LineEvent.Read(f);
                case LineBatchEvent.TypeName: return LineBatchEvent.Read(f);
                case PageEvent.TypeName: return PageEvent.Read(f);
                case DiagnosticEvent.TypeName: return DiagnosticEvent.Read(f);
                case DoneEvent.TypeName: return DoneEvent.Read(f);
                case ShutdownReply.TypeName: return ShutdownReply.Read(f);
                case Rejection.TypeName: return Rejection.Read(f);
                default: throw new ProtocolException("unknown event '" + f.Type + "'");
            }
        });

        /// <summary>The answer to <paramref name="call"/>: its <see cref="StepReply"/>, an <see cref="ErrorReply"/> or a <see cref="Rejection"/>.</summary>
        public static Message ReadStepAnswer(byte[] frame, StepCall call) => Fields.Parse<Message>(frame, f =>
        {
            switch (f.Type)
            {
                case StepReply.TypeName: return call.ReadReply(f);
                case ErrorReply.TypeName: return ErrorReply.Read(f);
                case Rejection.TypeName: return Rejection.Read(f);
                default: throw new ProtocolException("unexpected answer of type '" + f.Type + "'");
            }
        });
    }

    /// <summary>One item of the items frame: a Step, Static or Script item as MSBuild evaluated it.</summary>
    public sealed class ItemRecord
    {
        /// <summary>"type": Step, Static or Script; "include": its Include.</summary>
        public string Type { get; set; } = "";
        public string Include { get; set; } = "";

        /// <summary>"meta": the StepUp metadata that is set (Command, Inp, ...), names case-insensitive.</summary>
        public Dictionary<string, string> Meta { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>"file", "line", "column": where the item is written (line 0: unknown).</summary>
        public string File { get; set; } = "";
        public int Line { get; set; }
        public int Column { get; set; }
    }

    /// <summary>
    /// The items frame that follows a build request: a JSON array of <see cref="ItemRecord"/> objects.
    /// The director fingerprints its bytes and parses it only when they changed, so it is written and
    /// read as a stream of tokens, never as a tree (100,000 steps).
    /// </summary>
    public static class ItemsFrame
    {
        /// <summary>Writes the items one by one; <see cref="Finish"/> gives the frame.</summary>
        public sealed class Writer : IDisposable
        {
            readonly MemoryStream _buffer;
            readonly Utf8JsonWriter _json;

            public Writer(int capacity)
            {
                _buffer = new MemoryStream(capacity);
                _json = new Utf8JsonWriter(_buffer, Messages.WriterOptions);
                _json.WriteStartArray();
            }

            /// <summary>Adds an item; <paramref name="meta"/> gives the metadata that is set.</summary>
            public void Add(string type, string include, IEnumerable<KeyValuePair<string, string>> meta, string file, int line, int column)
            {
                _json.WriteStartObject();
                _json.WriteString("type", type);
                _json.WriteString("include", include);
                _json.WriteStartObject("meta");
                foreach (var pair in meta) _json.WriteString(pair.Key, pair.Value);
                _json.WriteEndObject();
                _json.WriteString("file", file);
                _json.WriteNumber("line", line);
                _json.WriteNumber("column", column);
                _json.WriteEndObject();
            }

            public byte[] Finish()
            {
                _json.WriteEndArray();
                _json.Flush();
                return _buffer.ToArray();
            }

            public void Dispose()
            {
                _json.Dispose();
                _buffer.Dispose();
            }
        }

        /// <summary>Reads the items, each made into a <typeparamref name="T"/> at once.</summary>
        /// <exception cref="ProtocolException">The frame is not an array of items.</exception>
        public static List<T> Read<T>(byte[] frame, Func<ItemRecord, T> make)
        {
            var items = new List<T>();
            var reader = new Utf8JsonReader(frame, new JsonReaderOptions { MaxDepth = ProtocolInfo.MaxJsonDepth });
            try
            {
                Expect(ref reader, JsonTokenType.StartArray);
                while (Next(ref reader) == JsonTokenType.StartObject)
                {
                    var item = new ItemRecord();
                    while (Next(ref reader) == JsonTokenType.PropertyName)
                    {
                        var name = reader.GetString();
                        Next(ref reader);
                        switch (name)
                        {
                            case "type": item.Type = reader.GetString() ?? ""; break;
                            case "include": item.Include = reader.GetString() ?? ""; break;
                            case "file": item.File = reader.GetString() ?? ""; break;
                            case "line": item.Line = reader.GetInt32(); break;
                            case "column": item.Column = reader.GetInt32(); break;
                            case "meta":
                                if (reader.TokenType != JsonTokenType.StartObject) throw new ProtocolException("'meta' of an item must be an object");
                                while (Next(ref reader) == JsonTokenType.PropertyName)
                                {
                                    var key = reader.GetString()!;
                                    Next(ref reader);
                                    item.Meta[key] = reader.GetString() ?? "";
                                }
                                break;
                            default:
                                reader.Skip();
                                break;
                        }
                    }
                    if (reader.TokenType != JsonTokenType.EndObject) throw new ProtocolException("an item must be an object of fields");
                    items.Add(make(item));
                }
                if (reader.TokenType != JsonTokenType.EndArray) throw new ProtocolException("the items frame must be an array of objects");
            }
            catch (Exception e) when (e is JsonException || e is InvalidOperationException || e is FormatException)
            {
                throw new ProtocolException("the items frame is malformed: " + e.Message);
            }
            return items;
        }

        static JsonTokenType Next(ref Utf8JsonReader reader)
        {
            if (!reader.Read()) throw new ProtocolException("the items frame ends too early");
            return reader.TokenType;
        }

        static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
        {
            if (Next(ref reader) != type) throw new ProtocolException("expected " + type + " in the items frame");
        }
    }

    /// <summary>
    /// The fields of one message's JSON object, read with the type the protocol gives each: a
    /// missing or null field is its default, a field of another type is a <see cref="ProtocolException"/>.
    /// </summary>
    sealed class Fields
    {
        static readonly JsonDocumentOptions ReaderOptions = new JsonDocumentOptions { MaxDepth = ProtocolInfo.MaxJsonDepth };

        readonly JsonElement _object;

        Fields(JsonElement element)
        {
            _object = element;
            Type = String("type") ?? throw new ProtocolException("a message needs a 'type'");
        }

        /// <summary>An object inside a message, its errors named after <paramref name="context"/>.</summary>
        Fields(JsonElement element, string context)
        {
            _object = element;
            Type = context;
        }

        public string Type { get; }

        /// <summary>Parses a frame and makes the message while the document is open.</summary>
        public static T Parse<T>(byte[] frame, Func<Fields, T> make)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(frame, ReaderOptions);
            }
            catch (JsonException e)
            {
                throw new ProtocolException("the message is not JSON of at most " + ProtocolInfo.MaxJsonDepth + " levels: " + e.Message);
            }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object) throw new ProtocolException("a message must be a JSON object");
                return make(new Fields(document.RootElement));
            }
        }

        bool TryGet(string name, out JsonElement value) =>
            _object.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

        ProtocolException Wrong(string name, string what) => new ProtocolException("field '" + name + "' of '" + Type + "' must be " + what);

        public string? String(string name)
        {
            if (!TryGet(name, out var value)) return null;
            return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Wrong(name, "a string");
        }

        /// <summary>The string, or null when it is missing, null or empty.</summary>
        public string? NonEmptyString(string name) => String(name) is { Length: > 0 } value ? value : null;

        public string RequiredString(string name) =>
            NonEmptyString(name) ?? throw new ProtocolException("'" + Type + "' needs a '" + name + "'");

        public bool Bool(string name, bool fallback = false)
        {
            if (!TryGet(name, out var value)) return fallback;
            switch (value.ValueKind)
            {
                case JsonValueKind.True: return true;
                case JsonValueKind.False: return false;
                default: throw Wrong(name, "true or false");
            }
        }

        public long Integer(string name, long fallback)
        {
            if (!TryGet(name, out var value)) return fallback;
            return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= int.MinValue && number <= int.MaxValue
                ? number
                : throw Wrong(name, "a whole number");
        }

        public double Number(string name, double fallback)
        {
            if (!TryGet(name, out var value)) return fallback;
            return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) ? number : throw Wrong(name, "a number");
        }

        public double? OptionalNumber(string name) => TryGet(name, out _) ? Number(name, 0) : (double?)null;

        /// <summary>A list of objects, each read as fields of its own.</summary>
        public List<Fields> Objects(string name)
        {
            var list = new List<Fields>();
            if (!TryGet(name, out var value)) return list;
            if (value.ValueKind != JsonValueKind.Array) throw Wrong(name, "a list of objects");
            foreach (var item in value.EnumerateArray())
                list.Add(item.ValueKind == JsonValueKind.Object ? new Fields(item, Type + "." + name) : throw Wrong(name, "a list of objects"));
            return list;
        }

        public List<string> Strings(string name)
        {
            var list = new List<string>();
            if (!TryGet(name, out var value)) return list;
            if (value.ValueKind != JsonValueKind.Array) throw Wrong(name, "a list of strings");
            foreach (var item in value.EnumerateArray())
                list.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Wrong(name, "a list of strings"));
            return list;
        }

        public Dictionary<string, string> StringMap(string name)
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in Properties(name, "an object of strings"))
                map[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : throw Wrong(name, "an object of strings");
            return map;
        }

        public Dictionary<string, int> UnitsMap(string name)
        {
            var map = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var property in Properties(name, "an object of whole numbers"))
                map[property.Name] = property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out var units) && units >= 0
                    ? units
                    : throw Wrong(name, "an object of whole numbers");
            return map;
        }

        IEnumerable<JsonProperty> Properties(string name, string what)
        {
            if (!TryGet(name, out var value)) return Array.Empty<JsonProperty>();
            if (value.ValueKind != JsonValueKind.Object) throw Wrong(name, what);
            return value.EnumerateObject();
        }

        public static void WriteList(Utf8JsonWriter w, string name, List<string> values)
        {
            w.WriteStartArray(name);
            foreach (var value in values) w.WriteStringValue(value);
            w.WriteEndArray();
        }

        public static void WriteMap(Utf8JsonWriter w, string name, Dictionary<string, string> values)
        {
            w.WriteStartObject(name);
            foreach (var pair in values) w.WriteString(pair.Key, pair.Value);
            w.WriteEndObject();
        }

        public static void WriteMap(Utf8JsonWriter w, string name, Dictionary<string, int> units)
        {
            w.WriteStartObject(name);
            foreach (var pair in units) w.WriteNumber(pair.Key, pair.Value);
            w.WriteEndObject();
        }
    }
}
