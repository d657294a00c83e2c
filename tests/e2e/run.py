"""run.py — runs every tests/e2e/test_*.py (or the files given) with unittest and ends with the
line "e2e: N passed, M failed" that scripts/run-tests adds up. Exit status 1 on any failure.

A skipped test says why on its own line. Under CI (CI set in the environment) a skip is a
failure: CI installs everything the suite needs, so a test that skips there is a test that did
not run where it should have. A test marked harness.sqlite_only skips on PostgreSQL
(APIGWD_BACKEND=postgres) as "not applicable": counted apart, never a failure.

The last line names the backend: "e2e (postgres): N passed, ..."."""
import os
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import harness  # noqa: E402  (from here)

loader = unittest.TestLoader()
if len(sys.argv) > 1:
    suite = unittest.TestSuite(loader.loadTestsFromName(os.path.splitext(os.path.basename(a))[0])
                               for a in sys.argv[1:])
else:
    suite = loader.discover(here, pattern="test_*.py", top_level_dir=here)
result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
backend = harness.BACKEND
na = [(t, why) for t, why in result.skipped if why.startswith(harness.SQLITE_ONLY)]
others = [(t, why) for t, why in result.skipped if not why.startswith(harness.SQLITE_ONLY)]
passed = max(0, result.testsRun - failed - len(result.skipped))
skipped = len(others)
for test, why in na:
    print("e2e: NOT APPLICABLE on %s %s: %s" % (backend, test.id(), why))
for test, why in others:
    print("e2e: SKIPPED %s: %s" % (test.id(), why))
if os.environ.get("CI") and skipped:
    print("e2e: %d skipped under CI: counted as failed (everything a test needs is installed "
          "there)" % skipped)
    failed, skipped = failed + skipped, 0
tail = ", %d not applicable" % len(na) if na else ""
print("e2e (%s): %d passed, %d failed, %d skipped%s" % (backend, passed, failed, skipped, tail))
sys.exit(1 if failed or result.testsRun == 0 else 0)
