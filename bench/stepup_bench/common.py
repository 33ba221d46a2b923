"""What every module of the benchmark shares: paths, the job count, the phases, logging."""

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
BENCH = REPO / "bench"
FLOOR_TARGETS = BENCH / "floor.targets"
SDK_PROJECT = REPO / "sdk" / "StepUp.Sdk" / "StepUp.Sdk.csproj"

JOBS = 2  # every tool runs at most this many steps at once
PHASES = ("cold", "noop", "change")

# A peer whose cold build takes longer than this is skipped at that N and above (issue 12).
PEER_COLD_LIMIT_S = 600


def log(message=""):
    print(message, flush=True)


def rmtree(path):
    shutil.rmtree(path, ignore_errors=True)
