# Stand-in for the Cassandra driver, which the Alternator conftest uses to find its SigV4 keys (a CQL role and
# its salted hash). There is no CQL here: the role "cassandra" answers the cloud's admin keys (the runner
# makes the cloud's admin access key "cassandra" and passes the secret in FORTE_ALTERNATOR_SECRET); every
# other CQL use finds no host, so the tests that need CQL are skipped.
import os


class ConsistencyLevel:
    ONE = 1
    QUORUM = 4
    LOCAL_QUORUM = 6
    LOCAL_SERIAL = 9


class InvalidRequest(Exception):
    pass
