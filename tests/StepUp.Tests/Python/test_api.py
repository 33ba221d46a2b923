"""The requests that stepup.core.api sends to the director."""

import os
import pathlib

from fake_director import ClientTestCase

from stepup.core import _amend, api, interact


def touch(*paths):
    for path in paths:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "w") as stream:
            stream.write(path)


class StaticTests(ClientTestCase):
    def test_paths_strings_pathlike_and_iterables(self):
        touch("a.txt", "b.txt", "c.txt", "d/x.txt", "e.txt")
        director = self.director()
        result = api.static("e.txt", pathlib.Path("b.txt"), ["c.txt", ("d/",)], (p for p in ["a.txt"]))
        self.assertEqual(
            director.of_type("api.static"),
            [{"type": "api.static", "cwd": self.tmp, "paths": ["d/", "a.txt", "b.txt", "c.txt", "e.txt"]}],
        )
        self.assertEqual(result, ["a.txt", "b.txt", "c.txt", "d/", "e.txt"])

    def test_a_folder_gets_a_trailing_slash(self):
        touch("data/x.txt")
        director = self.director()
        self.assertEqual(api.static("data"), ["data/"])
        self.assertEqual(director.requests[0]["paths"], ["data/"])

    def test_a_missing_path_is_an_error_and_sends_nothing(self):
        touch("a.txt")
        director = self.director()
        with self.assertRaises(api.PathError) as caught:
            api.static("a.txt", "nope.txt")
        self.assertEqual(str(caught.exception), "Path does not exist: nope.txt")
        self.assertEqual(director.requests, [])

    def test_pattern_declares_its_matches_and_registers(self):
        touch("src/a.txt", "src/b.txt", "src/c.md", "src/sub/d.txt")
        director = self.director()
        self.assertEqual(api.static("src/*.txt"), ["src/a.txt", "src/b.txt"])
        (request,) = director.of_type("api.static")
        self.assertEqual(request["paths"], ["src/a.txt", "src/b.txt"])
        self.assertEqual(request["patterns"], [{"pattern": "src/*.txt", "subs": {}, "paths": ["src/a.txt", "src/b.txt"]}])

    def test_pattern_without_matches_is_still_registered(self):
        director = self.director()
        self.assertEqual(api.static("raw/*.csv"), [])
        (request,) = director.of_type("api.static")
        self.assertEqual(request["paths"], [])
        self.assertEqual(request["patterns"], [{"pattern": "raw/*.csv", "subs": {}, "paths": []}])

    def test_folder_matches_are_folders(self):
        touch("runs/1/x", "runs/2/x", "runs/notes.txt")
        director = self.director()
        self.assertEqual(api.static("runs/*"), ["runs/1/", "runs/2/", "runs/notes.txt"])
        self.assertEqual(director.requests[0]["paths"], ["runs/1/", "runs/2/", "runs/notes.txt"])

    def test_recursive_pattern_in_the_middle_but_not_at_the_end(self):
        touch("a/x/y.txt", "a/z.txt")
        director = self.director()
        self.assertEqual(api.static("a/**/*.txt"), ["a/x/y.txt", "a/z.txt"])
        with self.assertRaises(api.PathError) as raised:
            api.static("a/**")
        # The message names the wildcard and points at a static folder instead, as StepUp's does.
        self.assertIn("recursive", str(raised.exception))
        self.assertIn("static('src/')", str(raised.exception))
        self.assertEqual(len(director.requests), 1)

    def test_named_glob_argument_is_not_registered_again(self):
        touch("a.txt", "b.txt")
        director = self.director()
        found = api.glob("${*name}.txt")
        self.assertEqual(api.static(found), ["a.txt", "b.txt"])
        (request,) = director.of_type("api.static")
        self.assertEqual(request["paths"], ["a.txt", "b.txt"])
        self.assertNotIn("patterns", request)

    def test_variables_in_paths_are_substituted_and_amended(self):
        touch("data/x.txt")
        director = self.director()
        os.environ["DATA_DIR"] = "data"
        self.assertEqual(api.static("${DATA_DIR}/x.txt"), ["data/x.txt"])
        self.assertEqual([r["type"] for r in director.requests], ["api.amend", "api.static"])
        self.assertEqual(director.requests[0]["env"], ["DATA_DIR"])
        with self.assertRaises(api.EnvVarError):
            api.static("${UNSET_VARIABLE_FOR_TEST}/x.txt")

    def test_nothing_declared_sends_nothing(self):
        director = self.director()
        self.assertEqual(api.static(), [])
        self.assertEqual(api.static([]), [])
        self.assertEqual(director.requests, [])

    def test_bad_argument(self):
        self.director()
        with self.assertRaises(TypeError):
            api.static(42)


class StepTests(ClientTestCase):
    def test_defaults(self):
        director = self.director()
        api.step("echo hi > ${out}", out="story.txt")
        self.assertEqual(
            director.of_type("api.step"),
            [
                {
                    "type": "api.step",
                    "cwd": self.tmp,
                    "command": "echo hi > ${out}",
                    "workdir": ".",
                    "inp": [],
                    "out": ["story.txt"],
                    "vol": [],
                    "env": [],
                    "optional": False,
                    "planning": False,
                }
            ],
        )

    def test_all_fields(self):
        director = self.director()
        info = api.step(
            "./x.sh ${inp}",
            inp=["a", pathlib.Path("b")],
            out="c",
            vol=["d"],
            env="HOME",
            workdir="sub",
            optional=True,
            planning=True,
            name="build-c",
            resources={"gpu": 1, "mem": 4},
        )
        (request,) = director.of_type("api.step")
        self.assertEqual(request["inp"], ["a", "b"])
        self.assertEqual(request["out"], ["c"])
        self.assertEqual(request["vol"], ["d"])
        self.assertEqual(request["env"], ["HOME"])
        self.assertEqual(request["workdir"], "sub")
        self.assertIs(request["optional"], True)
        self.assertIs(request["planning"], True)
        self.assertEqual(request["name"], "build-c")
        self.assertEqual(request["resources"], "gpu:1,mem:4")
        self.assertIsInstance(info, api.StepInfo)
        self.assertEqual(info.command, "./x.sh ${inp}")

    def test_resources_as_string(self):
        director = self.director()
        api.step("true", resources="gpu:1")
        self.assertEqual(director.requests[0]["resources"], "gpu:1")

    def test_answer_workdir_is_made_relative_to_cwd(self):
        os.mkdir(os.path.join(self.tmp, "sub"))
        os.chdir(os.path.join(self.tmp, "sub"))
        self.director(lambda request: {"type": "ok", "command": "true", "workdir": "sub/deeper/", "inp": [],
                                       "out": [], "vol": [], "env": []})
        info = api.step("true", workdir="deeper")
        self.assertEqual(info.workdir, "deeper")

    def test_empty_command_is_refused(self):
        with self.assertRaises(ValueError):
            api.step("  ")
        with self.assertRaises(api.StepUpError):
            api.step("")

    def test_shell_only_for_shell_syntax(self):
        director = self.director()
        plain = ["./work.py cached cached.txt", "cp -p a.txt b.txt", "sub/tool --n=3"]
        shell = ["echo hi > out.txt", "cat ${inp}", "grep 'a b' x", "cd sub", "A=1 ./x", "ls *.txt", "a && b",
                 "not-a-program-anywhere x"]
        for command in plain + shell:
            api.step(command)
        for request in director.of_type("api.step"):
            if request["command"] in plain:
                self.assertEqual((request["shell"], request["placeholders"]), (False, False), request["command"])
                self.assertEqual(request["argv"], request["command"].split())
            else:
                self.assertNotIn("shell", request, request["command"])
                self.assertNotIn("placeholders", request, request["command"])
        api.step("./run.sh", shell=True)
        api.step("echo $HOME", shell=False)
        forced_shell, forced_plain = director.of_type("api.step")[-2:]
        self.assertNotIn("shell", forced_shell)
        self.assertEqual(forced_plain["argv"], ["echo", "$HOME"])

    def test_stepup_4_keywords(self):
        director = self.director()
        api.step("./x.py ${inp}", inp="a", need=api.Need.PLAN, shell=False, env_overrides={"N": 4}, duration=2)
        (request,) = director.of_type("api.step")
        self.assertIs(request["planning"], True)
        self.assertIs(request["optional"], False)
        self.assertIs(request["shell"], False)
        self.assertEqual(request["argv"], ["./x.py", "${inp}"])
        self.assertIs(request["placeholders"], False)
        self.assertEqual(request["envOverrides"], {"N": "4"})
        self.assertEqual(request["duration"], 2.0)

    def test_need_optional_and_conflicts(self):
        director = self.director()
        api.step("true", need=api.Need.OPTIONAL)
        self.assertIs(director.requests[0]["optional"], True)
        with self.assertRaises(api.StepUpError):
            api.step("true", need=api.Need.DEFAULT, optional=True)
        with self.assertRaises(api.StepUpError):
            api.step("true", need=api.Need.TARGET)

    def test_bad_duration_resources_and_overrides(self):
        director = self.director()
        for duration in (-1, float("nan"), float("inf"), True, "1"):
            with self.assertRaises(api.StepUpError):
                api.step("true", duration=duration)
        with self.assertRaises(api.StepUpError):
            api.step("true", resources={"gpu": 0})
        with self.assertRaises(api.StepUpError):
            api.step("true", env="A", env_overrides={"A": "1"})
        with self.assertRaises(api.StepUpError):
            api.step("true", env_overrides={"HERE": "x"})
        self.assertEqual(director.requests, [])

    def test_folders_are_not_inputs_or_outputs(self):
        os.makedirs("sub/data")
        self.director()
        with self.assertRaises(api.PathError):
            api.step("true", inp="data", workdir="sub")
        with self.assertRaises(api.PathError):
            api.step("true", out="out/")

    def test_runsh_is_step(self):
        director = self.director()
        api.runsh("grep First ${inp}", inp="story.txt")
        api.step("grep First ${inp}", inp="story.txt")
        first, second = director.of_type("api.step")
        self.assertEqual(first, second)

    def test_runpy_adds_local_script(self):
        director = self.director()
        api.runpy("./gen.py --n 3 > ${out}", out="n.txt")
        api.runpy("python3 -c 'print(1)'")
        api.runpy("./gen.py again", inp=["gen.py", "x"])
        api.runpy("sub/tool.py", workdir="w")
        requests = director.of_type("api.step")
        self.assertEqual(requests[0]["inp"], ["gen.py"])
        self.assertEqual(requests[1]["inp"], [])
        self.assertEqual(requests[2]["inp"], ["gen.py", "x"])
        self.assertEqual(requests[3]["inp"], ["sub/tool.py"])
        self.assertEqual(requests[3]["workdir"], "w")

    def test_copy(self):
        director = self.director()
        api.copy("a/b.txt", "out/")
        api.copy("sub/my file.txt", "./")
        first, second = director.of_type("api.step")
        self.assertEqual(first["command"], "cp -p a/b.txt out/b.txt")
        self.assertEqual(first["argv"], ["cp", "-p", "a/b.txt", "out/b.txt"])
        self.assertIs(first["shell"], False)
        self.assertIs(first["placeholders"], False)
        self.assertEqual(first["inp"], ["a/b.txt"])
        self.assertEqual(first["out"], ["out/b.txt"])
        self.assertEqual(second["command"], "cp -p 'sub/my file.txt' 'my file.txt'")
        self.assertEqual(second["argv"], ["cp", "-p", "sub/my file.txt", "my file.txt"])
        with self.assertRaises(api.PathError):
            api.copy("a.txt", "./a.txt")


class ScriptTests(ClientTestCase):
    def test_defaults(self):
        director = self.director()
        api.script("generate.py")
        self.assertEqual(
            director.of_type("api.script"),
            [
                {
                    "type": "api.script",
                    "cwd": self.tmp,
                    "executable": "generate.py",
                    "workdir": ".",
                    "optional": False,
                    "inp": [],
                    "out": [],
                    "vol": [],
                    "env": [],
                }
            ],
        )

    def test_all_fields(self):
        director = self.director()
        api.script("generate.py", step_info="info.json", workdir="sub", optional=True, inp="cfg.json",
                   out="o", vol="v", env=["A", "B"], resources="cpu:2")
        (request,) = director.of_type("api.script")
        self.assertEqual(request["stepInfo"], "info.json")
        self.assertEqual(request["workdir"], "sub")
        self.assertIs(request["optional"], True)
        self.assertEqual(request["inp"], ["cfg.json"])
        self.assertEqual(request["out"], ["o"])
        self.assertEqual(request["vol"], ["v"])
        self.assertEqual(request["env"], ["A", "B"])
        self.assertEqual(request["resources"], "cpu:2")


class AmendTests(ClientTestCase):
    def test_request(self):
        director = self.director()
        self.assertIs(api.amend(inp="a.txt", out=["b.txt"], vol="c.log", env="HOME"), True)
        self.assertEqual(
            director.of_type("api.amend"),
            [
                {
                    "type": "api.amend",
                    "cwd": self.tmp,
                    "inp": ["a.txt"],
                    "out": ["b.txt"],
                    "vol": ["c.log"],
                    "env": ["HOME"],
                    "implicitStatic": False,
                }
            ],
        )

    def test_carry_on_false_raises_input_not_found(self):
        self.director(lambda request: {"type": "ok", "carryOn": False})
        with self.assertRaises(api.InputNotFoundError) as caught:
            api.amend(inp="later.txt")
        self.assertEqual(str(caught.exception), "Dynamic inputs are not available yet.")
        self.assertIsInstance(caught.exception, api.StepUpError)

    def test_empty_amend_sends_nothing(self):
        director = self.director()
        self.assertIs(api.amend(), True)
        self.assertEqual(director.requests, [])

    def test_amended_items_are_sent_once(self):
        director = self.director()
        api.amend(inp="a.txt", env="X")
        api.amend(inp=["./a.txt", "b.txt"], env=["X"])
        api.amend(inp="a.txt")
        requests = director.of_type("api.amend")
        self.assertEqual(len(requests), 2)
        self.assertEqual(requests[1]["inp"], ["b.txt"])
        self.assertEqual(requests[1]["env"], [])

    def test_refused_amend_is_sent_again(self):
        answers = iter([{"type": "ok", "carryOn": False}, {"type": "ok", "carryOn": True}])
        director = self.director(lambda request: next(answers))
        with self.assertRaises(api.InputNotFoundError):
            api.amend(inp="a.txt")
        api.amend(inp="a.txt")
        self.assertEqual(len(director.requests), 2)

    def test_implicit_static_flag_of_the_private_amend(self):
        director = self.director()
        _amend.send_amend(inp=["helper.py"], implicit_static=True)
        self.assertIs(director.requests[0]["implicitStatic"], True)

    def test_variables_in_paths(self):
        director = self.director()
        os.environ["OUT_DIR"] = "results"
        api.amend(out="${OUT_DIR}/x.txt")
        first, second = director.of_type("api.amend")
        self.assertEqual(first["env"], ["OUT_DIR"])
        self.assertEqual(second["out"], ["results/x.txt"])


class GetenvTests(ClientTestCase):
    def test_getenv_amends_the_variable(self):
        director = self.director()
        os.environ["MY_VAR"] = "value"
        self.assertEqual(api.getenv("MY_VAR"), "value")
        self.assertEqual(api.getenv("UNSET_VAR_FOR_TEST", "fallback"), "fallback")
        self.assertIsNone(api.getenv("UNSET_VAR_FOR_TEST_2"))
        self.assertEqual([r["env"] for r in director.of_type("api.amend")],
                         [["MY_VAR"], ["UNSET_VAR_FOR_TEST"], ["UNSET_VAR_FOR_TEST_2"]])

    def test_multi_path_back(self):
        self.director()
        os.environ["MULTI"] = "a: b/../c/ :"
        self.assertEqual(api.getenv("MULTI", multi=True), ["a", "c/"])
        self.assertEqual(api.getenv("UNSET_MULTI", multi=True), [])
        os.mkdir(os.path.join(self.tmp, "sub"))
        os.chdir(os.path.join(self.tmp, "sub"))
        os.environ["DATA"] = "data/x.txt"
        self.assertEqual(api.getenv("DATA", back=True), os.path.join("..", "data", "x.txt"))
        self.assertEqual(api.getenv("MULTI", back=True, multi=True), ["../a", "../c/"])

    def test_path_substitutes_once_and_amends_both_variables(self):
        director = self.director()
        os.environ["BASE"] = "/data"
        os.environ["INPUT"] = "${BASE}/./in.txt"
        self.assertEqual(api.getenv("INPUT", path=True), "/data/in.txt")
        self.assertEqual([r["env"] for r in director.of_type("api.amend")], [["INPUT"], ["BASE"]])

    def test_unset_path_without_default(self):
        self.director()
        with self.assertRaises(api.EnvVarError):
            api.getenv("UNSET_PATH_FOR_TEST", path=True)
        self.assertEqual(api.getenv("UNSET_PATH_FOR_TEST", "x/./y", path=True), "x/y")

    def test_reserved_variables_are_not_amended(self):
        director = self.director()
        os.environ["HERE"] = "sub"
        self.assertEqual(api.getenv("HERE"), "sub")
        self.assertEqual(director.requests, [])


class GraphAndInfoTests(ClientTestCase):
    def test_graph(self):
        director = self.director()
        files = api.graph("graph")
        self.assertEqual(director.of_type("api.graph"), [{"type": "api.graph", "cwd": self.tmp, "prefix": "graph"}])
        self.assertEqual(files, ["graph.txt", "graph_provenance.dot", "graph_dependency.dot"])

    def test_interact_graph_is_api_graph(self):
        self.assertIs(interact.graph, api.graph)

    def test_getinfo(self):
        director = self.director()
        info = api.getinfo()
        self.assertEqual(director.of_type("api.info"), [{"type": "api.info"}])
        self.assertEqual(info.command, "./me")
        self.assertEqual(info.workdir, ".")
        self.assertEqual(info.inp, ["a"])
        self.assertEqual(info.out, ["b"])
        self.assertIs(api.get_info, api.getinfo)

    def test_getinfo_as_stepup4_root_relative_workdir_sorted_lists(self):
        os.mkdir(os.path.join(self.tmp, "sub"))
        os.chdir(os.path.join(self.tmp, "sub"))
        self.director(lambda request: {"type": "ok", "command": "./x", "workdir": "sub/", "inp": ["x", "../a"],
                                       "out": ["o", "../b"], "vol": [], "env": ["F", "E"]})
        info = api.getinfo()
        self.assertEqual(info.workdir, "sub")
        self.assertEqual(info.inp, ["../a", "x"])
        self.assertEqual(info.out, ["../b", "o"])
        self.assertEqual(info.env, ["E", "F"])


class GlobTests(ClientTestCase):
    def setUp(self):
        super().setUp()
        touch("a.txt", "b.txt", "c.md", "sub/d.txt", "sub/deep/e.txt", ".hidden.txt")

    def test_sorted_matches_and_registration(self):
        director = self.director()
        matches = api.glob("*.txt")
        self.assertEqual(matches.files(), [".hidden.txt", "a.txt", "b.txt"])
        self.assertEqual(list(matches), [".hidden.txt", "a.txt", "b.txt"])
        self.assertEqual(api.glob("**/*.txt").files(),
                         [".hidden.txt", "a.txt", "b.txt", "sub/d.txt", "sub/deep/e.txt"])
        self.assertEqual(api.glob("s*").files(), ["sub/"])
        self.assertEqual(api.glob("*.md").single(), "c.md")
        self.assertFalse(api.glob("*.nothing"))
        self.assertEqual(
            director.of_type("api.glob")[0],
            {"type": "api.glob", "cwd": self.tmp, "pattern": "*.txt", "subs": {}, "paths": [".hidden.txt", "a.txt", "b.txt"]},
        )
        self.assertEqual([r["type"] for r in director.requests], ["api.glob"] * 5)

    def test_a_trailing_slash_matches_folders_only(self):
        self.director()
        touch("s.txt")
        self.assertEqual(api.glob("s*/").files(), ["sub/"])
        self.assertEqual(api.glob("s*").files(), ["s.txt", "sub/"])
        self.assertEqual(api.glob("sub/*/").files(), ["sub/deep/"])

    def test_named_wildcards(self):
        director = self.director()
        found = api.glob("${*name}.txt", name="[ab]")
        self.assertEqual([(m.name, m.files) for m in found], [("a", "a.txt"), ("b", "b.txt")])
        self.assertEqual(director.requests[0]["subs"], {"name": "[ab]"})
        self.assertEqual([m.x for m in api.glob("sub/${*x}.txt")], ["d"])

    def test_required(self):
        self.director()
        with self.assertRaises(api.StepUpError):
            api.glob("*.nothing", _required=True)

    def test_a_director_without_glob_registration(self):
        self.director(lambda request: {"type": "error", "message": "unknown call 'api.glob'"})
        self.assertEqual(api.glob("*.md").files(), ["c.md"])

    def test_other_errors_of_the_registration_are_raised(self):
        self.director(lambda request: {"type": "error", "message": "'a.txt' is an output of step 'x'"})
        with self.assertRaises(api.StepUpError):
            api.glob("*.txt")

    def test_static_of_glob(self):
        director = self.director()
        api.static(api.glob("*.txt"))
        self.assertEqual(director.of_type("api.static")[0]["paths"], [".hidden.txt", "a.txt", "b.txt"])
