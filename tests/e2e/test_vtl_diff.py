"""The template engine against stock Apache Velocity 1.7, byte for byte.

AWS renders mapping templates as Velocity 1.7 does, with two differences (docs/vtl.md): an
undefined reference renders empty (and is true in #if), and macros are off. tests/vtl-diff/
VtlDiff.java is Debian's Velocity 1.7 configured so; it is compiled here with javac and renders
every case of tests/vtl-diff/corpus.vtl with the variables of vars.json bound. `apigwd template
render --variables vars.json` renders each case too; the outputs must be the same bytes, or
both must fail. Skipped when java or Velocity is missing (scripts/deps installs them; under CI a
skip counts as a failure).
"""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import BINARY, REPO

DIFF = os.path.join(REPO, "tests", "vtl-diff")
JARS = ["/usr/share/java/velocity.jar", "/usr/share/java/commons-collections3.jar",
        "/usr/share/java/commons-lang.jar"]


def cases(path):
    """[(name, text)] of a corpus file: "=== NAME" lines, the newline before the next one
    not part of the case."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    parts = re.split(r"^=== (\S+)\n", text, flags=re.M)
    out = []
    for name, body in zip(parts[1::2], parts[2::2]):
        out.append((name, body[:-1] if body.endswith("\n") else body))
    return out


class VelocityDiffTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        missing = [j for j in JARS if not os.path.exists(j)]
        if not shutil.which("javac") or not shutil.which("java") or missing:
            raise unittest.SkipTest("java, javac or Velocity 1.7 not installed (scripts/deps): %s"
                                    % (missing or "javac"))
        cls.tmp = tempfile.mkdtemp(prefix="apigwd-vtl-diff-")
        cp = ":".join(JARS)
        subprocess.run(["javac", "-nowarn", "-d", cls.tmp, "-cp", cp,
                        os.path.join(DIFF, "VtlDiff.java")], check=True, capture_output=True)
        cls.out = os.path.join(cls.tmp, "out")
        subprocess.run(["java", "-cp", cp + ":" + cls.tmp, "VtlDiff",
                        os.path.join(DIFF, "corpus.vtl"), os.path.join(DIFF, "vars.json"),
                        cls.out], check=True, capture_output=True, timeout=300)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def velocity(self, name):
        p = os.path.join(self.out, name + ".out")
        if os.path.exists(p):
            with open(p, "rb") as f:
                return f.read(), None
        with open(os.path.join(self.out, name + ".err"), encoding="utf-8") as f:
            return None, f.read()

    def test_corpus_is_big(self):
        self.assertGreaterEqual(len(cases(os.path.join(DIFF, "corpus.vtl"))), 250)

    def test_corpus_renders_as_velocity(self):
        tpl = os.path.join(self.tmp, "case.vtl")
        vars_ = os.path.join(DIFF, "vars.json")
        differ = []
        n_errors = 0
        all_cases = cases(os.path.join(DIFF, "corpus.vtl"))
        for name, text in all_cases:
            with open(tpl, "w", encoding="utf-8") as f:
                f.write(text)
            p = subprocess.run([BINARY, "template", "render", tpl, "--variables", vars_],
                               capture_output=True, timeout=30)
            want, why = self.velocity(name)
            if want is None:
                n_errors += 1
                # Velocity refused or failed it: so must we, as LINE:COLUMN: message.
                if p.returncode != 1 or not re.match(rb"^\d+:\d+: ", p.stderr):
                    differ.append("%s: Velocity fails (%s) but apigwd gave exit %d %r"
                                  % (name, why.splitlines()[0][:120], p.returncode, p.stdout))
            elif p.returncode != 0:
                differ.append("%s: apigwd failed: %s; Velocity: %r" % (name, p.stderr, want))
            elif p.stdout != want:
                differ.append("%s:\n  template: %r\n  velocity: %r\n  apigwd:   %r"
                              % (name, text, want, p.stdout))
        self.assertEqual(differ, [], "%d of %d cases differ" % (len(differ), len(all_cases)))
        self.assertGreater(n_errors, 5)  # the corpus holds templates Velocity refuses, too


if __name__ == "__main__":
    unittest.main()
