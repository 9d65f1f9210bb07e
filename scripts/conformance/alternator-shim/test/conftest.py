# Stand-in for ScyllaDB's test/conftest.py (which needs allure and Scylla's test runner): fixtures that
# depend on "the current suite" live for the whole session, as under Scylla's runpy runner.
import pytest


def dynamic_scope():
    return "session"


@pytest.fixture(scope="session")
def scylla_cluster():
    return None
