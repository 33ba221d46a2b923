"""The StepUp.Sdk benchmark, run as `python3 bench/bench.py` (see bench/README.md).

Modules, in the order a run goes through them:

- `cli`: the options, and the run from start to end;
- `workflows`: the shapes (fanout, chain, ...): the steps, their commands and files, the same
  for every tool;
- `tools`: one module per tool (StepUp.Sdk and its variants, make, ninja, MSBuild Exec,
  Snakemake, doit): how it writes a workflow, the command that builds it, how it counts what ran;
- `install`: Debian packages of missing tools, installed with apt-get;
- `sdk`: packing StepUp.Sdk, and the director's life and logs;
- `probes`: what the packed SDK and the machine support (HyperWorkflows, Slurm, `stepup build`);
- `measure`: running one command and reading /proc;
- `runner`: the series of one shape and one N, every tool and repetition;
- `report`: RESULTS.md.

Standard library only; Linux only (/proc).
"""
