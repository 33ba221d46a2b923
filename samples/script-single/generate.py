#!/usr/bin/env python3
"""Writes a cosine and a sine series (as JSON, so no numpy is needed)."""
import json
import math

from stepup.core.script import driver



def info():
    return {
        "inp": "config.json",
        "out": ["cos.json", "sin.json"],
    }


def run(inp, out):
    with open(inp) as fh:
        config = json.load(fh)
    nstep = config["nstep"]
    freq = config["freq"]
    cos = [math.cos(2 * math.pi * freq * i) for i in range(nstep)]
    sin = [math.sin(2 * math.pi * freq * i) for i in range(nstep)]
    with open(out[0], "w") as fh:
        json.dump(cos, fh)
    with open(out[1], "w") as fh:
        json.dump(sin, fh)


if __name__ == "__main__":
    driver()
