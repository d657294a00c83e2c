"""run.py — runs every tests/e2e/test_*.py (or the files given) with unittest and ends with the
line "e2e: N passed, M failed" that scripts/run-tests adds up. Exit status 1 on any failure.

A skipped test says why on its own line. Under CI (CI set in the environment) a skip is a
failure: CI installs everything the suite needs, so a test that skips there is a test that did
not run where it should have."""
import os
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
loader = unittest.TestLoader()
if len(sys.argv) > 1:
    suite = unittest.TestSuite(loader.loadTestsFromName(os.path.splitext(os.path.basename(a))[0])
                               for a in sys.argv[1:])
else:
    suite = loader.discover(here, pattern="test_*.py", top_level_dir=here)
result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
passed = result.testsRun - failed - len(result.skipped)
skipped = len(result.skipped)
for test, why in result.skipped:
    print("e2e: SKIPPED %s: %s" % (test.id(), why))
if os.environ.get("CI") and skipped:
    print("e2e: %d skipped under CI: counted as failed (everything a test needs is installed "
          "there)" % skipped)
    failed, skipped = failed + skipped, 0
print("e2e: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
sys.exit(1 if failed or result.testsRun == 0 else 0)
