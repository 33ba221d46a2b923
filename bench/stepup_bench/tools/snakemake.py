"""Snakemake (Debian's `snakemake`): one rule whose output is any step's output; the step's own
command is its shell command. `snakemake -j2`.

`rule all` asks for every output, not only the final ones: Snakemake does not rebuild a deleted
intermediate file while the files made from it are up to date.
"""

import re

from ..common import JOBS, PEER_COLD_LIMIT_S
from .base import Tool

SNAKEFILE = '''# Benchmark workflow: {shape}, N={n}, for Snakemake (see tools/snakemake.py).
STEPS = {{
{steps}
}}

wildcard_constraints:
    path={constraint!r}

rule all:
    input: {goals!r}

rule step:
    output: "{{path}}"
    input: lambda wildcards: STEPS[wildcards.path][1]
    params: command=lambda wildcards: STEPS[wildcards.path][0]
    shell: "{{params.command}}"
'''


def output_pattern(paths):
    """A regular expression that matches these paths and no static file: numbered outputs under
    out/ by pattern, the few others by name."""
    others = sorted({p for p in paths if not re.fullmatch(r"out/\d+\.txt", p)})
    return "|".join([r"out/\d+\.txt"] + [re.escape(p) for p in others])


class Snakemake(Tool):
    name = "snakemake"
    label = "Snakemake"
    executable = "snakemake"
    package = "snakemake"
    peer = True
    cold_limit = PEER_COLD_LIMIT_S
    version_argv = ["snakemake", "--version"]

    def write(self, folder, shape, n, bench):
        steps = shape.steps(n)
        entries = ",\n".join("    %r: (%r, %r)" % (s.out[0], s.command, s.inp) for s in steps)
        (folder / "Snakefile").write_text(SNAKEFILE.format(
            shape=shape.name, n=n, steps=entries, constraint=output_pattern([s.out[0] for s in steps]),
            goals=[s.out[0] for s in steps]))

    def argv(self, root, shape, phase, bench):
        return ["snakemake", "-j%d" % JOBS]
