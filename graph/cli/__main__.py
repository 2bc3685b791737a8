"""``python -m graph.cli``."""

from graph.cli import main

__all__: list[str] = []

main()
