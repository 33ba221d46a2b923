"""StepInfo objects and step-info files."""

import json
import os

from fake_director import ClientTestCase

from stepup.core.stepinfo import StepInfo, dump_step_info, load_step_info


class StepInfoTests(ClientTestCase):
    def test_dict_round_trip(self):
        info = StepInfo("./w.py run", "sub", inp=["a", "b"], env="HOME", out="c", vol=[])
        data = info.to_dict()
        self.assertEqual(list(data), ["command", "workdir", "inp", "env", "out", "vol"])
        self.assertEqual(data, {"command": "./w.py run", "workdir": "sub", "inp": ["a", "b"], "env": ["HOME"],
                                "out": ["c"], "vol": []})
        self.assertEqual(StepInfo.from_dict(data), info)
        self.assertNotEqual(StepInfo("x"), info)
        self.assertIn("command='./w.py run'", repr(info))

    def test_workdir_style(self):
        # StepUp 4's: normalized, no trailing slash (get_info().workdir == "sub").
        self.assertEqual(StepInfo("x", "./").workdir, ".")
        self.assertEqual(StepInfo("x", "./a/../b/").workdir, "b")

    def test_filters(self):
        info = StepInfo("x", inp=["a.txt", "sub/b.txt", "c.md"], out=["o/1.npy", "o/2.npy", "o/x/3.npy"], vol=["log"])
        self.assertEqual(info.filter_inp("*.txt").files(), ["a.txt"])
        self.assertEqual(info.filter_inp("**/*.txt").files(), ["a.txt", "sub/b.txt"])
        self.assertEqual(info.filter_out("o/*.npy").files(), ["o/1.npy", "o/2.npy"])
        self.assertEqual(info.filter_vol("l?g").files(), ["log"])
        by_index = info.filter_out("o/${*i}.npy")
        self.assertEqual([(m.i, m.files) for m in by_index], [("1", "o/1.npy"), ("2", "o/2.npy")])

    def test_load_one_object_and_a_list(self):
        with open("one.json", "w") as stream:
            json.dump({"command": "c", "workdir": "./", "inp": ["i"], "env": [], "out": ["o"], "vol": []}, stream)
        one = load_step_info("one.json", do_amend=False)
        self.assertIsInstance(one, StepInfo)
        self.assertEqual(one.inp, ["i"])
        dump_step_info("list.json", [one, StepInfo("d")])
        both = load_step_info("list.json", do_amend=False)
        self.assertEqual(both, [one, StepInfo("d")])

    def test_workdir_is_relative_to_the_file(self):
        os.makedirs("info")
        dump_step_info("info/steps.json", [StepInfo("./w.py run", "./", inp=["w.py"])])
        with open("info/steps.json") as stream:
            self.assertEqual(json.load(stream)[0]["workdir"], "..")
        self.assertEqual(load_step_info("info/steps.json", do_amend=False)[0].workdir, ".")
        os.chdir("info")
        self.assertEqual(load_step_info("steps.json", do_amend=False)[0].workdir, "..")

    def test_load_amends_the_file(self):
        director = self.director()
        dump_step_info("s.json", StepInfo("c"))
        self.assertEqual(load_step_info("s.json"), StepInfo("c"))
        self.assertEqual([r["inp"] for r in director.of_type("api.amend")], [["s.json"]])
