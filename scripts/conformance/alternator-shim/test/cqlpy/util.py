# Stand-in for ScyllaDB's test/cqlpy/util.py: changing Scylla's configuration through CQL is not possible here.
from contextlib import contextmanager

import pytest


@contextmanager
def config_value_context(cql, key, value):
    pytest.skip("needs Scylla's CQL configuration table")
    yield
