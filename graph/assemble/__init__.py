"""graph.build"""

__all__: list[str] = []
