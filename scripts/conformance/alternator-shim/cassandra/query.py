class SimpleStatement:
    def __init__(self, query, **kwargs):
        self.query = query
