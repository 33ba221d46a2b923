"""doit (Debian's `python3-doit`): one task per step with its command as a shell action, its
inputs as `file_dep` and its outputs as `targets`. `doit -n 2`."""

from ..common import JOBS, PEER_COLD_LIMIT_S
from .base import Tool

DODO = '''"""Benchmark workflow: {shape}, N={n}, for doit (see tools/doit.py)."""
import os

os.makedirs("out", exist_ok=True)

STEPS = [
{steps}
]


def task_step():
    for name, command, inp, out in STEPS:
        # A task without file_dep would run every time: it is up to date while its targets exist.
        yield {{"name": name, "actions": [command], "file_dep": inp, "targets": out,
               "uptodate": [] if inp else [True]}}
'''


class Doit(Tool):
    name = "doit"
    label = "doit"
    executable = "doit"
    package = "python3-doit"
    peer = True
    cold_limit = PEER_COLD_LIMIT_S
    version_argv = ["doit", "--version"]

    def write(self, folder, shape, n, bench):
        entries = ",\n".join("    (%r, %r, %r, %r)" % (s.name, s.command, s.inp, s.out) for s in shape.steps(n))
        (folder / "dodo.py").write_text(DODO.format(shape=shape.name, n=n, steps=entries))

    def argv(self, root, shape, phase, bench):
        return ["doit", "-n", str(JOBS)]
