"""The tools the benchmark builds the workflows with, one module each, in report order."""

from .doit import Doit
from .make import Make
from .msbuild import MSBuildExec
from .ninja import Ninja
from .snakemake import Snakemake
from .stepup import Floor, StepUp, StepUpCli, StepUpServer, StepUpSlurm

FLOOR = "floor"

TOOLS = {t.name: t for t in (StepUp(), StepUpServer(), StepUpCli(), StepUpSlurm(), Ninja(), Make(), MSBuildExec(),
                             Snakemake(), Doit(), Floor())}
DIRECTOR_CLIENTS = ("stepup", "stepup-server", "stepup-cli", "stepup-slurm")  # build through the director
SELECTABLE = [name for name in TOOLS if name != FLOOR]
