"""Errors raised by the StepUp client."""

__all__ = ("StepUpError", "InputNotFoundError", "PathError", "EnvVarError", "AmendWhileHoldingError", "CyclicError")


class StepUpError(RuntimeError, ValueError):
    """The director refused a request, could not be reached, or an API function got bad arguments.

    A ValueError too, as in StepUp Core 4, where bad arguments raise one.
    """


class InputNotFoundError(StepUpError):
    """An amended input is not built yet.

    The step should let this propagate (exit non-zero): the director runs it again, from scratch,
    once the missing inputs are built.
    """


class PathError(StepUpError):
    """A path argument is invalid: missing, a folder where a file is needed, or badly formed."""


class EnvVarError(StepUpError):
    """A ``${VAR}`` in a path names a variable that is not set, or is not a valid name."""


class AmendWhileHoldingError(StepUpError):
    """``amend(inp=...)`` was called inside a ``with hold():`` block of the same step.

    The step could wait for an input that a held step makes, and that step waits for the hold.
    """


class CyclicError(StepUpError):
    """The director refused a step or an amended input that would close a dependency cycle."""
