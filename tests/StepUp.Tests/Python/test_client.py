"""The wire protocol: framing, protocol and token fields, errors, and the dry run without a director."""

import contextlib
import io
import json
import os
import struct
import unittest

from fake_director import TOKEN, ClientTestCase

from stepup.core import _client, api


def touch(*paths):
    for path in paths:
        with open(path, "w"):
            pass


class FramingTests(ClientTestCase):
    def setUp(self):
        super().setUp()
        touch("a.txt", *("f%d.txt" % i for i in range(5)))

    def test_frame_is_little_endian_length_then_utf8_json(self):
        director = self.director()
        api.step("echo \u00e9t\u00e9 > ${out}", out="caf\u00e9.txt")
        frame = director.frames[0]
        (size,) = struct.unpack("<I", frame[:4])
        self.assertEqual(size, len(frame) - 4)
        request = json.loads(frame[4:].decode("utf-8"))
        self.assertEqual(request["command"], "echo \u00e9t\u00e9 > ${out}")
        self.assertEqual(request["out"], ["caf\u00e9.txt"])

    def test_every_request_has_protocol_and_token(self):
        director = self.director()
        api.static("a.txt")
        api.amend(env="HOME")
        api.getinfo()
        self.assertEqual(len(director.requests), 3)
        for request in director.requests:
            self.assertEqual(request["protocol"], 1)
            self.assertEqual(request["token"], TOKEN)

    def test_one_connection_per_request(self):
        director = self.director()
        for i in range(5):
            api.static("f%d.txt" % i)
        self.assertEqual([r["paths"] for r in director.requests], [["f%d.txt" % i] for i in range(5)])

    def test_large_answer_is_read_completely(self):
        big = ["file%06d.txt" % i for i in range(40000)]
        self.director(lambda request: {"type": "ok", "files": big})
        self.assertEqual(api.graph("x"), big)

    def test_error_answer_raises_stepup_error_with_message(self):
        self.director(lambda request: {"type": "error", "message": "Duplicate step name: story"})
        with self.assertRaises(api.StepUpError) as caught:
            api.step("true", name="story")
        self.assertEqual(str(caught.exception), "Duplicate step name: story")
        self.assertIsInstance(caught.exception, RuntimeError)

    def test_rejected_answer_raises(self):
        self.director(lambda request: {"type": "rejected", "reason": "protocol 1 is too old"})
        with self.assertRaises(api.StepUpError) as caught:
            api.static("a.txt")
        self.assertIn("protocol 1 is too old", str(caught.exception))

    def test_wrong_token_is_an_error(self):
        self.director()
        os.environ["STEPUP_STEP_TOKEN"] = "stale"
        with self.assertRaises(api.StepUpError) as caught:
            api.static("a.txt")
        self.assertIn("token", str(caught.exception))

    def test_unreachable_director_raises(self):
        os.environ["STEPUP_DIRECTOR_SOCKET"] = os.path.join(self.tmp, "no-such-socket")
        with self.assertRaises(api.StepUpError) as caught:
            api.static("a.txt")
        self.assertIn("Cannot reach the StepUp director", str(caught.exception))

    @unittest.skipUnless(os.path.isdir("/proc/self/fd"), "needs /proc/self/fd")
    def test_socket_path_longer_than_a_socket_address(self):
        folder = os.path.join(self.tmp, *(["a-rather-long-folder-name"] * 6))
        os.makedirs(folder)
        director = self.director(folder=folder)
        self.assertGreater(len(director.socket_path), 108)
        self.assertEqual(api.static("a.txt"), ["a.txt"])
        self.assertEqual(len(director.requests), 1)

    def test_call_needs_a_type(self):
        with self.assertRaises(ValueError):
            _client.call({"cwd": "/"})


class DryRunTests(ClientTestCase):
    def dry(self, function, *args, **kwargs):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            result = function(*args, **kwargs)
        lines = out.getvalue().splitlines()
        parsed = []
        for line in lines:
            self.assertTrue(line.startswith("stepup: would send "), line)
            kind, body = line[len("stepup: would send "):].split(" ", 1)
            parsed.append((kind, json.loads(body)))
        return result, parsed

    def test_not_connected(self):
        self.assertFalse(_client.connected())

    def test_step_prints_request_and_echoes(self):
        info, lines = self.dry(api.step, "grep First ${inp}", inp="story.txt", workdir="sub")
        self.assertEqual(len(lines), 1)
        kind, body = lines[0]
        self.assertEqual(kind, "api.step")
        self.assertEqual(body["command"], "grep First ${inp}")
        self.assertEqual(body["inp"], ["story.txt"])
        self.assertEqual(body["workdir"], "sub")
        self.assertEqual(body["cwd"], self.tmp)
        self.assertNotIn("token", body)
        self.assertNotIn("protocol", body)
        self.assertEqual(info.command, "grep First story.txt")
        self.assertEqual(info.inp, ["story.txt"])
        self.assertEqual(info.workdir, "sub")

    def test_amend_carries_on(self):
        result, lines = self.dry(api.amend, inp="missing.txt")
        self.assertIs(result, True)
        self.assertEqual(lines[0][0], "api.amend")
        self.assertEqual(lines[0][1]["inp"], ["missing.txt"])

    def test_info_is_empty(self):
        info, lines = self.dry(api.getinfo)
        self.assertEqual(lines, [("api.info", {})])
        self.assertEqual((info.inp, info.out, info.vol, info.env), ([], [], [], []))

    def test_script_static_graph(self):
        touch("a.txt", "b.txt")
        info, lines = self.dry(api.script, "work.py", step_info="w.json", optional=True)
        self.assertEqual(info.command, "./work.py plan --optional --step-info=w.json")
        self.assertIn("w.json", info.out)
        declared, _ = self.dry(api.static, "a.txt", ["b.txt"])
        self.assertEqual(declared, ["a.txt", "b.txt"])
        files, _ = self.dry(api.graph, "graph")
        self.assertEqual(files, ["graph.txt", "graph_provenance.dot", "graph_dependency.dot"])

    def test_empty_socket_variable_is_a_dry_run(self):
        os.environ["STEPUP_DIRECTOR_SOCKET"] = ""
        touch("a.txt")
        _, lines = self.dry(api.static, "a.txt")
        self.assertEqual(lines[0][0], "api.static")
