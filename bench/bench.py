#!/usr/bin/env python3
"""Benchmark of StepUp.Sdk against make, ninja, MSBuild alone, Snakemake and doit.

    python3 bench/bench.py            # full run, writes bench/RESULTS.md and bench/RESULTS.json
    python3 bench/bench.py --smoke    # every shape at N=100, one repetition, results in a temporary file

See bench/README.md for what is measured and how, and stepup_bench/ for the code. Standard
library only; Linux only (/proc).
"""

import sys
from pathlib import Path

sys.dont_write_bytecode = True  # leave no __pycache__ in the repository
sys.path.insert(0, str(Path(__file__).resolve().parent))

from stepup_bench.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
