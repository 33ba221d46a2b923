"""StepUp.Sdk: a `.stepproj` built with `dotnet build`, and its variants.

- `stepup`: the measured rows (`dotnet build -nr:false`, no MSBuild server);
- `stepup-server`: the same through the MSBuild server (`DOTNET_CLI_USE_MSBUILD_SERVER=1`; node
  reuse on, since `-nr:false` turns the server off);
- `stepup-cli`: StepUp's own command line, `stepup build`, on a folder whose `plan.py` defines the
  same steps with StepUp's Python API (one planning step, as a StepUp user writes it): no MSBuild;
- `stepup-slurm`: `-p:StepUpExecutor=slurm` (the `slurm` shape);
- `floor`: the MSBuild floor, a `dotnet build` of the same project whose StepUpBuild target does
  nothing (bench/floor.targets), measured with every StepUp series.

All talk to the series' warm director, whose CPU, memory and logs are read around each build.
"""

import shutil
from xml.sax.saxutils import quoteattr

from ..common import FLOOR_TARGETS
from ..measure import proc_cpu, proc_status_kb, reset_peak_rss, run_quiet
from .base import Tool

# StepUp's own command line: the arguments of a build with 2 jobs in the current folder.
STEPUP_BUILD_ARGS = ("build", "--jobs", "2")

PLAN_PY = """#!/usr/bin/env python3
\"\"\"Benchmark plan for `stepup build`: the steps of the {shape} shape (N={n}).\"\"\"
from stepup.core.api import static, step

{body}
"""


def plan_py_text(shape, n):
    """The `plan.py` of `stepup build`: a static shape's steps through StepUp's Python API, or the
    planning step's own plan.py of a dynamic shape."""
    if not shape.static:
        return shape.plan_py(n)
    return PLAN_PY.format(shape=shape.name, n=n, body=shape.plan_body(n))


def stepproj_text(shape, n, version):
    lines = ['<Project Sdk="StepUp.Sdk/%s">' % version, "  <ItemGroup>"]
    if hasattr(shape, "stepproj_items"):
        lines += ["    " + item for item in shape.stepproj_items(n)]
    elif not shape.static:
        lines.append('    <Step Include="plan" Command="./plan.py" Inp="plan.py" Planning="true" />')
    else:
        for path in shape.static_files(n):
            lines.append("    <Static Include=%s />" % quoteattr(path))
        for step in shape.steps(n):
            attrs = "Include=%s Command=%s" % (quoteattr(step.name), quoteattr(step.command))
            if step.inp:
                attrs += " Inp=%s" % quoteattr(";".join(step.inp))
            attrs += " Out=%s" % quoteattr(";".join(step.out))
            lines.append("    <Step %s />" % attrs)
    lines += ["  </ItemGroup>", "</Project>", ""]
    return "\n".join(lines)


class StepUp(Tool):
    name = "stepup"
    label = "StepUp.Sdk"
    executable = "dotnet"
    extra_properties = ()

    def version(self):
        return None  # the packed version is in the report's header

    def write(self, folder, shape, n, bench):
        (folder / "bench.stepproj").write_text(stepproj_text(shape, n, bench.sdk.version))
        if not shape.static:
            plan = folder / "plan.py"
            plan.write_text(shape.plan_py(n))
            plan.chmod(0o755)

    def prepare(self, template, shape, n, bench):
        # No project of the benchmark has a reference of its own, so a restore would write the same
        # obj/ as the director's one-step project (whose paths are relative or the same): copied
        # from there. The copies for each repetition carry it too.
        shutil.copytree(bench.sdk.prime_root / "obj", template / "obj")
        return True

    def argv(self, root, shape, phase, bench):
        return bench.sdk.build_argv(root, ["-p:" + p for p in self.extra_properties])

    def env(self, bench):
        return bench.sdk.env

    def before(self, root, shape, n, bench):
        # The previous phase's report is written after that build answered: wait for it, so that
        # this phase neither waits for it inside its own measurement nor shares the CPU with it.
        report_ms = bench.sdk.wait_for_report(root)
        if report_ms is not None and bench.runs and bench.runs[-1]["tool"] == self.name:
            bench.runs[-1]["report_ms"] = report_ms
        director = bench.director_pid
        reset = reset_peak_rss(director)
        return {"cpu": proc_cpu(director), "peak_reset": reset}

    def after(self, root, shape, n, bench, result, state):
        director = bench.director_pid
        ran, dir_ms, phases = bench.sdk.last_build_line(root)
        extra = {"ran": ran, "dir_ms": dir_ms, "dir_phases": phases, "req_ms": bench.sdk.last_request_ms(root)}
        after = proc_cpu(director)
        if state["cpu"] and after:
            extra["dir_cpu"] = after[0] - state["cpu"][0]
            extra["step_cpu"] = after[1] - state["cpu"][1]
        # With the peak reset before the build, VmHWM is the director's peak during this build.
        extra["dir_hwm_kb"] = proc_status_kb(director, "VmHWM")
        extra["dir_peak_is_build"] = state["peak_reset"]
        extra["dir_rss_kb"] = proc_status_kb(director, "VmRSS")
        return extra


class StepUpServer(StepUp):
    name = "stepup-server"
    label = "StepUp.Sdk + MSBuild server"

    def argv(self, root, shape, phase, bench):
        return bench.sdk.build_argv(root, node_reuse=True)

    def env(self, bench):
        return bench.sdk.server_env()


class StepUpCli(StepUp):
    name = "stepup-cli"
    label = "StepUp.Sdk, stepup build"
    own_template = True  # a plan.py, not the .stepproj of the other StepUp.Sdk rows

    def write(self, folder, shape, n, bench):
        plan = folder / "plan.py"
        plan.write_text(plan_py_text(shape, n))
        plan.chmod(0o755)

    def prepare(self, template, shape, n, bench):
        return True  # no MSBuild project: nothing to restore

    def extra_steps(self, shape):
        return 1 if shape.static else 0  # the planning step ./plan.py, which a .stepproj does not have

    def unavailable(self, bench):
        command = bench.sdk.stepup_command()
        if not command.exists():
            return "the package has no stepup command (%s)" % command
        rc, _ = run_quiet([str(command), STEPUP_BUILD_ARGS[0], "--help"], env=bench.sdk.env, timeout=60)
        if rc != 0:
            return "`stepup %s --help` failed (exit %s)" % (STEPUP_BUILD_ARGS[0], rc)
        return None

    def argv(self, root, shape, phase, bench):
        return [str(bench.sdk.stepup_command())] + list(STEPUP_BUILD_ARGS)


class StepUpSlurm(StepUp):
    name = "stepup-slurm"
    label = "StepUp.Sdk on Slurm"
    # Steps in flight are jobs queued or running: enough of them keep every slot of the cluster busy
    # and measure sbatch's rate, not the build's job slots (the last -p: wins over StepUpJobs=2).
    extra_properties = ("StepUpExecutor=slurm", "StepUpJobs=200")


class Floor(StepUp):
    name = "floor"
    label = "MSBuild floor"
    extra_properties = ("CustomAfterStepUpSdkTargets=" + str(FLOOR_TARGETS),)

    def before(self, root, shape, n, bench):
        return None

    def after(self, root, shape, n, bench, result, state):
        return {}
