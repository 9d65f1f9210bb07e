class RoundRobinPolicy:
    pass
