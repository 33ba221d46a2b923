"""The Python client of StepUp.Sdk.

Steps run by the StepUp.Sdk director find this package on their PYTHONPATH. It offers the names of
StepUp Core, 4.x and 3.x (``stepup.core.api``, ``stepup.core.call``, ``stepup.core.extapi``,
``stepup.core.script``, ``stepup.core.stepinfo``, ``stepup.core.interact``), so that StepUp
scripts run unchanged. Standard library only. See docs/python-api.md of StepUp.Sdk.
"""

__all__ = ()
