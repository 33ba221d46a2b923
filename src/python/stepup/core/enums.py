"""How much a step is needed (StepUp's ``Need``), for ``step(need=...)``."""

import enum

__all__ = ("Need",)


class Need(enum.IntEnum):
    """OPTIONAL: runs only when a needed step uses an output. DEFAULT: runs unless the build names
    targets it does not make. PLAN: a planning step, always run and dispatched first. (TARGET is
    what a build target makes of a step; it cannot be declared.)"""

    OPTIONAL = 31
    DEFAULT = 32
    TARGET = 33
    PLAN = 34
