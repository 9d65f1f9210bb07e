# Stand-in for ScyllaDB's test/cqlpy/conftest.py: no managed cluster, so the "host" fixture is empty and
# the Alternator conftest uses --url.
import pytest


@pytest.fixture(scope="session")
def host():
    return None
