import os
import re
from types import SimpleNamespace

from cassandra import ConsistencyLevel  # noqa: F401 (re-exported as the driver does)

EXEC_PROFILE_DEFAULT = object()


class NoHostAvailable(Exception):
    pass


class ExecutionProfile:
    def __init__(self, **kwargs):
        self.kwargs = kwargs


class _RoleSession:
    """Answers only the conftest's query for the salted hash of a role: the admin secret for "cassandra"."""

    def execute(self, query, *args, **kwargs):
        match = re.search(r"WHERE role = '([^']*)'", query)
        if match and match.group(1) == "cassandra" and os.environ.get("FORTE_ALTERNATOR_SECRET"):
            return [SimpleNamespace(salted_hash=os.environ["FORTE_ALTERNATOR_SECRET"])]
        return []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class Cluster:
    def __init__(self, contact_points=None, port=None, **kwargs):
        # The conftest's role look-up names no port; any other use means a CQL connection, which there is not.
        self._roles_only = port is None

    def connect(self, *args, **kwargs):
        if not self._roles_only:
            raise NoHostAvailable("no CQL endpoint")
        return _RoleSession()

    def shutdown(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
