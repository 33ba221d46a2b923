"""ninja: one build statement per step, `ninja -j2`."""

import re
from pathlib import Path

from ..common import JOBS
from .base import Tool


class Ninja(Tool):
    name = "ninja"
    label = "ninja"
    executable = "ninja"
    package = "ninja-build"
    smoke_install = True
    version_argv = ["ninja", "--version"]

    def write(self, folder, shape, n, bench):
        lines = ["# Benchmark workflow: %s, N=%d" % (shape.name, n),
                 "rule sh", "  command = $cmd", "  description = $out", ""]
        for step in shape.steps(n):
            lines.append("build %s: sh %s" % (step.out[0], " ".join(step.inp)))
            lines.append("  cmd = " + step.command.replace("$", "$$"))
        lines.append("")
        (folder / "build.ninja").write_text("\n".join(lines))

    def argv(self, root, shape, phase, bench):
        return self.deep_stack(shape, ["ninja", "-j%d" % JOBS])

    def before(self, root, shape, n, bench):
        return None

    def after(self, root, shape, n, bench, result, state):
        """ninja prints `[i/n] description` for each step it runs."""
        try:
            lines = Path(result.log).read_text(errors="replace").splitlines()
        except OSError:
            return {"ran": None}
        return {"ran": sum(1 for line in lines if re.match(r"^\[\d+/\d+\] ", line))}
