"""The modules of stepup.core import each other without a circle (also counting imports inside
functions): each can be understood, and imported, on its own."""

import ast
import os
import unittest

from fake_director import SRC_PYTHON

CORE = os.path.join(SRC_PYTHON, "stepup", "core")


def core_imports():
    """{module: set of the stepup.core modules it imports}."""
    modules = {name[:-3] for name in os.listdir(CORE) if name.endswith(".py") and name != "__init__.py"}
    graph = {}
    for module in modules:
        with open(os.path.join(CORE, module + ".py")) as stream:
            tree = ast.parse(stream.read())
        targets = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                names = [node.module] if node.module else [alias.name for alias in node.names]
                targets.update(name.split(".")[0] for name in names if name.split(".")[0] in modules)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("stepup.core."):
                targets.add(node.module.split(".")[2])
        graph[module] = targets
    return graph


def find_cycle(graph):
    state = {}
    stack = []

    def visit(module):
        state[module] = "open"
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        state[module] = "done"
        stack.pop()
        return None

    for module in sorted(graph):
        if module not in state:
            cycle = visit(module)
            if cycle:
                return cycle
    return None


class ImportTests(unittest.TestCase):
    def test_no_import_circle(self):
        graph = core_imports()
        self.assertIn("stepinfo", graph["api"])
        self.assertIsNone(find_cycle(graph), "stepup.core modules import each other in a circle")

    def test_the_cycle_finder_finds_one(self):
        self.assertEqual(find_cycle({"a": {"b"}, "b": {"a"}}), ["a", "b", "a"])
