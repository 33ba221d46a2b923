"""StepUp Core 4's step-defining functions: the requests that run, plan, call, hold, loadns, dumpns
and shq send."""

import json
import os
import pathlib
import types
import unittest

from fake_director import ClientTestCase

from stepup.core import api


def write(path, text=""):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as stream:
        stream.write(text)


class RunTests(ClientTestCase):
    def test_no_shell_by_default(self):
        director = self.director()
        info = api.run("grep -c 'a b' data.txt", inp="data.txt")
        self.assertEqual(
            director.of_type("api.step"),
            [{
                "type": "api.step",
                "cwd": self.tmp,
                "command": "grep -c 'a b' data.txt",
                "workdir": ".",
                "inp": ["data.txt"],
                "out": [],
                "vol": [],
                "env": [],
                "optional": False,
                "planning": False,
                "shell": False,
                "argv": ["grep", "-c", "a b", "data.txt"],
                "placeholders": False,
            }],
        )
        self.assertEqual(info.command, "grep -c 'a b' data.txt")

    def test_leading_assignments_become_overrides(self):
        director = self.director()
        api.run("OMP_NUM_THREADS=4 GREETING='hello you' ./show.py --n 1")
        (request,) = director.of_type("api.step")
        self.assertEqual(request["command"], "./show.py --n 1")
        self.assertEqual(request["argv"], ["./show.py", "--n", "1"])
        self.assertEqual(request["envOverrides"], {"OMP_NUM_THREADS": "4", "GREETING": "hello you"})

    def test_an_assignment_after_the_program_is_an_argument(self):
        director = self.director()
        api.run("make X=1")
        (request,) = director.of_type("api.step")
        self.assertEqual(request["argv"], ["make", "X=1"])
        self.assertNotIn("envOverrides", request)

    def test_override_of_a_dependency_or_reserved_variable(self):
        director = self.director()
        with self.assertRaises(api.StepUpError):
            api.run("X=1 ./a.sh", env="X")
        with self.assertRaises(api.StepUpError):
            api.run("STEPUP_STEP_TOKEN=x ./a.sh")
        self.assertEqual(director.requests, [])

    def test_local_executable_is_an_input(self):
        director = self.director()
        api.run("./work.py run", inp="data.txt")
        api.run("sub/tool --x", workdir="w")
        api.run("/usr/bin/env true")
        api.run("echo hi")
        api.run("./gen.py", inp=["gen.py", "x"])
        requests = director.of_type("api.step")
        self.assertEqual(requests[0]["inp"], ["./work.py", "data.txt"])
        self.assertEqual(requests[1]["inp"], ["sub/tool"])
        self.assertEqual(requests[1]["workdir"], "w")
        self.assertEqual(requests[2]["inp"], [])
        self.assertEqual(requests[3]["inp"], [])
        self.assertEqual(requests[4]["inp"], ["./gen.py", "x"])

    def test_shell(self):
        director = self.director()
        api.run("X=1 ./a.sh > out.txt", shell=True, out="out.txt")
        (request,) = director.of_type("api.step")
        self.assertEqual(request["command"], "X=1 ./a.sh > out.txt")
        self.assertNotIn("shell", request)
        self.assertNotIn("argv", request)
        self.assertNotIn("envOverrides", request)
        self.assertIs(request["placeholders"], False)
        self.assertEqual(request["inp"], ["./a.sh"])

    def test_callable_command_gets_the_paths(self):
        director = self.director()
        os.environ["N"] = "7"
        api.run(lambda inp, out: "./gen.py %s %s" % (api.shq(inp), api.shq(out)), inp="in ${N}.txt", out=["a.txt"])
        (request,) = director.of_type("api.step")
        self.assertEqual(request["command"], "./gen.py 'in 7.txt' a.txt")
        self.assertEqual(request["inp"], ["./gen.py", "in 7.txt"])
        with self.assertRaises(api.StepUpError):
            api.run(lambda src: "x", inp="a")

    def test_optional_resources_duration(self):
        director = self.director()
        api.run("./slow.sh", optional=True, resources="gpu:1", duration=5)
        (request,) = director.of_type("api.step")
        self.assertIs(request["optional"], True)
        self.assertEqual(request["resources"], "gpu:1")
        self.assertEqual(request["duration"], 5.0)

    def test_unbalanced_quotes(self):
        self.director()
        with self.assertRaises(api.StepUpError):
            api.run("echo 'oops")
        with self.assertRaises(api.StepUpError):
            api.run("A=1")


class PlanTests(ClientTestCase):
    def test_planning_step_without_shell(self):
        director = self.director()
        api.plan("./plan.py", workdir="sub")
        (request,) = director.of_type("api.step")
        self.assertEqual(request["command"], "./plan.py")
        self.assertEqual(request["workdir"], "sub")
        self.assertEqual(request["inp"], ["./plan.py"])
        self.assertIs(request["planning"], True)
        self.assertIs(request["optional"], False)
        self.assertEqual(request["argv"], ["./plan.py"])

    def test_needs_a_local_executable(self):
        self.director()
        for command in ("plan.py", "/abs/plan.py", "python3 plan.py"):
            with self.assertRaises(api.PathError):
                api.plan(command)

    def test_overrides(self):
        director = self.director()
        api.plan("MODE=fast ./plan.py")
        self.assertEqual(director.requests[0]["envOverrides"], {"MODE": "fast"})

    def test_warning_when_a_non_planning_step_plans(self):
        import contextlib
        import io

        self.director()
        os.environ["STEPUP_STEP_NEED"] = "DEFAULT"
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            api.plan("./plan.py")
        self.assertIn("WARNING: planning step './plan.py' is registered from a non-planning step", err.getvalue())
        os.environ["STEPUP_STEP_NEED"] = "PLAN"
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            api.plan("./plan.py", workdir="other")
        self.assertEqual(err.getvalue(), "")


class CallTests(ClientTestCase):
    def test_minimal(self):
        director = self.director()
        api.call("./work.py", "run", inp=["data.txt"], out=["result.txt"])
        (request,) = director.of_type("api.step")
        self.assertEqual(request["command"], """./work.py run '{"inp": ["data.txt"], "out": ["result.txt"]}'""")
        self.assertEqual(request["argv"], ["./work.py", "run", '{"inp": ["data.txt"], "out": ["result.txt"]}'])
        self.assertEqual(request["inp"], ["./work.py", "data.txt"])
        self.assertEqual(request["out"], ["result.txt"])
        self.assertIs(request["shell"], False)
        self.assertIs(request["planning"], False)

    def test_kwargs_come_first_and_are_made_plain(self):
        director = self.director()
        api.call("./work.py", "run", inp="data.txt", prefix=">>", path=pathlib.Path("a/b"), pair=(1, 2),
                 tags={"b", "a"}, ns=types.SimpleNamespace(x=1))
        (request,) = director.of_type("api.step")
        data = json.loads(request["argv"][2])
        self.assertEqual(list(data), ["prefix", "path", "pair", "tags", "ns", "inp"])
        self.assertEqual(data, {"prefix": ">>", "path": "a/b", "pair": [1, 2], "tags": ["a", "b"], "ns": {"x": 1},
                                "inp": ["data.txt"]})

    def test_planning_without_arguments(self):
        director = self.director()
        api.call("./work.py", "plan", planning=True)
        (request,) = director.of_type("api.step")
        self.assertEqual(request["command"], "./work.py plan '{}'")
        self.assertIs(request["planning"], True)

    def test_options_of_the_step(self):
        director = self.director()
        api.call("./work.py", "run", workdir="sub", vol="log.txt", env="SEED", optional=True, resources={"cpu": 2},
                 duration=3)
        (request,) = director.of_type("api.step")
        self.assertEqual(request["workdir"], "sub")
        self.assertEqual(request["vol"], ["log.txt"])
        self.assertEqual(request["env"], ["SEED"])
        self.assertIs(request["optional"], True)
        self.assertEqual(request["resources"], "cpu:2")
        self.assertEqual(request["duration"], 3.0)

    def test_executable_and_function_are_checked(self):
        director = self.director()
        for executable in ("work.py", "/abs/work.py", "sub/../work.py"):
            with self.assertRaises(api.PathError):
                api.call(executable, "run")
        for function in ("class", "1run", "run it", "run;rm"):
            with self.assertRaises(api.StepUpError):
                api.call("./work.py", function)
        with self.assertRaises(api.StepUpError):
            api.call("./work.py", "run", optional=True, planning=True)
        self.assertEqual(director.requests, [])

    def test_too_large_for_the_command(self):
        self.director()
        with self.assertRaises(api.StepUpError) as caught:
            api.call("./work.py", "run", data="x" * (129 * 1024))
        self.assertIn("args_file", str(caught.exception))

    def test_unserializable_argument(self):
        self.director()
        with self.assertRaises(api.StepUpError):
            api.call("./work.py", "run", thing=object())

    def test_args_file(self):
        director = self.director()
        api.call("./work.py", "run", inp=["data.txt"], out=["result.txt"], args_file="args.json", n=3)
        amend, step = director.requests
        self.assertEqual(amend["type"], "api.amend")
        self.assertEqual(amend["out"], ["args.json"])
        self.assertEqual(step["command"], "./work.py run --inp=args.json")
        self.assertEqual(step["inp"], ["./work.py", "data.txt", "args.json"])
        with open("args.json") as stream:
            self.assertEqual(json.load(stream), {"n": 3, "inp": ["data.txt"], "out": ["result.txt"]})

    def test_args_file_in_the_workdir(self):
        os.mkdir("sub")
        director = self.director()
        api.call("./work.py", "run", workdir="sub", args_file="my args.json")
        self.assertTrue(os.path.isfile("sub/my args.json"))
        step = director.of_type("api.step")[0]
        self.assertEqual(step["command"], "./work.py run '--inp=my args.json'")

    def test_args_file_of_an_unknown_format(self):
        director = self.director()
        with self.assertRaises(api.StepUpError):
            api.call("./work.py", "run", args_file="args.dat")
        self.assertEqual(director.of_type("api.step"), [])

    def test_yaml_args_file_without_a_yaml_parser(self):
        try:
            import yaml  # noqa: F401
        except ImportError:
            pass
        else:
            self.skipTest("a YAML parser is importable here")
        self.director()
        with self.assertRaises(api.StepUpError) as caught:
            api.call("./work.py", "run", args_file="args.yaml")
        self.assertIn("needs a YAML parser", str(caught.exception))


class HoldTests(ClientTestCase):
    def test_hold_and_release_around_the_block(self):
        director = self.director()
        with api.hold():
            api.run("./a.sh")
            with api.hold():
                api.run("./b.sh")
        self.assertEqual([r["type"] for r in director.requests],
                         ["api.hold", "api.step", "api.hold", "api.step", "api.release", "api.release"])

    def test_no_amended_inputs_while_holding(self):
        director = self.director()
        with api.hold():
            api.amend(env="X", out="o.txt")
            with self.assertRaises(api.AmendWhileHoldingError):
                api.amend(inp="i.txt")
        api.amend(inp="i.txt")
        self.assertEqual([r["type"] for r in director.requests],
                         ["api.hold", "api.amend", "api.release", "api.amend"])

    def test_release_after_an_error_in_the_block(self):
        director = self.director()
        with self.assertRaises(KeyError):
            with api.hold():
                raise KeyError("inside")
        self.assertEqual([r["type"] for r in director.requests], ["api.hold", "api.release"])
        api.amend(inp="i.txt")

    def test_a_director_without_hold(self):
        director = self.director(lambda request: {"type": "error", "message": "unknown call '%s'" % request["type"]})
        with api.hold():
            pass
        self.assertEqual(len(director.requests), 2)


class LoadDumpTests(ClientTestCase):
    def test_loadns_merges_and_amends(self):
        director = self.director()
        write("a.json", '{"x": 1, "y": [1, 2]}')
        write("b.toml", 'y = "two"\n[section]\nz = true\n')
        ns = api.loadns("a.json", "b.toml")
        self.assertEqual(vars(ns), {"x": 1, "y": "two", "section": {"z": True}})
        self.assertEqual(director.of_type("api.amend")[0]["inp"], ["a.json", "b.toml"])

    def test_loadns_python_file(self):
        self.director()
        write("conf/vars.py", "import pathlib\nN = 3\n_hidden = 1\nDATA = pathlib.Path('conf/data.txt')\n"
                              "with open('marker') as stream:\n    HERE = stream.read()\n")
        write("conf/marker", "in conf")
        ns = api.loadns("conf/vars.py", dir_out="conf", do_amend=False)
        self.assertEqual(ns.N, 3)
        self.assertFalse(hasattr(ns, "_hidden"))
        self.assertEqual(ns.DATA, pathlib.Path("data.txt"))
        self.assertEqual(ns.HERE, "in conf")
        self.assertFalse(hasattr(ns, "pathlib"))

    def test_loadns_unknown_format(self):
        self.director()
        write("a.ini", "")
        with self.assertRaises(api.StepUpError):
            api.loadns("a.ini")

    def test_dumpns_amends_then_writes(self):
        director = self.director()
        api.dumpns("out/vars.json", types.SimpleNamespace(n=1, p=pathlib.Path("x")))
        self.assertEqual(director.requests[0]["out"], ["out/vars.json"])
        with open("out/vars.json") as stream:
            self.assertEqual(json.load(stream), {"n": 1, "p": "x"})

    def test_dumpns_round_trip(self):
        self.director()
        api.dumpns("vars.json", {"n": 1, "names": ("a", "b")})
        with open("vars.json") as stream:
            self.assertEqual(stream.read(), '{\n  "n": 1,\n  "names": [\n    "a",\n    "b"\n  ]\n}\n')
        self.assertEqual(vars(api.loadns("vars.json")), {"n": 1, "names": ["a", "b"]})
        with self.assertRaises(api.StepUpError):
            api.dumpns("vars.txt", {})


class ShqAndJobTests(ClientTestCase):
    def test_shq_quotes_and_substitutes(self):
        director = self.director()
        os.environ["D"] = "my dir"
        self.assertEqual(api.shq(["a.txt", "${D}/b.txt", "it's"]), """a.txt 'my dir/b.txt' 'it'"'"'s'""")
        self.assertEqual(api.shq("one"), "one")
        self.assertEqual(director.requests[0]["env"], ["D"])

    def test_job_number(self):
        self.assertEqual(api.get_job_i(), -1)
        os.environ["STEPUP_JOB_I"] = "12"
        self.assertEqual(api.get_job_i(), 12)

    def test_dollar_dollar_and_bad_names(self):
        self.director()
        self.assertEqual(api.shq("price$$.txt"), "'price$.txt'")
        with self.assertRaises(api.EnvVarError):
            api.shq("a$.txt")


if __name__ == "__main__":
    unittest.main()


class RenderJinjaTests(ClientTestCase):
    def test_the_step_runs_sc_render_jinja_on_the_template_and_variable_files(self):
        director = self.director()
        os.makedirs("public")
        api.render_jinja("template.md", "vars.py", {"title": "T"}, "public/")
        [request] = director.of_type("api.step")
        self.assertEqual(request["argv"], ["sc-render-jinja", "template.md", "vars.py", "public/template.md",
                                           '--json={"title": "T"}'])
        self.assertEqual(request["inp"], ["template.md", "vars.py"])
        self.assertEqual(request["out"], ["public/template.md"])

    def test_variables_are_required(self):
        self.director()
        with self.assertRaises(api.StepUpError):
            api.render_jinja("template.md", {}, "out.md")
        with self.assertRaises(TypeError):
            api.render_jinja("template.md", "out.md")

    def test_the_command_renders_with_files_then_json_and_keeps_the_mode(self):
        try:
            import jinja2  # noqa: F401
        except ImportError:
            self.skipTest("Jinja2 is not installed")
        self.director()
        from stepup.core import render_jinja
        write("t.tex", "<< a >>-<< b >>\n")
        os.chmod("t.tex", 0o750)
        write("v.json", '{"a": 1, "b": 2}')
        render_jinja.main(["t.tex", "v.json", "t.out.tex", '--json={"b": 3}'])
        with open("t.out.tex") as stream:
            self.assertEqual(stream.read(), "1-3\n")
        self.assertEqual(os.stat("t.out.tex").st_mode & 0o777, 0o750)


class PathObjectTests(ClientTestCase):
    def test_glob_and_static_hand_out_path_objects_like_stepup_4(self):
        try:
            import path
        except ImportError:
            self.skipTest("the path package is not installed")
        self.director()
        write("inp1.txt")
        found = api.glob("inp*.txt")
        self.assertIsInstance(found.files()[0], path.Path)
        self.assertEqual(found.files()[0].stem, "inp1")
        [declared] = api.static("inp*.txt")
        self.assertEqual(declared.name, "inp1.txt")

    def test_loadns_makes_path_objects_of_a_python_file_relative_to_dir_out(self):
        # render_jinja's pattern: a variables file with getenv(back=True) paths, rendered into another folder.
        try:
            import path
        except ImportError:
            self.skipTest("the path package is not installed")
        self.director()
        write("vars.py", "from path import Path\nPUBLIC = Path('public/')\nTITLE = 'plain text'\n")
        ns = api.loadns("vars.py", dir_out="static", do_amend=False)
        self.assertIsInstance(ns.PUBLIC, path.Path)
        self.assertEqual(ns.PUBLIC, "../public")
        self.assertEqual(ns.PUBLIC / "a.tex", "../public/a.tex")
        self.assertEqual(ns.TITLE, "plain text")

    def test_getenv_back_is_relative_to_here_also_in_a_variables_file_of_another_folder(self):
        # render_jinja_relpath: ../variables.py runs in the root, for a step that works in static/.
        # Without the path package, getenv returns a plain str, which loadns leaves as it is (as StepUp 4 does).
        try:
            import path  # noqa: F401
        except ImportError:
            self.skipTest("the path package is not installed")
        self.director(root=self.tmp)
        write("variables.py", "from stepup.core.api import getenv\nPUBLIC = getenv('PUBLIC', back=True)\n")
        os.makedirs("static")
        os.chdir("static")
        os.environ.update({"HERE": "static", "PUBLIC": "public/"})
        self.assertEqual(api.getenv("PUBLIC", back=True), "../public/")
        ns = api.loadns("../variables.py", dir_out="../public", do_amend=False)
        self.assertEqual(os.path.normpath(ns.PUBLIC), ".")
