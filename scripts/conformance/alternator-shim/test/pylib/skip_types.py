# Stand-in for ScyllaDB's test/pylib/skip_types.py: typed skips become plain pytest skips.
import pytest


def skip_env(reason):
    pytest.skip(reason)


def skip_bug(*, link, reason):
    pytest.skip(f"{reason} ({link})")
