"""GNU make: one rule per step, `make -j2`."""

from pathlib import Path

from ..common import JOBS
from .base import Tool


class Make(Tool):
    name = "make"
    label = "make"
    executable = "make"
    package = "make"
    smoke_install = True
    version_argv = ["make", "--version"]

    def write(self, folder, shape, n, bench):
        lines = ["# Benchmark workflow: %s, N=%d" % (shape.name, n),
                 "_ := $(shell mkdir -p out)",
                 ".PHONY: all",
                 "all: " + " ".join(shape.goals(n)), ""]
        for step in shape.steps(n):
            lines.append("%s: %s" % (step.out[0], " ".join(step.inp)))
            lines.append("\t" + step.command.replace("$", "$$"))
        lines.append("")
        (folder / "Makefile").write_text("\n".join(lines))

    def argv(self, root, shape, phase, bench):
        return self.deep_stack(shape, ["make", "-j%d" % JOBS, "--no-print-directory"])

    def before(self, root, shape, n, bench):
        return None

    def after(self, root, shape, n, bench, result, state):
        """make echoes each command it runs: the lines that are not make's own messages."""
        try:
            lines = Path(result.log).read_text(errors="replace").splitlines()
        except OSError:
            return {"ran": None}
        return {"ran": sum(1 for line in lines if line.strip() and not line.startswith(("make:", "make[")))}
