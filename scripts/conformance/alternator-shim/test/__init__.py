# Stand-in for ScyllaDB's test/__init__.py: the Alternator suite only reads TEST_RUNNER from it.
TEST_RUNNER = "runpy"
