"""The director's refusals as exceptions, and their short tracebacks (StepUp 4's behaviour)."""

from fake_director import ScriptTestCase

from stepup.core import api
from stepup.core.exceptions import CyclicError, StepUpError

CYCLE = {"type": "error", "message": "this step would close a dependency cycle: b -> a -> b.", "kind": "CyclicError"}

PLAN = """\
from stepup.core.api import copy

copy("a.txt", "b.txt")
copy("b.txt", "a.txt")
"""


class RefusalTests(ScriptTestCase):
    def test_the_kind_names_the_exception_class(self):
        self.director(lambda request: CYCLE)
        with self.assertRaises(CyclicError) as caught:
            api.copy("a.txt", "b.txt")
        self.assertIsInstance(caught.exception, CyclicError)
        self.assertIsInstance(caught.exception, StepUpError)
        self.assertEqual(str(caught.exception), CYCLE["message"])

    def test_an_unknown_kind_is_a_stepup_error(self):
        self.director(lambda request: dict(CYCLE, kind="NoSuchError"))
        with self.assertRaises(StepUpError) as caught:
            api.copy("a.txt", "b.txt")
        self.assertNotIsInstance(caught.exception, CyclicError)

    def test_the_traceback_shows_only_the_users_frames(self):
        director = self.director(lambda request: CYCLE)
        self.write("plan.py", PLAN)
        result = self.run_script(script="plan.py", extra_env=director.env(self.tmp), check=False)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("Shortened traceback", result.stderr)
        self.assertIn('File "./plan.py", line 3, in <module>', result.stderr)
        self.assertIn("stepup.core.exceptions.CyclicError: this step would close a dependency cycle", result.stderr)
        self.assertNotIn("stepup/core/", result.stderr)

    def test_stepup_debug_keeps_every_frame_and_says_where_it_was_raised(self):
        director = self.director(lambda request: CYCLE)
        self.write("plan.py", PLAN)
        env = dict(director.env(self.tmp), STEPUP_DEBUG="1")
        result = self.run_script(script="plan.py", extra_env=env, check=False)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertNotIn("Shortened traceback", result.stderr)
        self.assertIn("stepup/core/rpc.py", result.stderr)
        self.assertIn("An exception was raised in the server during the call api.step", result.stderr)
