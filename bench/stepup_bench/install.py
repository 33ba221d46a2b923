"""Installing the Debian packages of missing tools (apt-get, with `sudo -n` when not root)."""

import os
import shutil

from .common import log
from .measure import run_quiet


def install_packages(packages, notes):
    """apt-get update and install; a warning (never a problem) when that is not possible."""
    if not packages:
        return
    prefix = []
    if os.geteuid() != 0:
        if not shutil.which("sudo"):
            notes.warn("%s missing and no sudo to install it" % ", ".join(packages))
            return
        prefix = ["sudo", "-n"]
    log("installing %s with apt-get ..." % " ".join(packages))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    rc, out = run_quiet(prefix + ["apt-get", "update"], env=env, timeout=600)
    if rc == 0:
        rc, out = run_quiet(prefix + ["apt-get", "install", "-y", "--no-install-recommends"] + packages,
                            env=env, timeout=1800)
    if rc != 0:
        notes.warn("apt-get failed (%s): %s" % (rc, out.strip().splitlines()[-1:] or ""))
