"""The call protocol end to end on the client side: api.call() plans a step, and the planned argv,
run as a real process (as the director runs it), reaches the function through
stepup.core.call.driver."""

import dataclasses
import json
import os
import pathlib
import subprocess
import typing
import unittest

from fake_director import ScriptTestCase

from stepup.core import api
from stepup.core.call import structure

HEADER = "#!/usr/bin/env python3\nfrom stepup.core.call import driver\nfrom stepup.core.api import amend, call\n"
FOOTER = "\nif __name__ == '__main__':\n    driver()\n"

COPY = """
def run(inp, out):
    with open(inp[0]) as src, open(out[0], "w") as dst:
        dst.write(src.read().upper())
"""


class CallTestCase(ScriptTestCase):
    def write_worker(self, body, path="work.py"):
        return self.write(path, HEADER + body + FOOTER, executable=True)

    def run_argv(self, argv, cwd=None, check=True, extra_env=None):
        """Runs a planned step's argv the way the director runs a step without a shell."""
        result = subprocess.run(argv, cwd=cwd or self.tmp, env=self.env(extra_env), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
        if check and result.returncode != 0:
            self.fail("%s failed (%d):\n%s\n%s" % (argv, result.returncode, result.stdout, result.stderr))
        return result

    def planned(self, director):
        return director.of_type("api.step")[-1]

    def read(self, path):
        with open(os.path.join(self.tmp, path)) as stream:
            return stream.read()


class InlineJsonTests(CallTestCase):
    def test_call_minimal_round_trip(self):
        director = self.director()
        self.write("data.txt", "hello")
        self.write_worker(COPY)
        api.call("./work.py", "run", inp=["data.txt"], out=["result.txt"])
        self.run_argv(self.planned(director)["argv"])
        self.assertEqual(self.read("result.txt"), "HELLO")

    def test_keyword_arguments_and_out_is_a_list(self):
        director = self.director()
        self.write_worker("""
import json
def run(out, prefix, n=1):
    with open(out[0], "w") as stream:
        json.dump({"out": out, "prefix": prefix, "n": n}, stream)
""")
        api.call("./work.py", "run", out="r.json", prefix=">>")
        self.run_argv(self.planned(director)["argv"])
        self.assertEqual(self.read_json("r.json"), {"out": ["r.json"], "prefix": ">>", "n": 1})

    def test_inp_and_out_are_dropped_when_not_parameters(self):
        director = self.director()
        self.write_worker("""
def run(x):
    open("ran-%s" % x, "w").close()
""")
        api.call("./work.py", "run", inp="a.txt", out="b.txt", x=3)
        self.run_argv(self.planned(director)["argv"])
        self.assertTrue(os.path.isfile(os.path.join(self.tmp, "ran-3")))

    def test_unexpected_argument_is_a_type_error(self):
        self.director()
        self.write_worker("def run(x):\n    pass\n")
        result = self.run_argv(["./work.py", "run", '{"x": 1, "y": 2, "z": 3}'], check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("function 'run' received unexpected arguments: y, z", result.stderr)

    def test_var_keyword_function_gets_everything(self):
        self.director()
        self.write_worker("""
import json
def run(**kwargs):
    with open("all.json", "w") as stream:
        json.dump(kwargs, stream)
""")
        self.run_argv(["./work.py", "run", '{"inp": ["a"], "k": [1, 2]}'])
        self.assertEqual(self.read_json("all.json"), {"inp": ["a"], "k": [1, 2]})

    def test_annotated_parameters_are_converted(self):
        self.director()
        self.write_worker("""
import json, pathlib, typing
def run(inp: list[pathlib.Path], n: int, ratio: float, pair: tuple[int, str], opt: typing.Optional[int] = None):
    with open("types.json", "w") as stream:
        json.dump([type(inp[0]).__name__, type(ratio).__name__, type(pair).__name__, opt], stream)
""")
        self.run_argv(["./work.py", "run", '{"inp": ["a.txt"], "n": 2, "ratio": 1, "pair": [1, "x"]}'])
        self.assertEqual(self.read_json("types.json"), ["PosixPath", "float", "tuple", None])
        result = self.run_argv(["./work.py", "run", '{"inp": ["a.txt"], "n": "two", "ratio": 1, "pair": [1, "x"]}'],
                               check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("argument 'n' expected int, got str: 'two'", result.stderr)

    def test_unknown_function(self):
        self.director()
        self.write_worker(COPY)
        result = self.run_argv(["./work.py", "nope", "{}"], check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("does not define a function 'nope'", result.stderr)

    def test_json_and_inp_together_is_a_usage_error(self):
        self.director()
        self.write_worker(COPY)
        result = self.run_argv(["./work.py", "run", "{}", "--inp=a.json"], check=False)
        self.assertEqual(result.returncode, 2)
        self.assertIn("not both", result.stderr)

    def test_arguments_must_be_an_object(self):
        self.director()
        self.write_worker(COPY)
        result = self.run_argv(["./work.py", "run", "[1, 2]"], check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("must be a JSON object", result.stderr)


class ListingTests(CallTestCase):
    def test_public_functions_with_defaults(self):
        self.write_worker("""
import os.path
from os.path import join

def run(inp, out, scale=2.0):
    pass

def plan():
    pass

def _helper():
    pass
""")
        result = self.run_argv(["./work.py"])
        self.assertEqual(result.stdout.splitlines(), [
            """./work.py run '{"inp": null, "out": null, "scale": 2.0}'""",
            "./work.py plan '{}'",
        ])

    def test_all_decides(self):
        self.write_worker('__all__ = ("b",)\n\ndef a():\n    pass\n\ndef b(x=1):\n    pass\n', path="sub/w.py")
        result = self.run_argv(["sub/w.py"])
        self.assertEqual(result.stdout.splitlines(), ["""sub/w.py b '{"x": 1}'"""])


class ArgsFileTests(CallTestCase):
    def test_json_args_file_round_trip(self):
        director = self.director()
        self.write("data.txt", "abc")
        self.write_worker(COPY)
        api.call("./work.py", "run", inp=["data.txt"], out=["result.txt"], args_file="args.json")
        step = self.planned(director)
        self.assertEqual(step["argv"], ["./work.py", "run", "--inp=args.json"])
        self.run_argv(step["argv"])
        self.assertEqual(self.read("result.txt"), "ABC")

    def test_toml_and_python_args_files(self):
        self.director()
        self.write_worker("""
import json
def run(n, name):
    with open("got.json", "w") as stream:
        json.dump([n, name], stream)
""")
        self.write("args.toml", 'n = 4\nname = "t"\n')
        self.run_argv(["./work.py", "run", "--inp=args.toml"])
        self.assertEqual(self.read_json("got.json"), [4, "t"])
        self.write("args.py", "n = 5\nname = 'p'\n_private = 1\n")
        self.run_argv(["./work.py", "run", "--inp=args.py"])
        self.assertEqual(self.read_json("got.json"), [5, "p"])

    def test_the_args_file_is_amended_as_an_input(self):
        director = self.director()
        self.write_worker("def run(n):\n    pass\n")
        self.write("args.json", '{"n": 1}')
        self.run_argv(["./work.py", "run", "--inp=args.json"])
        self.assertIn(["args.json"], [r["inp"] for r in director.of_type("api.amend")])

    def test_yaml_without_a_yaml_parser_is_a_clear_error(self):
        self.director()
        self.write_worker("def run(n):\n    pass\n")
        self.write("args.yaml", "n: 1\n")
        # A yaml module that cannot be imported, whatever this machine has installed.
        self.write("noyaml/yaml.py", "raise ImportError('no YAML here')\n")
        result = self.run_argv(["./work.py", "run", "--inp=args.yaml"], check=False,
                               extra_env={"PYTHONPATH": os.path.join(self.tmp, "noyaml") + os.pathsep + self.env()["PYTHONPATH"]})
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("Reading args.yaml needs a YAML parser", result.stderr)
        self.assertIn("pip install pyyaml", result.stderr)

    def test_yaml_with_an_importable_parser(self):
        self.director()
        self.write_worker("""
import json
def run(n):
    with open("got.json", "w") as stream:
        json.dump(n, stream)
""")
        self.write("args.yml", '{"n": 7}\n')
        # Any module named yaml with safe_load will do; JSON is YAML.
        self.write("fakeyaml/yaml.py", "import json\n\ndef safe_load(stream):\n    return json.load(stream)\n")
        self.run_argv(["./work.py", "run", "--inp=args.yml"],
                      extra_env={"PYTHONPATH": os.path.join(self.tmp, "fakeyaml") + os.pathsep + self.env()["PYTHONPATH"]})
        self.assertEqual(self.read_json("got.json"), 7)


class PlanningCallTests(CallTestCase):
    def test_planning_function_defines_steps(self):
        director = self.director()
        self.write_worker("""
def plan():
    for name in ("a", "b"):
        call("./work.py", "run", inp=["input_%s.txt" % name], out=["output_%s.txt" % name])

def run(inp, out):
    pass
""")
        api.call("./work.py", "plan", planning=True)
        planning = self.planned(director)
        self.assertIs(planning["planning"], True)
        self.run_argv(planning["argv"])
        steps = director.of_type("api.step")[1:]
        self.assertEqual([s["command"] for s in steps], [
            """./work.py run '{"inp": ["input_a.txt"], "out": ["output_a.txt"]}'""",
            """./work.py run '{"inp": ["input_b.txt"], "out": ["output_b.txt"]}'""",
        ])
        self.assertEqual([s["planning"] for s in steps], [False, False])

    def test_chain_of_planning_calls(self):
        director = self.director()
        self.write_worker("""
def first():
    call("./work.py", "second", planning=True, depth=1)

def second(depth):
    call("./work.py", "run", out=["deep%d.txt" % depth])

def run(out):
    pass
""")
        self.run_argv(["./work.py", "first", "{}"])
        (second,) = director.of_type("api.step")
        self.assertEqual(second["command"], """./work.py second '{"depth": 1}'""")
        self.assertIs(second["planning"], True)
        self.run_argv(second["argv"])
        self.assertEqual(director.of_type("api.step")[-1]["out"], ["deep1.txt"])

    def test_callee_amends_the_running_step(self):
        director = self.director()
        self.write_worker("""
def run(inp, out):
    amend(inp="extra.txt", out="more.txt")
""")
        self.run_argv(["./work.py", "run", '{"inp": ["a.txt"], "out": ["b.txt"]}'])
        (amend,) = director.of_type("api.amend")
        self.assertEqual((amend["inp"], amend["out"]), (["extra.txt"], ["more.txt"]))

    def test_callee_stops_when_its_amended_input_is_not_built(self):
        self.director(lambda request: {"type": "ok", "carryOn": False})
        self.write_worker("""
def run():
    amend(inp="later.txt")
    open("should-not-exist", "w").close()
""")
        result = self.run_argv(["./work.py", "run"], check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("InputNotFoundError", result.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "should-not-exist")))


class StructureTests(unittest.TestCase):
    def test_plain_types(self):
        self.assertEqual(structure(1, float), 1.0)
        self.assertIsInstance(structure(1, float), float)
        self.assertEqual(structure("a", pathlib.Path), pathlib.Path("a"))
        self.assertEqual(structure([1, 2], set[int]), {1, 2})
        self.assertEqual(structure({"a": [1]}, dict[str, list[int]]), {"a": [1]})
        self.assertEqual(structure([1, 2, 3], tuple[int, ...]), (1, 2, 3))
        self.assertIsNone(structure(None, typing.Optional[int]))
        self.assertEqual(structure("x", typing.Union[int, str]), "x")
        self.assertEqual(structure("b", typing.Literal["a", "b"]), "b")
        for value, annotation in ((True, int), (1, bool), (1, str), ("1", int), ([1, "a"], list[int]),
                                  ([1], tuple[int, int]), ("c", typing.Literal["a"])):
            with self.assertRaises(TypeError, msg=(value, annotation)):
                structure(value, annotation)

    def test_dataclass(self):
        @dataclasses.dataclass
        class Point:
            x: float
            name: str = "p"

        self.assertEqual(structure({"x": 1}, Point), Point(1.0))


if __name__ == "__main__":
    unittest.main()
