"""The requests that stepup.core.api sends to the director."""

import os
import pathlib

from fake_director import ClientTestCase

from stepup.core import api, interact


class StaticTests(ClientTestCase):
    def test_paths_strings_pathlike_and_iterables(self):
        director = self.director()
        result = api.static("a.txt", pathlib.Path("b.txt"), ["c.txt", ("d/",)], (p for p in ["e.txt"]))
        self.assertEqual(
            director.of_type("api.static"),
            [{"type": "api.static", "cwd": self.tmp, "paths": ["a.txt", "b.txt", "c.txt", "d/", "e.txt"]}],
        )
        self.assertEqual(result, ["a.txt", "b.txt", "c.txt", "d/", "e.txt"])

    def test_answer_paths_are_returned(self):
        self.director(lambda request: {"type": "ok", "paths": ["sub/a.txt"]})
        self.assertEqual(api.static("a.txt"), ["sub/a.txt"])

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
        self.assertEqual(info.workdir, "deeper/")

    def test_empty_command_is_refused(self):
        with self.assertRaises(ValueError):
            api.step("  ")

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
        (request,) = director.of_type("api.step")
        self.assertEqual(request["command"], "cp -p ${inp} ${out}")
        self.assertEqual(request["inp"], ["a/b.txt"])
        self.assertEqual(request["out"], ["out/b.txt"])


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
        api._amend(inp=["helper.py"], implicit_static=True)
        self.assertIs(director.requests[0]["implicitStatic"], True)


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
        os.environ["MULTI"] = "a:b/../c:"
        self.assertEqual(api.getenv("MULTI", multi=True), ["a", "b/../c"])
        self.assertEqual(api.getenv("MULTI", multi=True, path=True), ["a", "c"])
        self.assertEqual(api.getenv("UNSET_MULTI", multi=True), [])
        os.mkdir(os.path.join(self.tmp, "sub"))
        os.chdir(os.path.join(self.tmp, "sub"))
        os.environ["DATA"] = "data/x.txt"
        self.assertEqual(api.getenv("DATA", back=True), os.path.join("..", "data", "x.txt"))


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
        self.assertEqual(info.workdir, "./")
        self.assertEqual(info.inp, ["a"])
        self.assertEqual(info.out, ["b"])
        self.assertIs(api.get_info, api.getinfo)

    def test_getinfo_workdir_relative_to_cwd(self):
        os.mkdir(os.path.join(self.tmp, "sub"))
        os.chdir(os.path.join(self.tmp, "sub"))
        self.director(lambda request: {"type": "ok", "command": "./x", "workdir": "sub/", "inp": ["x"],
                                       "out": [], "vol": [], "env": ["E"]})
        info = api.getinfo()
        self.assertEqual(info.workdir, "./")
        self.assertEqual(info.env, ["E"])


class GlobTests(ClientTestCase):
    def setUp(self):
        super().setUp()
        for path in ["a.txt", "b.txt", "c.md", "sub/d.txt", "sub/deep/e.txt"]:
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            with open(path, "w") as stream:
                stream.write(path)

    def test_sorted_matches_and_no_request(self):
        director = self.director()
        matches = api.glob("*.txt")
        self.assertEqual(list(matches), ["a.txt", "b.txt"])
        self.assertEqual(matches.files(), ["a.txt", "b.txt"])
        self.assertEqual(api.glob("**/*.txt"), ["a.txt", "b.txt", "sub/d.txt", "sub/deep/e.txt"])
        self.assertEqual(api.glob("*.md", "*.txt"), ["a.txt", "b.txt", "c.md"])
        self.assertEqual(api.glob("s*"), ["sub/"])
        self.assertEqual(api.glob("*.md").single(), "c.md")
        self.assertFalse(api.glob("*.nothing"))
        self.assertEqual(director.requests, [])

    def test_named_wildcards_and_required(self):
        self.assertEqual(api.glob("${*name}.txt", name="[ab]"), ["a.txt", "b.txt"])
        self.assertEqual(api.glob("sub/${*x}.txt"), ["sub/d.txt"])
        with self.assertRaises(api.StepUpError):
            api.glob("*.nothing", _required=True)

    def test_static_of_glob(self):
        director = self.director()
        api.static(api.glob("*.txt"))
        self.assertEqual(director.requests[0]["paths"], ["a.txt", "b.txt"])
