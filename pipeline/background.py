"""Work started early on a thread of its own, its result (or its error) taken later.

A cold build spends its first tenth of a second reading sources while nothing else runs;
loading the model it is about to need (CTranslate2 releases the GIL while it reads and
converts the weights) can happen meanwhile. Threads are not daemons: a run that fails early
waits for the work to finish rather than tearing down the interpreter under a C++ library.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from pipeline.idle import run_while

T = TypeVar("T")


class Background(Generic[T]):
    """``work()`` running on a new thread; :meth:`result` waits for it."""

    def __init__(self, work: Callable[[], T], name: str = "background") -> None:
        self._work = work
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._work()
        except BaseException as err:  # handed to the caller of result(), in its thread
            self._error = err

    def result(self) -> T:
        """The work's value; its exception is raised here, in the caller's thread (which
        does the tasks queued with :func:`pipeline.idle.while_waiting` while it waits)."""
        run_while(self._thread.is_alive)
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
