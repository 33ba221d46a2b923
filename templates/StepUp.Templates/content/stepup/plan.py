"""Plans the rest of the workflow.

StepUp runs this planning step before the steps it defines, and again only when plan.py changes.
The `stepup` Python package is on every step's PYTHONPATH: nothing to install.
"""

from stepup.core.api import runsh

runsh("sort -u ${inp} > ${out}", inp="data/words.txt", out="out/sorted.txt")
runsh("head -n 3 ${inp} > ${out}", inp="out/sorted.txt", out="out/first.txt")
