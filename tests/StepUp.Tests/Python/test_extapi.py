"""stepup.core.extapi and the Python step launcher stepup.core.pyrun."""

import os
import subprocess
import sys

from fake_director import ScriptTestCase

from stepup.core import extapi


class FilterTests(ScriptTestCase):
    def setUp(self):
        super().setUp()
        for path in ("src/a.py", ".venv/lib/b.py", "venv2/c.py", "docs/d.py"):
            self.write(path, "")
        self.outside = os.path.normpath(self.write("../outside-%s.py" % os.path.basename(self.tmp), ""))
        self.addCleanup(os.remove, self.outside)

    def test_default_keeps_the_project_but_not_tool_folders(self):
        director = self.director()
        kept = extapi.filter_dependencies(["src/a.py", ".venv/lib/b.py", "venv2/c.py", "docs/d.py", self.outside])
        self.assertEqual(kept, {"src/a.py", "docs/d.py"})
        self.assertEqual(director.of_type("api.amend")[0]["env"], ["STEPUP_PATH_FILTER"])

    def test_first_matching_rule_decides(self):
        self.director()
        os.environ["STEPUP_PATH_FILTER"] = "-docs:+%s" % os.path.dirname(self.outside)
        kept = extapi.filter_dependencies(["src/a.py", "docs/d.py", self.outside])
        self.assertEqual(kept, {"src/a.py", os.path.relpath(self.outside)})

    def test_relative_to_the_working_directory(self):
        self.director()
        os.chdir("src")
        self.assertEqual(extapi.filter_dependencies(["a.py", "../docs/d.py"]), {"a.py", "../docs/d.py"})

    def test_bad_rule(self):
        self.director()
        os.environ["STEPUP_PATH_FILTER"] = "docs"
        with self.assertRaises(extapi.StepUpError):
            extapi.filter_dependencies(["src/a.py"])


class SubprocessRecordTests(ScriptTestCase):
    def test_run_subprocess_records_the_command(self):
        director = self.director()
        done = extapi.run_subprocess("GREETING=hi sh -c 'echo $GREETING; echo err >&2'")
        self.assertEqual(done.stdout, "hi\n")
        (record,) = director.of_type("api.record")
        self.assertEqual(record, {
            "type": "api.record", "cwd": self.tmp, "command": "sh -c 'echo $GREETING; echo err >&2'",
            "returncode": 0, "workdir": ".", "shell": False, "stdin": "", "stdout": "hi\n", "stderr": "err\n",
            "envOverrides": {"GREETING": "hi"},
        })

    def test_failure_is_recorded_before_it_is_raised(self):
        director = self.director()
        with self.assertRaises(subprocess.CalledProcessError):
            extapi.run_subprocess("exit 3", shell=True)
        self.assertEqual(director.of_type("api.record")[0]["returncode"], 3)
        self.assertEqual(extapi.run_subprocess("exit 4", shell=True, check=False).returncode, 4)

    def test_binary_streams_are_summarized(self):
        director = self.director()
        extapi.run_subprocess("cat", stdin=b"\x00\x01")
        record = director.of_type("api.record")[0]
        self.assertTrue(record["stdin"].startswith("<2 bytes of binary data, sha256="))
        self.assertEqual(record["stdin"], record["stdout"])
        with self.assertRaises(TypeError):
            extapi.run_subprocess("cat", stdin=b"x", text=True)

    def test_output_limit(self):
        director = self.director()
        os.environ["STEPUP_MAX_OUTPUT_SIZE"] = "4"
        extapi.record_subprocess("x", 0, stdout="abcdefgh")
        self.assertEqual(director.of_type("api.record")[0]["stdout"], "abcd\n[output truncated at 4 bytes]")

    def test_nothing_is_sent_outside_a_build(self):
        extapi.record_subprocess("x", 0, stdout="y")
        with self.assertRaises(TypeError):
            extapi.record_subprocess("x", 0, stdout=1)

    def test_a_director_without_records(self):
        self.director(lambda request: {"type": "error", "message": "unknown call 'api.record'"})
        extapi.record_subprocess("x", 0)


LAUNCHED = """#!/usr/bin/env python3
import sys
import helper
sys.path.append(__file__.rsplit("/", 1)[0] + "/lib")
import libmod
print("args", sys.argv)
print("main", __name__)
sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
"""


class LauncherTests(ScriptTestCase):
    def launch(self, *argv, check=True):
        result = subprocess.run([sys.executable, "-m", "stepup.core.pyrun"] + list(argv), cwd=self.tmp, env=self.env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
        if check and result.returncode != 0:
            self.fail("%s failed (%d):\n%s\n%s" % (argv, result.returncode, result.stdout, result.stderr))
        return result

    def setUp(self):
        super().setUp()
        self.write("sub/work.py", LAUNCHED, executable=True)
        self.write("sub/helper.py", "")
        self.write("sub/lib/libmod.py", "")

    def test_runs_the_script_as_main_and_amends_its_local_imports(self):
        director = self.director()
        result = self.launch("sub/work.py", "0", "x y")
        self.assertIn("args ['sub/work.py', '0', 'x y']", result.stdout)
        self.assertIn("main __main__", result.stdout)
        amends = director.of_type("api.amend")
        self.assertEqual(amends[0]["env"], ["STEPUP_PATH_FILTER"])
        self.assertEqual(amends[-1]["inp"], ["sub/helper.py", "sub/lib/libmod.py"])

    def test_exit_code_is_the_scripts_and_imports_are_amended_anyway(self):
        director = self.director()
        self.assertEqual(self.launch("sub/work.py", "3", check=False).returncode, 3)
        self.assertEqual(director.of_type("api.amend")[-1]["inp"], ["sub/helper.py", "sub/lib/libmod.py"])

    def test_script_that_raises(self):
        self.director()
        self.write("boom.py", "#!/usr/bin/env python3\nraise KeyError('boom')\n", executable=True)
        result = self.launch("boom.py", check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn("KeyError: 'boom'", result.stderr)

    def test_not_executable_or_wrong_shebang(self):
        self.director()
        self.write("plain.py", "#!/usr/bin/env python3\n")
        result = self.launch("plain.py", check=False)
        self.assertEqual((result.returncode, result.stderr), (1, "File is not executable: plain.py\n"))
        self.write("old.py", "#!/usr/bin/python\n", executable=True)
        result = self.launch("old.py", check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn("does not start with the expected shebang (#!/usr/bin/env python3): old.py", result.stderr)
        self.assertEqual(self.launch(check=False).returncode, 2)
