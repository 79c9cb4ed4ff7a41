"""Optional work the main thread does while it waits for work on other threads.

A cold build's main thread has read and planned everything before its model has loaded; what
it needs first after decoding (the modules of the checks and pages, the languages' locale
data, the line breaking of the catalogs' English) can be prepared in that wait instead, and
what is left while the model decodes. A task is an optimisation only: one that is never run,
or fails, changes nothing, as its work is done again where it is needed (and finds it cached).
Tasks run one at a time, on the main thread only, and only while the wait lasts, so a wait
that ends is held up by one task at most.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator

log = logging.getLogger(__name__)

_tasks: deque[Callable[[], object]] = deque()


@contextlib.contextmanager
def while_waiting(tasks: Iterable[Callable[[], object]]) -> Iterator[None]:
    """Within the block, waits (:func:`run_while`) run ``tasks``; those left are dropped after
    it (the real work follows)."""
    _tasks.extend(tasks)
    try:
        yield
    finally:
        _tasks.clear()


def run_while(waiting: Callable[[], bool]) -> None:
    """Run queued tasks, one by one, for as long as ``waiting()`` is true (on the main thread;
    elsewhere, nothing: the tasks are the main thread's own work, done early)."""
    if threading.current_thread() is not threading.main_thread():
        return
    while _tasks and waiting():
        task = _tasks.popleft()
        try:
            task()
        except Exception as err:  # an optimisation: the real call raises it where it matters
            log.debug("idle task %r failed: %s", task, err)
