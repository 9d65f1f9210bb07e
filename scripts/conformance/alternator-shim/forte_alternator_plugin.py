# pytest plugin the Forte runner loads with `-p forte_alternator_plugin` (scripts/conformance/alternator.mjs).
#
# - Tests the suite marks as ScyllaDB-only or as expecting ScyllaDB's deviations from DynamoDB are skipped.
# - The suite marks tests with `skip_env` (e.g. the very slow ones) through a ScyllaDB plugin that is not
#   here: those markers become plain skips.
# - Every outcome is written, one JSON object a line, to $FORTE_ALTERNATOR_RESULTS, with the error's first
#   line for failures, so the runner can tally per file and sort failures by kind.
# - The TTL tests ask ScyllaDB's configuration table how often expired items are looked for
#   (alternator_ttl_period_in_seconds) to decide whether waiting for an expiry is quick enough to run: that
#   one question is answered with the period the runner gave the cloud ($FORTE_ALTERNATOR_TTL_PERIOD, its
#   dynamodb.ttlSweepIntervalMs). Every other read of that table still goes to the cloud, which has no such table.
import json
import os

import pytest

_results = None


def pytest_configure(config):
    global _results
    path = os.environ.get("FORTE_ALTERNATOR_RESULTS")
    if path:
        _results = open(path, "w", encoding="utf-8")
    period = os.environ.get("FORTE_ALTERNATOR_TTL_PERIOD")
    if period:
        # Before any test module imports it (`from .util import scylla_config_read`).
        import test.alternator.util as util

        read = util.scylla_config_read

        def scylla_config_read(dynamodb, name):
            return period if name == "alternator_ttl_period_in_seconds" else read(dynamodb, name)

        util.scylla_config_read = scylla_config_read


def pytest_unconfigure(config):
    if _results:
        _results.close()


# Fixtures by which the suite itself marks a test as not about DynamoDB: "scylla_only" (a ScyllaDB-only
# feature, skipped against AWS) and "dynamodb_bug" (ScyllaDB deliberately differs from DynamoDB there, and
# the test expects ScyllaDB's behaviour: it is xfail against AWS).
_NOT_DYNAMODB = {
    "scylla_only": "ScyllaDB-only behaviour (the test uses the suite's scylla_only fixture)",
    "dynamodb_bug": "expects ScyllaDB's deliberate difference from DynamoDB (the suite's dynamodb_bug fixture)",
}


def pytest_runtest_setup(item):
    for fixture, reason in _NOT_DYNAMODB.items():
        if fixture in getattr(item, "fixturenames", ()):
            pytest.skip(reason)
    for name in ("skip_env", "skip_bug"):
        mark = item.get_closest_marker(name)
        if mark is not None:
            reason = mark.kwargs.get("reason") or (mark.args[0] if mark.args else name)
            pytest.skip(reason)


def _first_error_line(report):
    text = str(report.longrepr) if report.longrepr is not None else ""
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2])
    for line in text.splitlines():
        if line.startswith("E "):
            return line[1:].strip()[:400]
    return text.strip().splitlines()[-1][:400] if text.strip() else ""


@pytest.hookimpl(trylast=True)
def pytest_runtest_logreport(report):
    if _results is None:
        return
    # One line a test: its call phase, or the phase that failed or skipped before it.
    if report.when == "call" or (report.when == "setup" and not report.passed) or (report.when == "teardown" and report.failed):
        outcome = "passed" if report.passed else "skipped" if report.skipped else "failed"
        if report.when == "teardown":
            outcome = "error"
        _results.write(json.dumps({"id": report.nodeid, "when": report.when, "outcome": outcome, "message": "" if report.passed else _first_error_line(report)}) + "\n")
        _results.flush()
