"""The script driver (stepup.core.script.driver), run as a real script in a subprocess."""

import json
import os
import shutil
import textwrap

from fake_director import SRC_PYTHON, ClientTestCase, ScriptTestCase

from stepup.core.script import case_args, format_case_args, parse_case_args
from stepup.core.exceptions import StepUpError

HEADER = "#!/usr/bin/env python3\nfrom stepup.core.script import driver\n"
FOOTER = "\nif __name__ == '__main__':\n    driver()\n"


class DriverTestCase(ScriptTestCase):
    def setUp(self):
        super().setUp()
        # The static file that the scripts below declare.
        self.write("config.json", "{}\n")

    def write_script(self, body, path="work.py"):
        return self.write(path, HEADER + textwrap.dedent(body) + FOOTER, executable=True)


SINGLE = """
import json

def info():
    return {
        "inp": "config.json",
        "out": ["a.txt", "b.txt"],
        "static": ["config.json"],
        "n": 3,
        "unused": "x",
    }

def run(inp, out, n):
    with open("ran.json", "w") as stream:
        json.dump({"inp": inp, "out": out, "n": n}, stream)
"""


class SingleCaseTests(DriverTestCase):
    def test_plan(self):
        director = self.director()
        self.write_script(SINGLE)
        self.run_script("plan")
        self.assertEqual(director.of_type("api.static"), [{"type": "api.static", "cwd": self.tmp, "paths": ["config.json"]}])
        self.assertEqual(
            director.of_type("api.step"),
            [
                {
                    "type": "api.step",
                    "cwd": self.tmp,
                    "command": "./work.py run",
                    "workdir": ".",
                    "inp": ["work.py", "config.json"],
                    "out": ["a.txt", "b.txt"],
                    "vol": [],
                    "env": [],
                    "optional": False,
                    "planning": False,
                    # No shell syntax: the run step runs without a shell.
                    "shell": False,
                    "argv": ["./work.py", "run"],
                    "placeholders": False,
                }
            ],
        )
        self.assertEqual(director.of_type("api.amend"), [])
        self.assertEqual(director.of_type("api.script"), [])

    def test_plan_optional_with_stdout_and_stderr(self):
        director = self.director()
        self.write_script("""
            def info():
                return {"out": "r.txt", "stdout": "out.log", "stderr": "err.log"}

            def run():
                print("to stdout")
        """)
        self.run_script("plan", "--optional")
        (step,) = director.of_type("api.step")
        self.assertEqual(step["command"], "./work.py run > out.log 2> err.log")
        self.assertEqual(step["out"], ["r.txt", "out.log", "err.log"])
        self.assertIs(step["optional"], True)

    def test_plan_writes_step_info(self):
        self.director()
        self.write_script(SINGLE)
        self.run_script("plan", "--step-info=info/steps.json")
        self.assertEqual(
            self.read_json("info/steps.json"),
            [
                {
                    "command": "./work.py run",
                    "workdir": "..",
                    "inp": ["work.py", "config.json"],
                    "env": [],
                    "out": ["a.txt", "b.txt"],
                    "vol": [],
                }
            ],
        )
        from stepup.core.stepinfo import load_step_info

        (info,) = load_step_info("info/steps.json", do_amend=False)
        self.assertEqual(info.workdir, ".")
        self.assertEqual(info.out, ["a.txt", "b.txt"])

    def test_plan_step_info_separate_argument(self):
        self.director()
        self.write_script(SINGLE)
        self.run_script("plan", "-o", "--step-info", "s.json")
        self.assertEqual(self.read_json("s.json")[0]["command"], "./work.py run")

    def test_run_passes_only_known_parameters(self):
        self.director()
        self.write_script(SINGLE)
        self.run_script("run")
        self.assertEqual(self.read_json("ran.json"), {"inp": "config.json", "out": ["a.txt", "b.txt"], "n": 3})

    def test_run_with_var_keyword_gets_everything(self):
        self.director()
        self.write_script("""
            import json

            def info():
                return {"a": 1, "b": [2]}

            def run(**kwargs):
                with open("ran.json", "w") as stream:
                    json.dump(kwargs, stream)
        """)
        self.run_script("run")
        self.assertEqual(self.read_json("ran.json"), {"a": 1, "b": [2]})

    def test_run_without_parameters(self):
        self.director()
        self.write_script("""
            def info():
                return {"out": "x.txt"}

            def run():
                open("x.txt", "w").close()
        """)
        self.run_script("run")
        self.assertTrue(os.path.isfile(os.path.join(self.tmp, "x.txt")))

    def test_script_in_a_subfolder(self):
        director = self.director()
        self.write_script(SINGLE, path="sub/work.py")
        self.run_script("plan", script="sub/work.py")
        (step,) = director.of_type("api.step")
        self.assertEqual(step["command"], "sub/work.py run")
        self.assertEqual(step["inp"], ["sub/work.py", "config.json"])

    def test_without_director_plan_prints_requests(self):
        self.write_script(SINGLE)
        result = self.run_script("plan")
        lines = result.stdout.splitlines()
        self.assertEqual([line.split(" ")[3] for line in lines], ["api.static", "api.step"])
        self.assertTrue(all(line.startswith("stepup: would send ") for line in lines))
        self.assertIn('"command": "./work.py run"', lines[1])

    def test_usage_errors(self):
        self.write_script(SINGLE)
        self.assertEqual(self.run_script(check=False).returncode, 2)
        self.assertEqual(self.run_script("frobnicate", check=False).returncode, 2)
        self.assertEqual(self.run_script("plan", "--bogus", check=False).returncode, 2)
        self.assertNotEqual(self.run_script("run", "1", check=False).returncode, 0)


MULTI = """
import json

CASE_FMT = "{:+03.1f}"

def cases():
    yield -0.5
    yield 2.0

def case_info(x):
    return {"inp": "config.json", "out": "r%s.json" % x, "x": x}

def run(out, x):
    with open(out, "w") as stream:
        json.dump({"x": x, "type": type(x).__name__}, stream)
"""


class MultiCaseTests(DriverTestCase):
    def test_plan_negative_values_get_double_dash(self):
        director = self.director()
        self.write_script(MULTI)
        self.run_script("plan")
        steps = director.of_type("api.step")
        self.assertEqual([s["command"] for s in steps], ["./work.py run -- -0.5", "./work.py run +2.0"])
        self.assertEqual([s["out"] for s in steps], [["r-0.5.json"], ["r2.0.json"]])
        self.assertEqual([s["inp"] for s in steps], [["work.py", "config.json"]] * 2)

    def test_planned_commands_run_the_cases(self):
        director = self.director()
        self.write_script(MULTI)
        self.run_script("plan")
        for step in director.of_type("api.step"):
            self.sh(step["command"])
        self.assertEqual(self.read_json("r-0.5.json"), {"x": -0.5, "type": "float"})
        self.assertEqual(self.read_json("r2.0.json"), {"x": 2.0, "type": "float"})

    def test_cases_prints_commands(self):
        self.write_script(MULTI)
        result = self.run_script("cases")
        self.assertEqual(result.stdout.splitlines(), ["./work.py run -- -0.5", "./work.py run +2.0"])

    def test_keywords_and_quoting(self):
        director = self.director()
        self.write_script("""
            import json

            CASE_FMT = "{} n={n:d}"

            def cases():
                yield ["a b"], {"n": 3}
                yield ["-c"], {"n": -4}

            def case_info(name, n):
                return {"out": "%s_%d.json" % (name.replace(" ", "_"), n), "name": name, "n": n}

            def run(out, name, n):
                with open(out, "w") as stream:
                    json.dump([name, n], stream)
        """)
        self.run_script("plan")
        steps = director.of_type("api.step")
        self.assertEqual([s["command"] for s in steps], ["./work.py run 'a b n=3'", "./work.py run -- '-c n=-4'"])
        for step in steps:
            self.sh(step["command"])
        self.assertEqual(self.read_json("a_b_3.json"), ["a b", 3])
        self.assertEqual(self.read_json("-c_-4.json"), ["-c", -4])

    def test_single_and_multi_coexist(self):
        director = self.director()
        self.write_script(MULTI + """
def info():
    return {"out": "single.json", "x": None}
""")
        self.run_script("plan", "--optional", "--step-info=all.json")
        steps = director.of_type("api.step")
        self.assertEqual([s["command"] for s in steps],
                         ["./work.py run", "./work.py run -- -0.5", "./work.py run +2.0"])
        self.assertTrue(all(s["optional"] for s in steps))
        self.assertEqual([i["command"] for i in self.read_json("all.json")],
                         ["./work.py run", "./work.py run -- -0.5", "./work.py run +2.0"])
        self.run_script("run")
        self.assertEqual(self.read_json("single.json"), {"x": None, "type": "NoneType"})
        self.run_script("run", "--", "-0.5")
        self.assertEqual(self.read_json("r-0.5.json"), {"x": -0.5, "type": "float"})

    def test_run_with_unmatched_argstring_fails(self):
        self.director()
        self.write_script(MULTI)
        result = self.run_script("run", "abc", check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("does not match CASE_FMT", result.stderr)


class CaseFormatTests(ClientTestCase):
    def round_trip(self, fmt, args, kwargs=None):
        text = format_case_args(fmt, args, kwargs or {})
        return text, parse_case_args(fmt, text)

    def test_round_trips(self):
        cases = [
            ("{:+03.1f}", (-0.5,), {}, "-0.5"),
            ("{:+03.1f}", (2.0,), {}, "+2.0"),
            ("{}", (7,), {}, "7"),
            ("{:d}", (-12,), {}, "-12"),
            ("{0:0>3d}-{1}", (5, "q"), {}, "005-q"),
            ("{:,d}", (1234567,), {}, "1,234,567"),
            ("{:x}", (255,), {}, "ff"),
            ("{:#x}", (255,), {}, "0xff"),
            ("{:.1%}", (0.25,), {}, "25.0%"),
            ("{:5d}|", (42,), {}, "   42|"),
            ("{!r}", ("hi",), {}, "'hi'"),
            ("{a}_{b:d}_{a}", (), {"a": "x y", "b": 3}, "x y_3_x y"),
            ("{} {n:d}", ("a b",), {"n": 3}, "a b 3"),
            ("{1}/{0}", ("x", "y"), {}, "y/x"),
            ("{:e}", (1.5e-7,), {}, "1.500000e-07"),
        ]
        for fmt, args, kwargs, expected_text in cases:
            with self.subTest(fmt=fmt, args=args, kwargs=kwargs):
                text, (parsed_args, parsed_kwargs) = self.round_trip(fmt, args, kwargs)
                self.assertEqual(text, expected_text)
                self.assertEqual(parsed_args, args)
                self.assertEqual(parsed_kwargs, kwargs)
                for parsed, original in zip(parsed_args, args):
                    self.assertIs(type(parsed), type(original))

    def test_untyped_fields_stay_text_unless_the_number_formats_back(self):
        self.assertEqual(parse_case_args("{}", "007"), (("007",), {}))
        self.assertEqual(parse_case_args("{}", "nan"), (("nan",), {}))
        self.assertEqual(parse_case_args("{}", "1e5"), (("1e5",), {}))
        self.assertEqual(parse_case_args("{}", "0.5"), ((0.5,), {}))
        self.assertEqual(parse_case_args("{}-{}", "3-x"), ((3, "x"), {}))

    def test_mismatch(self):
        with self.assertRaises(StepUpError):
            parse_case_args("n={:d}", "m=3")
        with self.assertRaises(StepUpError):
            parse_case_args("{:d}", "x")

    def test_case_items(self):
        self.assertEqual(case_args(3), ((3,), {}))
        self.assertEqual(case_args("a"), (("a",), {}))
        self.assertEqual(case_args([1, 2]), ((1, 2), {}))
        self.assertEqual(case_args((1, 2)), ((1, 2), {}))
        self.assertEqual(case_args({"a": 1}), ((), {"a": 1}))
        self.assertEqual(case_args(([1], {"a": 2})), ((1,), {"a": 2}))


class LocalModuleTests(DriverTestCase):
    def setUp(self):
        super().setUp()
        self.root = os.path.join(self.tmp, "root")
        self.ext = os.path.join(self.tmp, "ext")
        os.makedirs(self.root)
        os.makedirs(self.ext)
        # A copy of the stepup package inside the project: never amended.
        shutil.copytree(os.path.join(SRC_PYTHON, "stepup"), os.path.join(self.root, "lib", "stepup"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        self.write("root/helper.py", "VALUE = 1\n")
        self.write("root/late.py", "VALUE = 2\n")
        self.write("root/pkg/__init__.py", "")
        self.write("root/pkg/mod.py", "from . import sibling\n")
        self.write("root/pkg/sibling.py", "")
        self.write("root/.venv/lib/python3/site-packages/vendored.py", "")
        self.write("root/venv/lib/other.py", "")
        self.write("ext/extmod.py", "")
        self.pythonpath = os.pathsep.join([
            os.path.join(self.root, "lib"),
            os.path.join(self.root, ".venv", "lib", "python3", "site-packages"),
            os.path.join(self.root, "venv", "lib"),
            self.ext,
        ])
        self.write_script("""
            import json, collections
            import helper
            import pkg.mod
            import vendored
            import other
            import extmod

            def info():
                return {"out": "x.txt"}

            def run(out):
                import late
                open(out, "w").close()
        """, path="root/work.py")

    def amended(self, director):
        return [(r["inp"], r["implicitStatic"], r["cwd"]) for r in director.of_type("api.amend")]

    def test_plan_amends_local_modules_only(self):
        director = self.director(root=self.root)
        self.run_script("plan", cwd=self.root)
        self.assertEqual(self.amended(director),
                         [(["helper.py", "pkg/__init__.py", "pkg/mod.py", "pkg/sibling.py"], True, self.root)])
        (step,) = director.of_type("api.step")
        self.assertEqual(step["inp"], ["work.py"])

    def test_run_amends_late_imports_too(self):
        director = self.director(root=self.root)
        self.run_script("run", cwd=self.root)
        self.assertEqual(self.amended(director), [
            (["helper.py", "pkg/__init__.py", "pkg/mod.py", "pkg/sibling.py"], True, self.root),
            (["late.py"], True, self.root),
        ])
        self.assertTrue(os.path.isfile(os.path.join(self.root, "x.txt")))

    def test_external_sources(self):
        director = self.director(root=self.root)
        self.run_script("plan", cwd=self.root, extra_env={"STEPUP_EXTERNAL_SOURCES": self.ext + ":/nonexistent"})
        self.assertEqual(self.amended(director)[0][0],
                         ["helper.py", "pkg/__init__.py", "pkg/mod.py", "pkg/sibling.py",
                          os.path.join(self.ext, "extmod.py")])

    def test_external_sources_relative_to_root(self):
        director = self.director(root=self.root)
        self.run_script("plan", cwd=self.root, extra_env={"STEPUP_EXTERNAL_SOURCES": "../ext"})
        self.assertIn(os.path.join(self.ext, "extmod.py"), self.amended(director)[0][0])

    def test_paths_relative_to_cwd_of_a_script_in_a_subfolder(self):
        os.makedirs(os.path.join(self.root, "sub"))
        shutil.move(os.path.join(self.root, "work.py"), os.path.join(self.root, "sub", "work.py"))
        director = self.director(root=self.root)
        self.pythonpath += os.pathsep + self.root
        self.run_script("plan", script="work.py", cwd=os.path.join(self.root, "sub"))
        self.assertEqual(self.amended(director),
                         [(["../helper.py", "../pkg/__init__.py", "../pkg/mod.py", "../pkg/sibling.py"], True,
                           os.path.join(self.root, "sub"))])

    def test_missing_module_input_stops_plan_and_run(self):
        self.director(lambda request: {"type": "ok", "carryOn": request["type"] != "api.amend"}, root=self.root)
        plan = self.run_script("plan", cwd=self.root, check=False)
        self.assertNotEqual(plan.returncode, 0)
        self.assertIn("Dynamic inputs are not available yet.", plan.stderr)
        run = self.run_script("run", cwd=self.root, check=False)
        self.assertNotEqual(run.returncode, 0)
        self.assertFalse(os.path.exists(os.path.join(self.root, "x.txt")))

    def test_no_step_defined_when_module_input_is_missing(self):
        director = self.director(lambda request: {"type": "ok", "carryOn": request["type"] != "api.amend"},
                                 root=self.root)
        self.run_script("plan", cwd=self.root, check=False)
        self.assertEqual(director.of_type("api.step"), [])
