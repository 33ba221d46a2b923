using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
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
    /// <summary>A message: one frame's JSON object, whose "type" names the class.</summary>
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

        /// <summary>"protocol": the client's <see cref="ProtocolInfo.Version"/>; another version is rejected unread.</summary>
        public int Protocol { get; set; } = ProtocolInfo.Version;

        private protected sealed override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteNumber("protocol", Protocol);
            WriteRequestFields(w);
        }

        private protected abstract void WriteRequestFields(Utf8JsonWriter w);
    }

    /// <summary>A request of the MSBuild task about one project: build, clean or graph.</summary>
    public abstract class ProjectRequest : Request
    {
        private protected ProjectRequest() { }

        /// <summary>"root": the project root, absolute.</summary>
        public string Root { get; set; } = "";

        /// <summary>"idleTimeout": minutes the director may stay idle after this request (StepUpDirectorIdleTimeout).</summary>
        public double IdleTimeoutMinutes { get; set; } = Contract.DefaultIdleTimeoutMinutes;

        /// <summary>"transient": the director should end when it has nothing left to do (CI, or an idle timeout of 0).</summary>
        public bool Transient { get; set; }

        private protected override void WriteRequestFields(Utf8JsonWriter w)
        {
            w.WriteString("root", Root);
            w.WriteNumber("idleTimeout", IdleTimeoutMinutes);
            w.WriteBoolean("transient", Transient);
        }

        private protected void ReadProjectFields(Fields f)
        {
            Root = f.RequiredString("root");
            if (!Path.IsPathRooted(Root)) throw new ProtocolException("'root' must be an absolute path, not '" + Root + "'");
            IdleTimeoutMinutes = f.Number("idleTimeout", Contract.DefaultIdleTimeoutMinutes);
            if (!Contract.IsIdleTimeout(IdleTimeoutMinutes))
                throw new ProtocolException("'idleTimeout' must be " + Contract.IdleTimeoutSyntax + ", not " + IdleTimeoutMinutes);
            Transient = f.Bool("transient");
        }
    }

    /// <summary>"build": run the project's steps. The StepUp* properties travel already parsed.</summary>
    public sealed class BuildProjectRequest : ProjectRequest
    {
        internal const string TypeName = "build";
        public override string Type => TypeName;

        /// <summary>"env": the environment of the build, which steps inherit.</summary>
        public Dictionary<string, string> Environment { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>"jobs": how many steps may run at once (StepUpJobs).</summary>
        public int Jobs { get; set; } = 1;

        /// <summary>"keepGoing": run what does not depend on a failed step (StepUpKeepGoing).</summary>
        public bool KeepGoing { get; set; }

        /// <summary>"clean": remove orphaned outputs after a complete, successful build (StepUpClean).</summary>
        public bool Clean { get; set; } = true;

        /// <summary>"targets": the outputs to build, project-relative; empty builds everything (StepUpTargets).</summary>
        public List<string> Targets { get; set; } = new List<string>();

        /// <summary>"resources": available units by name (StepUpResources, parsed by <see cref="Contract.ParseResources"/>).</summary>
        public Dictionary<string, int> Resources { get; set; } = new Dictionary<string, int>(StringComparer.Ordinal);

        /// <summary>"explainRerun": say why each step runs (StepUpExplainRerun).</summary>
        public bool ExplainRerun { get; set; }

        /// <summary>"list": plan and list the steps and realizations with their state; run nothing (StepUpList).</summary>
        public bool List { get; set; }

        /// <summary>"attic": move earlier outputs to .stepup/attic/ instead of deleting or overwriting them (StepUpAttic).</summary>
        public bool Attic { get; set; }

        /// <summary>"invalidate": realization globs (StepUpSelect) whose steps and everything downstream rerun at the next build; run nothing (StepUpInvalidate).</summary>
        public List<string> Invalidate { get; set; } = new List<string>();
        /// <summary>"executor": where steps run unless their Executor says otherwise (StepUpExecutor): local or slurm.</summary>
        public string Executor { get; set; } = Contract.LocalExecutor;

        /// <summary>"slurmOptions": sbatch options for every Slurm step, verbatim (StepUpSlurmOptions).</summary>
        public string SlurmOptions { get; set; } = "";

        /// <summary>"slurmMaxJobs": at most this many of the build's jobs in Slurm's queue (StepUpSlurmMaxJobs).</summary>
        public int SlurmMaxJobs { get; set; } = Contract.DefaultSlurmMaxJobs;

        /// <summary>"dryRun": run only out-of-date planning steps; say what else would run (StepUpDryRun).</summary>
        public bool DryRun { get; set; }

        /// <summary>"itemsFollow": an items frame follows this one.</summary>
        public bool ItemsFollow { get; set; }

        /// <summary>"watch": after the build, watch the project's files and build again on each change, until cancelled (StepUpWatch).</summary>
        public bool Watch { get; set; }
        /// <summary>"progressSeconds": how often a long build says how far it is.</summary>
        public double ProgressSeconds { get; set; } = Contract.DefaultProgressSeconds;

        /// <summary>"heartbeatSeconds": after how long (and how often) a running step is reported as still running.</summary>
        public double HeartbeatSeconds { get; set; } = Contract.DefaultHeartbeatSeconds;

        /// <summary>"skipLines": a SKIP line for each up-to-date step; false from a client that would not show them (MSBuild below normal verbosity).</summary>
        public bool SkipLines { get; set; } = true;

        /// <summary>"deferCap": how often a step may be deferred for amended inputs (since it last succeeded) before it fails (`stepup build --defer-cap`).</summary>
        public int DeferCap { get; set; } = Contract.DeferCap;

        private protected override void WriteRequestFields(Utf8JsonWriter w)
        {
            base.WriteRequestFields(w);
            Fields.WriteMap(w, "env", Environment);
            w.WriteNumber("jobs", Jobs);
            w.WriteBoolean("keepGoing", KeepGoing);
            w.WriteBoolean("clean", Clean);
            Fields.WriteList(w, "targets", Targets);
            w.WriteStartObject("resources");
            foreach (var pair in Resources) w.WriteNumber(pair.Key, pair.Value);
            w.WriteEndObject();
            w.WriteBoolean("explainRerun", ExplainRerun);
            w.WriteBoolean("list", List);
            w.WriteBoolean("attic", Attic);
            Fields.WriteList(w, "invalidate", Invalidate);
            w.WriteString("executor", Executor);
            w.WriteString("slurmOptions", SlurmOptions);
            w.WriteNumber("slurmMaxJobs", SlurmMaxJobs);
            w.WriteBoolean("dryRun", DryRun);
            w.WriteBoolean("itemsFollow", ItemsFollow);
            if (Watch) w.WriteBoolean("watch", true);
            w.WriteNumber("progressSeconds", ProgressSeconds);
            w.WriteNumber("heartbeatSeconds", HeartbeatSeconds);
            if (!SkipLines) w.WriteBoolean("skipLines", false);
            if (DeferCap != Contract.DeferCap) w.WriteNumber("deferCap", DeferCap);
        }

        internal static BuildProjectRequest Read(Fields f)
        {
            var request = new BuildProjectRequest
            {
                Environment = f.StringMap("env"),
                Jobs = (int)f.Integer("jobs", Contract.DefaultJobs),
                KeepGoing = f.Bool("keepGoing"),
                Clean = f.Bool("clean", true),
                Targets = f.Strings("targets"),
                Resources = f.UnitsMap("resources"),
                ExplainRerun = f.Bool("explainRerun"),
                List = f.Bool("list"),
                Attic = f.Bool("attic"),
                Invalidate = f.Strings("invalidate"),
                Executor = f.String("executor") ?? Contract.LocalExecutor,
                SlurmOptions = f.String("slurmOptions") ?? "",
                SlurmMaxJobs = (int)f.Integer("slurmMaxJobs", Contract.DefaultSlurmMaxJobs),
                DryRun = f.Bool("dryRun"),
                ItemsFollow = f.Bool("itemsFollow"),
                Watch = f.Bool("watch"),
                ProgressSeconds = f.Number("progressSeconds", Contract.DefaultProgressSeconds),
                HeartbeatSeconds = f.Number("heartbeatSeconds", Contract.DefaultHeartbeatSeconds),
                SkipLines = f.Bool("skipLines", true),
                DeferCap = (int)f.Integer("deferCap", Contract.DeferCap),
            };
            request.ReadProjectFields(f);
            if (request.Jobs < 1) throw new ProtocolException("'jobs' must be " + Contract.JobsSyntax);
            if (!(request.ProgressSeconds > 0) || !(request.HeartbeatSeconds > 0))
                throw new ProtocolException("'progressSeconds' and 'heartbeatSeconds' must be positive");
            if (!Contract.TryParseExecutor(request.Executor, Contract.LocalExecutor, out var executor))
                throw new ProtocolException("'executor' must be " + Contract.ExecutorSyntax);
            request.Executor = executor;
            if (request.SlurmMaxJobs < 1) throw new ProtocolException("'slurmMaxJobs' must be " + Contract.JobsSyntax);
            if (request.DeferCap < 0) throw new ProtocolException("'deferCap' must be 0 or more");
            return request;
        }
    }

    /// <summary>"clean": remove what the graph records as built (dotnet clean) and forget the graph.</summary>
    public sealed class CleanProjectRequest : ProjectRequest
    {
        internal const string TypeName = "clean";
        public override string Type => TypeName;

        /// <summary>"attic": move the outputs to .stepup/attic/ instead of deleting them (StepUpAttic).</summary>
        public bool Attic { get; set; }

        /// <summary>"dryRun": report each file that would be removed (a "DRYRUN" line), remove nothing, keep the graph (`stepup clean`).</summary>
        public bool DryRun { get; set; }

        /// <summary>"paths": root-relative; when given, only the outputs at or under them and what is built from them, and the graph is kept (`stepup clean`).</summary>
        public List<string> Paths { get; set; } = new List<string>();

        /// <summary>"all": with paths, every such output; without, only orphaned ones.</summary>
        public bool All { get; set; }

        private protected override void WriteRequestFields(Utf8JsonWriter w)
        {
            base.WriteRequestFields(w);
            w.WriteBoolean("attic", Attic);
            w.WriteBoolean("dryRun", DryRun);
            Fields.WriteList(w, "paths", Paths);
            w.WriteBoolean("all", All);
        }

        internal static CleanProjectRequest Read(Fields f)
        {
            var request = new CleanProjectRequest { Attic = f.Bool("attic"), DryRun = f.Bool("dryRun"), Paths = f.Strings("paths"), All = f.Bool("all") };
            request.ReadProjectFields(f);
            return request;
        }
    }

    /// <summary>"graph": write the project's graph to files (the StepUpGraph target).</summary>
    public sealed class GraphProjectRequest : ProjectRequest
    {
        internal const string TypeName = "graph";
        public override string Type => TypeName;

        /// <summary>"prefix": where the files go, relative to the root (StepUpGraphPrefix).</summary>
        public string Prefix { get; set; } = Contract.DefaultGraphPrefix;

        private protected override void WriteRequestFields(Utf8JsonWriter w)
        {
            base.WriteRequestFields(w);
            w.WriteString("prefix", Prefix);
        }

        internal static GraphProjectRequest Read(Fields f)
        {
            var request = new GraphProjectRequest { Prefix = f.String("prefix") is { Length: > 0 } prefix ? prefix : Contract.DefaultGraphPrefix };
            request.ReadProjectFields(f);
            return request;
        }
    }

    /// <summary>"shutdown": end the director once its requests in flight are done; answered by <see cref="ShutdownReply"/>.</summary>
    public sealed class ShutdownRequest : Request
    {
        internal const string TypeName = "shutdown";
        public override string Type => TypeName;

        private protected override void WriteRequestFields(Utf8JsonWriter w) { }
    }

    /// <summary>"cancel": sent during a build, clean or graph request (Ctrl-C): stop it.</summary>
    public sealed class CancelRequest : Message
    {
        internal const string TypeName = "cancel";
        public override string Type => TypeName;

        /// <summary>
        /// "drain": a build starts no more steps and ends when those that run have ended (the first
        /// `stepup shutdown`, as StepUp 4's); a later cancel without it stops them. Other requests
        /// stop at once.
        /// </summary>
        public bool Drain { get; set; }

        private protected override void WriteFields(Utf8JsonWriter w)
        {
            if (Drain) w.WriteBoolean("drain", true);
        }
    }

    /// <summary>
    /// A call of a running step (docs/step-api.md). Paths are as the caller wrote them; the director
    /// resolves them against <see cref="Cwd"/>.
    /// </summary>
    public abstract class StepCall : Request
    {
        private protected StepCall() { }

        /// <summary>"token": STEPUP_STEP_TOKEN of the calling step.</summary>
        public string Token { get; set; } = "";

        /// <summary>"cwd": the caller's working folder, absolute; null: the project root.</summary>
        public string? Cwd { get; set; }

        private protected sealed override void WriteRequestFields(Utf8JsonWriter w)
        {
            w.WriteString("token", Token);
            if (Cwd != null) w.WriteString("cwd", Cwd);
            WriteCallFields(w);
        }

        private protected abstract void WriteCallFields(Utf8JsonWriter w);

        /// <summary>The fields of this call's "ok" answer.</summary>
        internal abstract StepReply ReadReply(Fields f);

        private protected void ReadCallFields(Fields f)
        {
            Token = f.String("token") ?? "";
            Cwd = f.String("cwd");
        }
    }

    /// <summary>What a step defines: the fields api.step and api.script share.</summary>
    public abstract class DefineCall : StepCall
    {
        private protected DefineCall() { }

        /// <summary>"workdir": the new step's working folder, relative to the caller's; null: the caller's.</summary>
        public string? Workdir { get; set; }

        /// <summary>"inp", "out", "vol": paths relative to the new step's workdir.</summary>
        public List<string> Inp { get; set; } = new List<string>();
        public List<string> Out { get; set; } = new List<string>();
        public List<string> Vol { get; set; } = new List<string>();

        /// <summary>"env": names of environment variables the new step depends on.</summary>
        public List<string> Env { get; set; } = new List<string>();

        /// <summary>"optional": run the step only when another step needs its outputs.</summary>
        public bool Optional { get; set; }

        /// <summary>"resources": what the step holds while it runs, in the syntax of <see cref="Contract.ParseResources"/>; null: none.</summary>
        public string? Resources { get; set; }

        /// <summary>"duration": the step's expected wall time in seconds, for the dispatch order; null: the default.</summary>
        public double? Duration { get; set; }

        private protected void WriteDefinition(Utf8JsonWriter w)
        {
            if (Workdir != null) w.WriteString("workdir", Workdir);
            Fields.WriteList(w, "inp", Inp);
            Fields.WriteList(w, "out", Out);
            Fields.WriteList(w, "vol", Vol);
            Fields.WriteList(w, "env", Env);
            w.WriteBoolean("optional", Optional);
            if (Resources != null) w.WriteString("resources", Resources);
            if (Duration != null) w.WriteNumber("duration", Duration.Value);
        }

        private protected void ReadDefinition(Fields f)
        {
            ReadCallFields(f);
            Workdir = f.String("workdir");
            Inp = f.Strings("inp");
            Out = f.Strings("out");
            Vol = f.Strings("vol");
            Env = f.Strings("env");
            Optional = f.Bool("optional");
            Resources = f.String("resources");
            Duration = f.OptionalNumber("duration");
        }

        internal override StepReply ReadReply(Fields f) => DefinitionReply.Read(f);
    }

    /// <summary>"api.step": define a step that runs a shell command; answered by <see cref="DefinitionReply"/>.</summary>
    public sealed class DefineStepCall : DefineCall
    {
        internal const string TypeName = "api.step";
        public override string Type => TypeName;

        /// <summary>"command": the shell command; ${inp}, ${out} and ${vol} are expanded by the director.</summary>
        public string Command { get; set; } = "";

        /// <summary>"name": the step's key; null: the step is labelled by its command.</summary>
        public string? Name { get; set; }

        /// <summary>"planning": the step defines further steps.</summary>
        public bool Planning { get; set; }

        /// <summary>"shell": false runs <see cref="Argv"/> without /bin/sh.</summary>
        public bool Shell { get; set; } = true;

        /// <summary>"argv": with shell false, the program and its arguments as the client split the command.</summary>
        public List<string> Argv { get; set; } = new List<string>();

        /// <summary>"placeholders": false leaves ${inp}, ${out} and ${vol} in the command as they are.</summary>
        public bool Placeholders { get; set; } = true;

        /// <summary>"envOverrides": variables set in the command's environment (from leading VAR=value words).</summary>
        public Dictionary<string, string> EnvOverrides { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

        private protected override void WriteCallFields(Utf8JsonWriter w)
        {
            w.WriteString("command", Command);
            if (Name != null) w.WriteString("name", Name);
            WriteDefinition(w);
            w.WriteBoolean("planning", Planning);
            if (!Shell)
            {
                w.WriteBoolean("shell", false);
                Fields.WriteList(w, "argv", Argv);
            }
            if (!Placeholders) w.WriteBoolean("placeholders", false);
            if (EnvOverrides.Count > 0) Fields.WriteMap(w, "envOverrides", EnvOverrides);
        }

        internal static DefineStepCall Read(Fields f)
        {
            var call = new DefineStepCall
            {
                Command = f.String("command") ?? "", Name = f.String("name"), Planning = f.Bool("planning"),
                Shell = f.Bool("shell", true), Argv = f.Strings("argv"), Placeholders = f.Bool("placeholders", true),
                EnvOverrides = f.StringMap("envOverrides"),
            };
            call.ReadDefinition(f);
            return call;
        }
    }

    /// <summary>"api.script": define the plan step `./EXE plan` of an executable script; answered by <see cref="DefinitionReply"/>.</summary>
    public sealed class DefineScriptCall : DefineCall
    {
        internal const string TypeName = "api.script";
        public override string Type => TypeName;

        /// <summary>"executable": the script, relative to the new step's workdir.</summary>
        public string Executable { get; set; } = "";

        /// <summary>"stepInfo": a JSON file the plan step writes about the steps it defines; null: none.</summary>
        public string? StepInfo { get; set; }

        private protected override void WriteCallFields(Utf8JsonWriter w)
        {
            w.WriteString("executable", Executable);
            if (StepInfo != null) w.WriteString("stepInfo", StepInfo);
            WriteDefinition(w);
        }

        internal static DefineScriptCall Read(Fields f)
        {
            var call = new DefineScriptCall { Executable = f.String("executable") ?? "", StepInfo = f.String("stepInfo") };
            call.ReadDefinition(f);
            return call;
        }
    }

    /// <summary>"api.static": declare files that no step makes; answered by <see cref="StaticReply"/>.</summary>
    public sealed class DeclareStaticCall : StepCall
    {
        internal const string TypeName = "api.static";
        public override string Type => TypeName;

        /// <summary>"paths": relative to the caller's cwd; a trailing '/' names a folder: every file under it.</summary>
        public List<string> Paths { get; set; } = new List<string>();

        /// <summary>"patterns": the patterns whose matches are among the paths, registered with the caller as api.glob does.</summary>
        public List<GlobPattern> Patterns { get; set; } = new List<GlobPattern>();

        private protected override void WriteCallFields(Utf8JsonWriter w)
        {
            Fields.WriteList(w, "paths", Paths);
            if (Patterns.Count == 0) return;
            w.WriteStartArray("patterns");
            foreach (var pattern in Patterns)
            {
                w.WriteStartObject();
                pattern.WriteFields(w);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }

        internal static DeclareStaticCall Read(Fields f)
        {
            var call = new DeclareStaticCall { Paths = f.Strings("paths"), Patterns = f.Objects("patterns").Select(GlobPattern.Read).ToList() };
            call.ReadCallFields(f);
            return call;
        }

        internal override StepReply ReadReply(Fields f) => StaticReply.Read(f);
    }

    /// <summary>"api.amend": add to the calling step's own dependencies; answered by <see cref="AmendReply"/>.</summary>
    public sealed class AmendCall : StepCall
    {
        internal const string TypeName = "api.amend";
        public override string Type => TypeName;

        /// <summary>"inp", "out", "vol": paths relative to the caller's cwd; "env": variable names.</summary>
        public List<string> Inp { get; set; } = new List<string>();
        public List<string> Out { get; set; } = new List<string>();
        public List<string> Vol { get; set; } = new List<string>();
        public List<string> Env { get; set; } = new List<string>();

        /// <summary>"implicitStatic": amended inputs that nothing makes or declares become static.</summary>
        public bool ImplicitStatic { get; set; }

        private protected override void WriteCallFields(Utf8JsonWriter w)
        {
            Fields.WriteList(w, "inp", Inp);
            Fields.WriteList(w, "out", Out);
            Fields.WriteList(w, "vol", Vol);
            Fields.WriteList(w, "env", Env);
            w.WriteBoolean("implicitStatic", ImplicitStatic);
        }

        internal static AmendCall Read(Fields f)
        {
            var call = new AmendCall
            {
                Inp = f.Strings("inp"), Out = f.Strings("out"), Vol = f.Strings("vol"), Env = f.Strings("env"),
                ImplicitStatic = f.Bool("implicitStatic"),
            };
            call.ReadCallFields(f);
            return call;
        }

        internal override StepReply ReadReply(Fields f) => AmendReply.Read(f);
    }

    /// <summary>"api.info": the calling step's definition; answered by <see cref="DefinitionReply"/>.</summary>
    public sealed class StepInfoCall : StepCall
    {
        internal const string TypeName = "api.info";
        public override string Type => TypeName;

        private protected override void WriteCallFields(Utf8JsonWriter w) { }

        internal static StepInfoCall Read(Fields f)
        {
            var call = new StepInfoCall();
            call.ReadCallFields(f);
            return call;
        }

        internal override StepReply ReadReply(Fields f) => DefinitionReply.Read(f);
    }

    /// <summary>"api.graph": write the graph to three files; answered by <see cref="GraphFilesReply"/>.</summary>
    public sealed class WriteGraphCall : StepCall
    {
        internal const string TypeName = "api.graph";
        public override string Type => TypeName;

        /// <summary>"prefix": relative to the caller's cwd.</summary>
        public string Prefix { get; set; } = Contract.DefaultGraphPrefix;

        private protected override void WriteCallFields(Utf8JsonWriter w) => w.WriteString("prefix", Prefix);

        internal static WriteGraphCall Read(Fields f)
        {
            var call = new WriteGraphCall { Prefix = f.String("prefix") is { Length: > 0 } prefix ? prefix : Contract.DefaultGraphPrefix };
            call.ReadCallFields(f);
            return call;
        }

        internal override StepReply ReadReply(Fields f) => GraphFilesReply.Read(f);
    }

    /// <summary>A file pattern with named wildcards (${*NAME}) and the matches the client found, relative to the caller's cwd.</summary>
    public sealed class GlobPattern
    {
        /// <summary>"pattern": variables substituted; may hold *, ?, [...], ** and ${*NAME}.</summary>
        public string Pattern { get; set; } = "";

        /// <summary>"subs": the sub-pattern of each named wildcard (default *).</summary>
        public Dictionary<string, string> Subs { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>"paths": the matches, folders with a trailing '/'.</summary>
        public List<string> Paths { get; set; } = new List<string>();

        internal void WriteFields(Utf8JsonWriter w)
        {
            w.WriteString("pattern", Pattern);
            Fields.WriteMap(w, "subs", Subs);
            Fields.WriteList(w, "paths", Paths);
        }

        internal static GlobPattern Read(Fields f) => new GlobPattern { Pattern = f.RequiredString("pattern"), Subs = f.StringMap("subs"), Paths = f.Strings("paths") };
    }

    /// <summary>"api.glob" (advisory): register a pattern and its matches with the calling step; answered by <see cref="EmptyReply"/>.</summary>
    public sealed class GlobCall : StepCall
    {
        internal const string TypeName = "api.glob";
        public override string Type => TypeName;

        public GlobPattern Glob { get; set; } = new GlobPattern();

        private protected override void WriteCallFields(Utf8JsonWriter w) => Glob.WriteFields(w);

        internal static GlobCall Read(Fields f)
        {
            var call = new GlobCall { Glob = GlobPattern.Read(f) };
            call.ReadCallFields(f);
            return call;
        }

        internal override StepReply ReadReply(Fields f) => new EmptyReply();
    }

    /// <summary>"api.hold" and "api.release" (advisory): hold back, or let go, the steps the caller defines; answered by <see cref="EmptyReply"/>.</summary>
    public sealed class HoldCall : StepCall
    {
        internal const string HoldName = "api.hold";
        internal const string ReleaseName = "api.release";

        /// <summary>True for api.release.</summary>
        public bool Release { get; set; }

        public override string Type => Release ? ReleaseName : HoldName;

        private protected override void WriteCallFields(Utf8JsonWriter w) { }

        internal static HoldCall Read(Fields f, bool release)
        {
            var call = new HoldCall { Release = release };
            call.ReadCallFields(f);
            return call;
        }

        internal override StepReply ReadReply(Fields f) => new EmptyReply();
    }

    /// <summary>"api.record" (advisory): a command the step ran itself, kept for inspection; answered by <see cref="EmptyReply"/>.</summary>
    public sealed class RecordCall : StepCall
    {
        internal const string TypeName = "api.record";
        public override string Type => TypeName;

        /// <summary>"command": shell-quoted; "workdir": relative to cwd.</summary>
        public string Command { get; set; } = "";
        public int ReturnCode { get; set; }
        public string Workdir { get; set; } = ".";
        public bool Shell { get; set; }
        public string Stdin { get; set; } = "";
        public string Stdout { get; set; } = "";
        public string Stderr { get; set; } = "";
        public Dictionary<string, string> EnvOverrides { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

        private protected override void WriteCallFields(Utf8JsonWriter w)
        {
            w.WriteString("command", Command);
            w.WriteNumber("returncode", ReturnCode);
            w.WriteString("workdir", Workdir);
            w.WriteBoolean("shell", Shell);
            w.WriteString("stdin", Stdin);
            w.WriteString("stdout", Stdout);
            w.WriteString("stderr", Stderr);
            if (EnvOverrides.Count > 0) Fields.WriteMap(w, "envOverrides", EnvOverrides);
        }

        internal static RecordCall Read(Fields f)
        {
            var call = new RecordCall
            {
                Command = f.String("command") ?? "", ReturnCode = (int)f.Integer("returncode", 0), Workdir = f.String("workdir") ?? ".",
                Shell = f.Bool("shell"), Stdin = f.String("stdin") ?? "", Stdout = f.String("stdout") ?? "", Stderr = f.String("stderr") ?? "",
                EnvOverrides = f.StringMap("envOverrides"),
            };
            call.ReadCallFields(f);
            return call;
        }

        internal override StepReply ReadReply(Fields f) => new EmptyReply();
    }

    /// <summary>
    /// A step call of a name this protocol does not know (a newer client's): it reaches the build, which
    /// answers it with an <see cref="ErrorReply"/> "unknown call 'NAME'", so a client can tell that the
    /// director lacks a call from a call that failed.
    /// </summary>
    public sealed class UnknownCall : StepCall
    {
        internal const string Prefix = "api.";

        public string Name { get; set; } = "";
        public override string Type => Name;

        private protected override void WriteCallFields(Utf8JsonWriter w) { }

        internal static UnknownCall Read(Fields f)
        {
            var call = new UnknownCall { Name = f.Type };
            call.ReadCallFields(f);
            return call;
        }

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
    public sealed class DefinitionReply : StepReply
    {
        /// <summary>"key": the step's identity; "label": how it is shown. Empty: not sent.</summary>
        public string Key { get; set; } = "";
        public string Label { get; set; } = "";
        public string Command { get; set; } = "";
        public string Workdir { get; set; } = "";
        public List<string> Inp { get; set; } = new List<string>();
        public List<string> Out { get; set; } = new List<string>();
        public List<string> Vol { get; set; } = new List<string>();
        public List<string> Env { get; set; } = new List<string>();

        private protected override void WriteFields(Utf8JsonWriter w)
        {
            if (Key.Length > 0) w.WriteString("key", Key);
            if (Label.Length > 0) w.WriteString("label", Label);
            WriteDefinition(w);
        }

        /// <summary>command, workdir, inp, out, vol, env: what `stepup info` prints.</summary>
        public void WriteDefinition(Utf8JsonWriter w)
        {
            w.WriteString("command", Command);
            w.WriteString("workdir", Workdir);
            Fields.WriteList(w, "inp", Inp);
            Fields.WriteList(w, "out", Out);
            Fields.WriteList(w, "vol", Vol);
            Fields.WriteList(w, "env", Env);
        }

        internal static DefinitionReply Read(Fields f) => From(f.String, f.Strings);

        /// <summary>A definition from its fields by wire name: <paramref name="text"/> for the strings, <paramref name="list"/> for the lists.</summary>
        public static DefinitionReply From(Func<string, string?> text, Func<string, List<string>> list) => new DefinitionReply
        {
            Key = text("key") ?? "",
            Label = text("label") ?? "",
            Command = text("command") ?? "",
            Workdir = text("workdir") ?? "",
            Inp = list("inp"),
            Out = list("out"),
            Vol = list("vol"),
            Env = list("env"),
        };
    }

    /// <summary>The answer to api.glob, api.hold, api.release and api.record: "ok" without fields.</summary>
    public sealed class EmptyReply : StepReply
    {
        private protected override void WriteFields(Utf8JsonWriter w) { }
    }

    /// <summary>The answer to api.static: "paths", the root-relative files declared.</summary>
    public sealed class StaticReply : StepReply
    {
        public List<string> Paths { get; set; } = new List<string>();

        private protected override void WriteFields(Utf8JsonWriter w) => Fields.WriteList(w, "paths", Paths);

        internal static StaticReply Read(Fields f) => new StaticReply { Paths = f.Strings("paths") };
    }

    /// <summary>The answer to api.amend: "carryOn" is false when an amended input is not built yet.</summary>
    public sealed class AmendReply : StepReply
    {
        public bool CarryOn { get; set; } = true;

        private protected override void WriteFields(Utf8JsonWriter w) => w.WriteBoolean("carryOn", CarryOn);

        internal static AmendReply Read(Fields f) => new AmendReply { CarryOn = f.Bool("carryOn", true) };
    }

    /// <summary>The answer to api.graph: "files", the three files written.</summary>
    public sealed class GraphFilesReply : StepReply
    {
        public List<string> Files { get; set; } = new List<string>();

        private protected override void WriteFields(Utf8JsonWriter w) => Fields.WriteList(w, "files", Files);

        internal static GraphFilesReply Read(Fields f) => new GraphFilesReply { Files = f.Strings("files") };
    }

    /// <summary>
    /// "error": a step call that could not be done; "message" says why (the step should fail with it).
    /// "kind", when given, names the error as StepUp 4's exceptions do (<see cref="CyclicKind"/>), so
    /// that the Python client raises the same exception class.
    /// </summary>
    public sealed class ErrorReply : Message
    {
        internal const string TypeName = "error";
        public override string Type => TypeName;

        /// <summary>The call would close a dependency cycle (StepUp 4's CyclicError).</summary>
        public const string CyclicKind = "CyclicError";

        public string Text { get; set; } = "";

        public string Kind { get; set; } = "";

        private protected override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteString("message", Text);
            if (Kind.Length > 0) w.WriteString("kind", Kind);
        }

        internal static ErrorReply Read(Fields f) => new ErrorReply { Text = f.String("message") ?? "", Kind = f.String("kind") ?? "" };
    }

    /// <summary>"rejected": the director did not serve the request; "code" is the STEPUP code, "reason" why.</summary>
    public sealed class Rejection : Message
    {
        internal const string TypeName = "rejected";
        public override string Type => TypeName;

        public string Code { get; set; } = Codes.MalformedRequest;
        public string Reason { get; set; } = "";

        private protected override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteString("code", Code);
            w.WriteString("reason", Reason);
        }

        internal static Rejection Read(Fields f) => new Rejection { Code = f.String("code") ?? Codes.MalformedRequest, Reason = f.String("reason") ?? "" };
    }

    /// <summary>"line": a tagged line of the build's story, e.g. ("START", "story").</summary>
    public sealed class LineEvent : Message
    {
        internal const string TypeName = "line";
        public override string Type => TypeName;

        public string Tag { get; set; } = "";
        public string Text { get; set; } = "";

        /// <summary>"ms": how long the step ran, on the line that ends its run; negative (left out) on other lines.</summary>
        public double DurationMs { get; set; } = -1;

        private protected override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteString("tag", Tag);
            w.WriteString("text", Text);
            if (DurationMs >= 0) w.WriteNumber("ms", DurationMs);
        }

        internal static LineEvent Read(Fields f) => new LineEvent { Tag = f.String("tag") ?? "", Text = f.String("text") ?? "", DurationMs = f.Number("ms", -1) };
    }

    /// <summary>"lines": a run of lines with one tag ("texts"): thousands of SKIP lines travel as one message.</summary>
    public sealed class LineBatchEvent : Message
    {
        internal const string TypeName = "lines";
        public override string Type => TypeName;

        public string Tag { get; set; } = "";
        public List<string> Texts { get; set; } = new List<string>();

        private protected override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteString("tag", Tag);
            Fields.WriteList(w, "texts", Texts);
        }

        internal static LineBatchEvent Read(Fields f) => new LineBatchEvent { Tag = f.String("tag") ?? "", Texts = f.Strings("texts") };
    }

    /// <summary>"page": a block of text under a titled rule, e.g. a step's output.</summary>
    public sealed class PageEvent : Message
    {
        internal const string TypeName = "page";
        public override string Type => TypeName;

        public string Title { get; set; } = "";
        public string Text { get; set; } = "";

        private protected override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteString("title", Title);
            w.WriteString("text", Text);
        }

        internal static PageEvent Read(Fields f) => new PageEvent { Title = f.String("title") ?? "", Text = f.String("text") ?? "" };
    }

    /// <summary>"diag": an MSBuild error or warning: "severity" (error, warning), "code", "message", "file", "line", "column".</summary>
    public sealed class DiagnosticEvent : Message
    {
        internal const string TypeName = "diag";
        public override string Type => TypeName;

        public bool IsWarning { get; set; }
        public string Code { get; set; } = "";
        public string Text { get; set; } = "";

        /// <summary>The item's file; empty: the project file.</summary>
        public string File { get; set; } = "";
        public int Line { get; set; }
        public int Column { get; set; }

        private protected override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteString("severity", IsWarning ? "warning" : "error");
            w.WriteString("code", Code);
            w.WriteString("message", Text);
            w.WriteString("file", File);
            w.WriteNumber("line", Line);
            w.WriteNumber("column", Column);
        }

        internal static DiagnosticEvent Read(Fields f) => new DiagnosticEvent
        {
            IsWarning = f.String("severity") == "warning",
            Code = f.String("code") ?? "",
            Text = f.String("message") ?? "",
            File = f.String("file") ?? "",
            Line = (int)f.Integer("line", 0),
            Column = (int)f.Integer("column", 0),
        };
    }

    /// <summary>"done": the last event of a build, clean or graph request.</summary>
    public sealed class DoneEvent : Message
    {
        internal const string TypeName = "done";
        public override string Type => TypeName;

        /// <summary>"success": the request did what was asked; a failure has been reported as a diag.</summary>
        public bool Success { get; set; }

        /// <summary>"summary": the closing line, e.g. "StepUp: 3 ran, 0 skipped, ...".</summary>
        public string Summary { get; set; } = "";

        /// <summary>"directorMs": the director's own time for the request.</summary>
        public double DirectorMs { get; set; }

        /// <summary>"failed": steps of a build that failed (the `stepup` command's return code has a bit for them).</summary>
        public int Failed { get; set; }

        /// <summary>"notRun": steps of a build left pending (not run, not skipped).</summary>
        public int NotRun { get; set; }

        /// <summary>"jobs": runs a build started, failed and deferred ones included (`stepup build` says `Ran N job(s).`).</summary>
        public int Jobs { get; set; }

        /// <summary>"drained": the build stopped starting steps because its client asked it to (a drain cancel).</summary>
        public bool Drained { get; set; }

        private protected override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteBoolean("success", Success);
            w.WriteString("summary", Summary);
            w.WriteNumber("directorMs", DirectorMs);
            w.WriteNumber("failed", Failed);
            w.WriteNumber("notRun", NotRun);
            w.WriteNumber("jobs", Jobs);
            if (Drained) w.WriteBoolean("drained", true);
        }

        internal static DoneEvent Read(Fields f) => new DoneEvent
        {
            Success = f.Bool("success"),
            Summary = f.String("summary") ?? "",
            DirectorMs = f.Number("directorMs", 0),
            Failed = (int)f.Integer("failed", 0),
            NotRun = (int)f.Integer("notRun", 0),
            Jobs = (int)f.Integer("jobs", 0),
            Drained = f.Bool("drained"),
        };
    }

    /// <summary>"stopping": the answer to shutdown, with the director's "pid".</summary>
    public sealed class ShutdownReply : Message
    {
        internal const string TypeName = "stopping";
        public override string Type => TypeName;

        public int Pid { get; set; }

        /// <summary>The StepUp.Sdk version the director belongs to; empty when a director does not say.</summary>
        public string SdkVersion { get; set; } = "";

        private protected override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteNumber("pid", Pid);
            w.WriteString("sdk", SdkVersion);
        }

        internal static ShutdownReply Read(Fields f) => new ShutdownReply { Pid = (int)f.Integer("pid", 0), SdkVersion = f.String("sdk") ?? "" };
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
            f.Type == CancelRequest.TypeName ? new CancelRequest { Drain = f.Bool("drain") } : throw new ProtocolException("unexpected '" + f.Type + "' during a request"));

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

        public string RequiredString(string name) =>
            String(name) is { Length: > 0 } value ? value : throw new ProtocolException("'" + Type + "' needs a '" + name + "'");

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
    }
}
