"""Writes N normally distributed numbers (mean 10, deviation 2) drawn with SEED, one a line."""

import random
import sys

count, seed = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
for _ in range(count):
    print(f"{rng.gauss(10.0, 2.0):.4f}")
