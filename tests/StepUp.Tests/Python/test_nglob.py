"""Named glob patterns (stepup.core.nglob): what matches, how matches are grouped."""

import os
import unittest

from fake_director import ClientTestCase

from stepup.core.nglob import NamedGlob, NamedGlobMatch, has_any_wildcards, has_trailing_recursive_wildcard


def touch(*paths):
    for path in paths:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        open(path, "w").close()


def matched(pattern, paths, **subs):
    return NamedGlob(pattern, subs).extend(paths).files()


class PatternTests(unittest.TestCase):
    def test_star_and_question_mark_stay_in_one_component(self):
        paths = ["a.txt", "ab.txt", "sub/a.txt", ".txt"]
        self.assertEqual(matched("*.txt", paths), [".txt", "a.txt", "ab.txt"])
        self.assertEqual(matched("?.txt", paths), ["a.txt"])
        self.assertEqual(matched("*/a.txt", paths), ["sub/a.txt"])

    def test_recursive_component(self):
        paths = ["a.txt", "x/a.txt", "x/y/a.txt", "xa.txt", "x/y/"]
        self.assertEqual(matched("**/a.txt", paths), ["a.txt", "x/a.txt", "x/y/a.txt"])
        self.assertEqual(matched("x/**/a.txt", paths), ["x/a.txt", "x/y/a.txt"])
        self.assertEqual(matched("x/**", paths), ["x/a.txt", "x/y/", "x/y/a.txt"])
        # Not a whole component: an ordinary star.
        self.assertEqual(matched("x**.txt", paths), ["xa.txt"])

    def test_character_classes(self):
        paths = ["f1", "f2", "fa", "f]", "f-"]
        self.assertEqual(matched("f[0-9]", paths), ["f1", "f2"])
        self.assertEqual(matched("f[!0-9]", paths), ["f-", "f]", "fa"])
        self.assertEqual(matched("f[]a]", paths), ["f]", "fa"])

    def test_regex_characters_are_literal(self):
        self.assertEqual(matched("a+b(1).txt", ["a+b(1).txt", "aab1.txt"]), ["a+b(1).txt"])

    def test_a_folder_matches_without_its_slash(self):
        self.assertEqual(matched("data/*", ["data/", "data/x/", "data/y.txt"]), ["data/x/", "data/y.txt"])
        self.assertEqual(matched("data/${*d}", ["data/", "data/x/"]), ["data/x/"])

    def test_a_pattern_ending_in_a_slash_matches_folders_only(self):
        # static("data/*/"): every folder under data/ becomes a static folder, no file does.
        self.assertEqual(matched("data/*/", ["data/", "data/x/", "data/y.txt", "data/z/w.txt"]), ["data/x/"])
        self.assertEqual(matched("${*d}/", ["a/", "b.txt"]), ["a/"])

    def test_wildcard_detection(self):
        for pattern in ("*.txt", "a?", "[ab]", "x/**/y", "${*n}.md"):
            self.assertTrue(has_any_wildcards(pattern), pattern)
        self.assertFalse(has_any_wildcards("plain/path.txt"))
        self.assertFalse(has_any_wildcards("${HOME}/x"))
        self.assertTrue(has_trailing_recursive_wildcard("src/**"))
        self.assertTrue(has_trailing_recursive_wildcard("**"))
        self.assertFalse(has_trailing_recursive_wildcard("src/**/x"))

    def test_bad_patterns(self):
        with self.assertRaises(ValueError):
            NamedGlob("${*}.txt")
        with self.assertRaises(ValueError):
            NamedGlob("")
        with self.assertRaises(ValueError):
            NamedGlob("${*a}.txt", {"b": "*"})
        with self.assertRaises(ValueError):
            NamedGlob("${*a}.txt", {"a": "${*b}"})


class NamedWildcardTests(unittest.TestCase):
    def test_groups_by_the_captured_text(self):
        ng = NamedGlob("out_${*idx}.txt", {"idx": "[0-9][0-9]"}).extend(["out_01.txt", "out_1.txt", "out_22.txt"])
        self.assertEqual(ng.results, {("01",): {"out_01.txt"}, ("22",): {"out_22.txt"}})
        self.assertEqual(list(ng), [NamedGlobMatch({"idx": "01"}, "out_01.txt"), NamedGlobMatch({"idx": "22"}, "out_22.txt")])
        first = next(iter(ng))
        self.assertEqual(first.idx, "01")
        self.assertEqual(first.mapping, {"idx": "01"})
        self.assertEqual(first.single, "out_01.txt")
        with self.assertRaises(AttributeError):
            first.nope

    def test_repeated_name_matches_the_same_text(self):
        paths = ["a/a.md", "a/b.md", "bb/bb.md"]
        self.assertEqual(matched("${*x}/${*x}.md", paths), ["a/a.md", "bb/bb.md"])

    def test_anonymous_wildcards_make_lists(self):
        ng = NamedGlob("${*kind}/*.csv").extend(["raw/b.csv", "raw/a.csv", "clean/c.csv"])
        self.assertEqual([(m.kind, m.files) for m in ng.matches()], [("clean", ["clean/c.csv"]), ("raw", ["raw/a.csv", "raw/b.csv"])])
        with self.assertRaises(ValueError):
            [m for m in ng.matches() if m.kind == "raw"][0].single

    def test_several_names_in_alphabetical_key_order(self):
        ng = NamedGlob("${*b}-${*a}.txt").extend(["x-y.txt"])
        self.assertEqual(ng.results, {("y", "x"): {"x-y.txt"}})

    def test_sub_pattern_may_span_folders(self):
        self.assertEqual(matched("${*p}.py", ["a.py", "x/y/b.py"], p="**/*"), ["a.py", "x/y/b.py"])

    def test_single_and_truth(self):
        self.assertFalse(NamedGlob("*.x"))
        ng = NamedGlob("*.x").extend(["a.x"])
        self.assertTrue(ng)
        self.assertEqual(ng.single(), "a.x")
        with self.assertRaises(ValueError):
            NamedGlob("*.x").extend(["a.x", "b.x"]).single()


class DiskTests(ClientTestCase):
    def test_glob_finds_files_folders_and_hidden_files(self):
        touch("data/1.txt", "data/22.txt", "data/.h.txt", "data/sub/3.txt")
        ng = NamedGlob("data/${*n}.txt").glob()
        self.assertEqual(ng.files(), ["data/.h.txt", "data/1.txt", "data/22.txt"])
        self.assertEqual(NamedGlob("data/*").glob().files(), ["data/.h.txt", "data/1.txt", "data/22.txt", "data/sub/"])
        self.assertEqual(NamedGlob("data/${*n}.txt", {"n": "[0-9]"}).glob().files(), ["data/1.txt"])
        self.assertEqual(NamedGlob("**/3.txt").glob().files(), ["data/sub/3.txt"])


if __name__ == "__main__":
    unittest.main()
