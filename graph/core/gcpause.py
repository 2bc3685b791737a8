"""One safe way to pause the cyclic garbage collector around a bulk load.

``gc.disable()`` is process-wide. Toggled naively (``was = gc.isenabled(); gc.disable(); ...;
if was: gc.enable()``) from two threads of the Streamlit server, the second thread sees the collector
already off, and the first thread's ``gc.enable()`` switches it back on under the second's loop, or the
collector stays off for good. :func:`gc_paused` counts its users under a lock: the first one in pauses
the collector (if it was running), the last one out restores it. The snapshot loader, lineage tagging
and the main-path counts use it; ``bench/gc_pauses.py`` compares each with the old naive pause.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]

_lock = threading.Lock()
_users = 0
_restore = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC for the ``with`` block; nested and concurrent blocks restore it exactly once.

    Examples
    --------
    >>> was = gc.isenabled()
    >>> with gc_paused():
    ...     with gc_paused():
    ...         inner = gc.isenabled()
    ...     still = gc.isenabled()
    >>> inner, still, gc.isenabled() == was
    (False, False, True)
    """
    global _users, _restore
    with _lock:
        if _users == 0:
            _restore = gc.isenabled()
            gc.disable()
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0 and _restore:
                gc.enable()
