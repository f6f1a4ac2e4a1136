"""Runs every tests/python/test_*.py (or the test names given as arguments) and ends with the
line `N passed, N failed`, the format scripts/test.sh sums up; exits 1 if any failed."""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def main(names):
    sys.path.insert(0, HERE)
    loader = unittest.TestLoader()
    suite = (loader.loadTestsFromNames(names) if names
             else loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE))
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)

    problems = [test for test, _ in result.failures + result.errors]
    problems += result.unexpectedSuccesses
    # A test can fail more than once (its body and its tearDown, or subtests): count it once.
    failed_tests = {getattr(t, "test_case", t).id() for t in problems
                    if isinstance(t, unittest.TestCase)}
    # A failing setUpClass or class cleanup is no TestCase (and its tests never ran): it still
    # counts as a failure, so that it cannot go unseen.
    fixture_errors = {str(t) for t in problems if not isinstance(t, unittest.TestCase)}
    passed = result.testsRun - len(failed_tests) - len(result.skipped)
    failed = len(failed_tests) + len(fixture_errors)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or result.testsRun == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
