"""StepUp's core client API: talk to the director that runs the current step."""

__all__ = ()
