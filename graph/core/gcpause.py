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

__all__ = ["gc_paused"]

_lock = threading.Lock()
_state = {"users": 0, "restore": False}


class gc_paused:
    """Pause the cyclic GC for the ``with`` block; nested and concurrent blocks restore it exactly once.

    A plain class, not a ``@contextmanager`` generator. Measured on the snapshot load (a 300 ms burst of
    100k small objects with a large heap alive), a ``with`` block around the load cost ~30 ms more than
    calling ``__enter__``/``__exit__`` around it, so the snapshot loader does the latter
    (``bench/gc_pauses.py``).

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

    def __enter__(self) -> None:
        with _lock:
            if _state["users"] == 0:
                _state["restore"] = gc.isenabled()
                gc.disable()
            _state["users"] += 1

    def __exit__(self, *exc: object) -> None:
        with _lock:
            _state["users"] -= 1
            if _state["users"] == 0 and _state["restore"]:
                gc.enable()
