"""Interactive helpers of StepUp, as far as they make sense here (``graph``)."""

from .api import graph

__all__ = ("graph",)
