"""What a .NET user writes today without StepUp: an MSBuild project with one target batched
over the steps, `Exec` of each step's command, incremental through the target's Inputs and
Outputs, built with `dotnet build`.

MSBuild runs one project's target batches one after the other; to run 2 steps at once, the
independent steps are split into 2 shards, each an instance of the same project with its own
global property, built in parallel (`-m:2`, `BuildInParallel`). Steps that depend on each other
(a chain) stay in one shard, in order: batches run in item order and each checks its Inputs
and Outputs just before it runs, so a rebuilt step makes the next one out of date, as in make.
The project file itself is an input of every step: MSBuild skips a target whose declared
Inputs come out empty, so without it a step with no input would never run.
"""

import os
from xml.sax.saxutils import quoteattr

from ..common import JOBS, PEER_COLD_LIMIT_S
from .base import Tool


def escape(text):
    """MSBuild's escapes for the characters it would otherwise expand or split on."""
    for char in "%$@;'":
        text = text.replace(char, "%%%02X" % ord(char))
    return text


def stages(steps):
    """[(steps, parallel)]: the steps in the order they may run. A level of the dependency graph
    with several steps is one parallel stage; consecutive levels of one step each are one
    sequential stage (a chain). The steps come in dependency order."""
    producer_level = {}
    levels = []
    for step in steps:
        level = 1 + max((producer_level[p] for p in step.inp if p in producer_level), default=-1)
        for path in step.out:
            producer_level[path] = level
        while len(levels) <= level:
            levels.append([])
        levels[level].append(step)
    out = []
    for level in levels:
        if len(level) > 1:
            out.append((level, True))
        elif out and not out[-1][1]:
            out[-1][0].extend(level)
        else:
            out.append((list(level), False))
    return out


class MSBuildExec(Tool):
    name = "msbuild"
    label = "MSBuild Exec"
    executable = "dotnet"
    peer = True
    cold_limit = PEER_COLD_LIMIT_S

    def version(self):
        return "dotnet build (the SDK's MSBuild)"

    def write(self, folder, shape, n, bench):
        steps = shape.steps(n)
        lines = ["<Project>",
                 "  <!-- Benchmark workflow: %s, N=%d, for MSBuild alone (see tools/msbuild.py). -->" % (shape.name, n)]
        shard_items = []
        for index, (group, parallel) in enumerate(stages(steps)):
            shards = JOBS if parallel else 1
            for shard in range(shards):
                name = "%d.%d" % (index, shard)
                lines.append("  <ItemGroup Condition=\"'$(Shard)' == '%s'\">" % name)
                for step in group[shard::shards]:
                    lines.append("    <Step Include=%s Command=%s Inp=%s Out=%s />" % (
                        quoteattr(escape(step.name)), quoteattr(escape(step.command)),
                        quoteattr(";".join(escape(p) for p in step.inp)),
                        quoteattr(";".join(escape(p) for p in step.out))))
                lines.append("  </ItemGroup>")
                shard_items.append('    <ShardProject Include="$(MSBuildProjectFullPath)" Stage="%d" '
                                   'AdditionalProperties="Shard=%s" />' % (index, name))
        folders = sorted({os.path.dirname(p) for s in steps for p in s.out} - {""})
        lines += ["  <ItemGroup Condition=\"'$(Shard)' == ''\">"] + shard_items + ["  </ItemGroup>",
                  '  <Target Name="Build">',
                  "    <MakeDir Directories=%s />" % quoteattr(";".join(escape(f) for f in folders)),
                  '    <MSBuild Projects="@(ShardProject)" Condition="\'%(ShardProject.Stage)\' != \'\'" '
                  'Targets="RunSteps" BuildInParallel="true" />',
                  "  </Target>",
                  '  <Target Name="RunSteps" Inputs="$(MSBuildProjectFullPath);%(Step.Inp)" Outputs="%(Step.Out)">',
                  '    <Exec Command="%(Step.Command)" />',
                  "  </Target>",
                  "</Project>", ""]
        (folder / "bench.proj").write_text("\n".join(lines))

    def argv(self, root, shape, phase, bench):
        return ["dotnet", "build", str(root / "bench.proj"), "--no-restore", "-m:%d" % JOBS, "-nr:false",
                "-tl:off", "-v:q"]

    def env(self, bench):
        return bench.sdk.env
