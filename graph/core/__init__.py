"""graph.core"""

__all__: list[str] = []
