"""graph.analyse"""

__all__: list[str] = []
