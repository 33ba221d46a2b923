"""Prints the mean absolute error of the constant in MODEL on the numbers in TEST."""

import sys

model_path, test_path = sys.argv[1], sys.argv[2]
with open(model_path) as fh:
    model = float(fh.read())
with open(test_path) as fh:
    values = [float(line) for line in fh if line.strip()]
print(f"{sum(abs(v - model) for v in values) / len(values):.4f}")
