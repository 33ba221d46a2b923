"""Errors raised by the StepUp client."""

__all__ = ("StepUpError", "InputNotFoundError")


class StepUpError(RuntimeError):
    """The director refused a request, or could not be reached."""


class InputNotFoundError(StepUpError):
    """An amended input is not built yet.

    The step should let this propagate (exit non-zero): the director runs it again, from scratch,
    once the missing inputs are built.
    """
