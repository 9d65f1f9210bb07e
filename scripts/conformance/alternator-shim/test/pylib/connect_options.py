from functools import cache


@cache
def add_host_option(parser):
    parser.addoption("--host", default=None, help="a DB server host to connect to")
