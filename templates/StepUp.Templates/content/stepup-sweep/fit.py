"""Fits a constant model to the numbers in DATA with METHOD (mean or median) and prints it."""

import statistics
import sys

method, path = sys.argv[1], sys.argv[2]
with open(path) as fh:
    values = [float(line) for line in fh if line.strip()]
fit = {"mean": statistics.mean, "median": statistics.median}[method]
print(f"{fit(values):.4f}")
