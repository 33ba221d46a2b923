"""The shapes of the benchmark: which steps, with which commands and files, for a given N.

A shape knows nothing of the tools: each tool (see `tools/`) writes the same steps in its own
format. `SHAPES` lists them in report order; `STANDARD_SHAPES` are those of a full run.
"""

from collections import namedtuple
from pathlib import Path

Step = namedtuple("Step", "name command inp out")

# Tool groups a shape can name (the tools themselves are in tools/).
STEPUP_TOOLS = ("stepup", "stepup-server", "stepup-cli")
STATIC_PEERS = ("make", "ninja", "msbuild", "snakemake", "doit")


class Shape:
    """A workflow of N steps. Subclasses define the steps; the defaults fit a static workflow."""

    name = None
    summary = None
    default_sizes = (100, 1000, 10000)
    smoke_size = 100
    phases = ("cold", "noop", "change")
    tools = STEPUP_TOOLS + STATIC_PEERS       # the tools that can build it
    default_tools = ("stepup",) + STATIC_PEERS  # the tools a run uses when --tools is not given
    smoke_tools = ("stepup", "make", "ninja")  # those of --smoke (`floor`: the MSBuild floor too)
    static = True                             # False: the steps come from a planning step (StepUp only)
    deep = False                              # a dependency chain too deep for a recursive walk on an 8 MB stack
    seconds_per_step = 0.018                  # the time limit of a command: 120 s plus this per step

    def steps(self, n):
        raise NotImplementedError

    def static_files(self, n):
        return {}

    def step_count(self, n):
        return len(self.steps(n))

    def goals(self, n):
        """The outputs no other step consumes: what `make all` asks for."""
        steps = self.steps(n)
        consumed = {p for s in steps for p in s.inp}
        return [p for s in steps for p in s.out if p not in consumed]

    def changed_index(self, n):
        return n // 2

    def change(self, root, n):
        """What the `change` phase does to the project before building again."""
        try:
            (Path(root) / "out" / ("%d.txt" % self.changed_index(n))).unlink()
        except FileNotFoundError:
            pass

    def expected(self, n, phase):
        """Files that must exist after a successful build of this phase."""
        if phase == "change":
            return ["out/%d.txt" % self.changed_index(n)]
        if phase == "cold":
            return ["out/0.txt", "out/%d.txt" % self.changed_index(n), "out/%d.txt" % (n - 1)]
        return []

    def check(self, root, n, phase):
        """Problems with the files a build of this phase left, beyond missing ones (empty: none)."""
        return []

    def plan_body(self, n):
        """What a `plan.py` (StepUp's Python API) says to define the same steps: the static files,
        then one `step()` per step; a shape overrides it with the loop a StepUp user would write."""
        lines = ["static(%s)" % ", ".join(repr(p) for p in self.static_files(n))] if self.static_files(n) else []
        for s in self.steps(n):
            lines.append("step(%r, inp=%r, out=%r, name=%r)" % (s.command, s.inp, s.out, s.name))
        return "\n".join(lines)


class Fanout(Shape):
    name = "fanout"
    summary = "N independent steps `echo i > out/i.txt`"
    default_sizes = (100, 1000, 10000, 100000)
    smoke_tools = ("stepup", "stepup-server", "stepup-cli", "make", "ninja", "floor")

    def steps(self, n):
        return [Step("s%d" % i, "echo %d > out/%d.txt" % (i, i), [], ["out/%d.txt" % i]) for i in range(n)]

    def plan_body(self, n):
        return ("for i in range(%d):\n"
                '    step("echo %%d > out/%%d.txt" %% (i, i), out=["out/%%d.txt" %% i], name="s%%d" %% i)' % n)


class Chain(Shape):
    name = "chain"
    summary = ("step i runs `cp out/<i-1>.txt out/i.txt && echo line i >> out/i.txt`; step 0 copies the "
               "static `in.txt`. File i has i+2 lines, so the data grows as N²/2 lines (about 450 MB at "
               "N=10,000)")

    def steps(self, n):
        steps = []
        for i in range(n):
            src = "in.txt" if i == 0 else "out/%d.txt" % (i - 1)
            dst = "out/%d.txt" % i
            steps.append(Step("s%d" % i, "cp %s %s && echo line %d >> %s" % (src, dst, i, dst), [src], [dst]))
        return steps

    def static_files(self, n):
        return {"in.txt": "start\n"}

    def plan_body(self, n):
        return ('static("in.txt")\n'
                "for i in range(%d):\n"
                '    src = "in.txt" if i == 0 else "out/%%d.txt" %% (i - 1)\n'
                '    dst = "out/%%d.txt" %% i\n'
                '    step("cp %%s %%s && echo line %%d >> %%s" %% (src, dst, i, dst), inp=[src], out=[dst], name="s%%d" %% i)' % n)


class Fanin(Fanout):
    name = "fanin"
    summary = "fanout plus one step `cat out/*.txt > all.txt` that declares all N outputs as inputs"
    default_sizes = (100, 1000, 10000)
    smoke_tools = ("stepup",) + STATIC_PEERS  # one shape with parallel and dependent steps for every peer

    def steps(self, n):
        steps = super().steps(n)
        steps.append(Step("all", "cat out/*.txt > all.txt", ["out/%d.txt" % i for i in range(n)], ["all.txt"]))
        return steps

    def plan_body(self, n):
        return (super().plan_body(n) + "\n"
                'step("cat out/*.txt > all.txt", inp=["out/%%d.txt" %% i for i in range(%d)], out=["all.txt"], name="all")' % n)

    def expected(self, n, phase):
        if phase == "cold":
            return ["all.txt", "out/0.txt", "out/%d.txt" % (n - 1)]
        return super().expected(n, phase)


PLAN_PY = """#!/usr/bin/env python3
\"\"\"Benchmark planning step: defines {n} independent steps through the StepUp API.\"\"\"
from stepup.core.api import step

for i in range({n}):
    step({command}, {out}name="s%d" % i)
"""


class Dynamic(Shape):
    name = "dynamic"
    summary = ('StepUp.Sdk only: one `<Step Include="plan" Command="./plan.py" Inp="plan.py" Planning="true" />`; '
               "`plan.py` defines the N fanout steps with `stepup.core.api.step`")
    tools = STEPUP_TOOLS
    default_tools = smoke_tools = ("stepup",)
    static = False

    def steps(self, n):
        return [Step("plan", "./plan.py", ["plan.py"], [])]

    def plan_py(self, n):
        return PLAN_PY.format(n=n, command='"echo %d > out/%d.txt" % (i, i)', out='out="out/%d.txt" % i, ')

    def step_count(self, n):
        return n + 1


class DeepChain(Shape):
    name = "deepchain"
    summary = ("a chain whose files stay small, for N=100,000: step i runs "
               "`head -n 1 out/<i-1>.txt > out/i.txt && echo i >> out/i.txt` (step 0 reads the static "
               "`in.txt`); its change rewrites `in.txt` at the chain's head, so every step runs again")
    default_sizes = (100000,)
    # make is left out by default: its planning time grows as N² on a chain (0.7, 2.9 and 13 s of
    # CPU for 5,000, 10,000 and 20,000 steps), which would be minutes here.
    default_tools = ("stepup", "ninja")
    smoke_tools = ("stepup", "make", "ninja")
    deep = True

    def steps(self, n):
        steps = []
        for i in range(n):
            src = "in.txt" if i == 0 else "out/%d.txt" % (i - 1)
            dst = "out/%d.txt" % i
            steps.append(Step("s%d" % i, "head -n 1 %s > %s && echo %d >> %s" % (src, dst, i, dst), [src], [dst]))
        return steps

    def static_files(self, n):
        return {"in.txt": "start\n"}

    def change(self, root, n):
        (Path(root) / "in.txt").write_text("changed\n")

    def expected(self, n, phase):
        return ["out/0.txt", "out/%d.txt" % (n - 1)]

    def check(self, root, n, phase):
        want = "changed" if phase == "change" else "start"
        try:
            head = (Path(root) / "out" / ("%d.txt" % (n - 1))).read_text().split("\n", 1)[0]
        except OSError:
            return []  # reported as missing
        if head != want:
            return ["out/%d.txt starts with %r, not %r: the change did not reach the chain's end" % (n - 1, head, want)]
        return []


class PlanMillion(Dynamic):
    name = "plan1m"
    summary = ("StepUp.Sdk only: one planning step defines N steps that run `true` (no outputs), "
               "N=1,000,000; cold and no-op")
    default_sizes = (1000000,)
    phases = ("cold", "noop")

    def plan_py(self, n):
        return PLAN_PY.format(n=n, command='"true"', out="")

    def expected(self, n, phase):
        return []


class CksumChain(Shape):
    name = "cksum-chain"
    summary = ("small and medium workflows (N=1,000 and 5,000), cold and no-op: step i runs "
               "`cksum out/<i-1>.txt > out/i.txt` (step 0 reads the static `in.txt`)")
    default_sizes = (1000, 5000)
    phases = ("cold", "noop")
    default_tools = smoke_tools = ("stepup", "doit")

    def steps(self, n):
        steps = []
        for i in range(n):
            src = "in.txt" if i == 0 else "out/%d.txt" % (i - 1)
            steps.append(Step("s%d" % i, "cksum %s > out/%d.txt" % (src, i), [src], ["out/%d.txt" % i]))
        return steps

    def static_files(self, n):
        return {"in.txt": "start\n"}


class CksumFanout(CksumChain):
    name = "cksum-fanout"
    summary = "as cksum-chain, but every step reads the static `in.txt`: `cksum in.txt > out/i.txt`"

    def steps(self, n):
        return [Step("s%d" % i, "cksum in.txt > out/%d.txt" % i, ["in.txt"], ["out/%d.txt" % i]) for i in range(n)]


class Hyper(Shape):
    """A HyperWorkflow (spec §9), written against the spec before the SDK supports it.

    N is the number of branches of each branch point: prep varies over A, train adds B, eval
    adds C (N + N² + N³ realizations), under one plan of their full cross product; besides, a
    reduce step globs over the N³ branches of Seed.
    """

    name = "hyper"
    summary = ("StepUp.Sdk only (spec §9): a 3-step pipeline prep → train → eval over three branch points "
               "of N branches each (prep varies over A, train adds B, eval adds C) under a `<Plan>` of their full "
               "cross product, and a reduce step that globs over the N³ branches of a fourth branch point "
               "(N=10: 1,110 + 1,000 + 1 step realizations); skipped while the SDK has no `Params`/`<Plan>`")
    default_sizes = (10,)
    smoke_size = 2
    phases = ("cold", "noop")
    tools = default_tools = smoke_tools = ("stepup",)

    def seeds(self, n):
        return n ** 3

    def step_count(self, n):
        return n + n ** 2 + n ** 3 + self.seeds(n) + 1

    def steps(self, n):
        return []

    def stepproj_items(self, n):
        """The `.stepproj` lines of the workflow (inside one ItemGroup)."""
        seq = "1..%d" % n
        return [
            '<Step Include="prep" Command="echo a=${a} &gt; ${out}" Params="a=(A: %s)" Out="out=prep.txt" />' % seq,
            '<Step Include="train" Command="cat ${data} &gt; ${out} &amp;&amp; echo b=${b} &gt;&gt; ${out}" '
            'Inp="data=$out@prep" Params="b=(B: %s)" Out="out=train.txt" />' % seq,
            '<Step Include="eval" Command="cat ${model} &gt; ${out} &amp;&amp; echo c=${c} &gt;&gt; ${out}" '
            'Inp="model=$out@train" Params="c=(C: %s)" Out="out=eval.txt" />' % seq,
            '<Step Include="seed" Command="echo ${s} &gt; ${out}" Params="s=(Seed: 1..%d)" Out="out=seed.txt" />'
            % self.seeds(n),
            '<Step Include="reduce" Command="cat ${all} &gt; ${out}" Inp="all=$out@seed[Seed:*]" Out="out=sum.txt" />',
            '<Plan Include="full" Reach="eval" Via="(A: *) * (B: *) * (C: *)" />',
            '<Plan Include="full" Reach="reduce" />',
        ]

    def change(self, root, n):
        raise NotImplementedError("hyper has no change phase")

    def expected(self, n, phase):
        if phase != "cold":
            return []
        last = "+".join("%s.%d" % (bp, n) for bp in ("A", "B", "C")) if n > 1 else "Baseline.baseline"
        return ["realizations/eval/%s/eval.txt" % last, "realizations/reduce/Baseline.baseline/sum.txt"]

    def check(self, root, n, phase):
        path = Path(root) / "realizations" / "reduce" / "Baseline.baseline" / "sum.txt"
        try:
            lines = len(path.read_text().splitlines())
        except OSError:
            return []
        if lines != self.seeds(n):
            return ["the reduce step's sum.txt has %d lines, not one per Seed branch (%d)" % (lines, self.seeds(n))]
        return []


class Slurm(Fanout):
    name = "slurm"
    summary = ("N=1,000 independent short steps (the fanout's) through the local Slurm cluster "
               "(`-p:StepUpExecutor=slurm`) against the same steps run locally; skipped without a cluster "
               "(`sinfo`, with `SLURM_CONF` when set) or without a Slurm executor in the SDK")
    default_sizes = (1000,)
    smoke_size = 20
    phases = ("cold", "noop")
    tools = default_tools = smoke_tools = ("stepup", "stepup-slurm")
    # A one-node cluster finishes about as many short jobs per second as it has slots (docs/slurm.md):
    # 2 slots and a loaded machine give about 1 job a second.
    seconds_per_step = 1.5


SHAPES = {s.name: s for s in (Fanout(), Chain(), Fanin(), Dynamic(), DeepChain(), PlanMillion(), CksumChain(),
                              CksumFanout(), Hyper(), Slurm())}
STANDARD_SHAPES = ("fanout", "chain", "fanin", "dynamic")
