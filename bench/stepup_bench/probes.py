"""What the packed SDK and the machine support, for the shapes that need more than the basics.

Each probe returns None when the shape can run, else the reason it is skipped. They read the
package (the names the SDK would use: a `Params` metadata, `<Plan>` items, `StepUpExecutor`)
rather than building a probe project, so that an unsupported shape costs nothing.
"""

import os
import shutil

from .measure import run_quiet


def _user_string(name):
    """How a .NET assembly stores the string literal `name` (its #US heap: a length byte, UTF-16)."""
    return (bytes([2 * len(name) + 1]) + name.encode("utf-16-le")).decode("latin-1")


def _mentions(sdk, *names):
    """Whether the SDK's targets or its assemblies name one of these (a literal, not a part of one)."""
    text = sdk.package_text("Sdk", "tasks", "tools/director")
    return any(name in text or _user_string(name) in text for name in names)


def hyper(sdk):
    if not sdk.package_dir().exists():
        return "the package is not restored"
    if not _mentions(sdk, "@(Plan)", "Params"):
        return ("the packed SDK has no `Params` metadata or `<Plan>` items yet (HyperWorkflows, spec §9, "
                "issue 9)")
    return None


def slurm_cluster():
    """None when `sinfo` (with $SLURM_CONF when set) shows a node that can take jobs."""
    if shutil.which("sinfo") is None:
        return "no Slurm client (sinfo) on this machine"
    rc, out = run_quiet(["sinfo", "-h", "-o", "%t"], env=dict(os.environ), timeout=30)
    if rc != 0:
        return "no Slurm cluster answers sinfo (set SLURM_CONF to its slurm.conf): %s" % (
            out.strip().splitlines()[-1] if out.strip() else "exit %d" % rc)
    states = {s.strip().rstrip("*~#$@^-") for s in out.split()}
    if not states & {"idle", "mix", "mixed", "alloc", "allocated", "comp", "completing"}:
        return "the Slurm cluster has no node up (sinfo: %s)" % " ".join(sorted(states))
    return None


def slurm(sdk):
    reason = slurm_cluster()
    if reason:
        return reason
    if not sdk.package_dir().exists():
        return "the package is not restored"
    if not _mentions(sdk, "StepUpExecutor"):
        return "the packed SDK has no Slurm executor yet (`StepUpExecutor`, issue 13)"
    return None


SHAPE_PROBES = {"hyper": hyper, "slurm": slurm}


def shape_skip_reason(shape, sdk):
    probe = SHAPE_PROBES.get(shape.name)
    return probe(sdk) if probe else None
