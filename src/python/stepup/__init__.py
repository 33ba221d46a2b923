"""The Python client of StepUp.Sdk.

Steps run by the StepUp.Sdk director find this package on their PYTHONPATH. It offers the names of
StepUp Core (``stepup.core.api``, ``stepup.core.script``, ``stepup.core.stepinfo``,
``stepup.core.interact``) so that StepUp scripts run unchanged. Standard library only.
"""

__all__ = ()
