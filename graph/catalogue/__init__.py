"""graph.catalogue"""

__all__: list[str] = []
