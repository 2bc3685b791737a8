"""graph.assemble"""

__all__: list[str] = []
