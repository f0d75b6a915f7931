"""Read the next batches of a file on a thread while the caller validates the current one.

PyArrow's CSV parser and the Parquet reader release the GIL, so a reader thread that keeps a
batch or two ahead overlaps parsing with the caller's Polars work (which releases it too): on a
10 M-line CSV the import's main thread had been waiting ~2 s for the parser, with the other
core idle.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Final

_DONE: Final = object()


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def prefetch[T](items: Iterator[T], *, depth: int = 2) -> Iterator[T]:
    """Yield ``items`` in order, produced up to ``depth`` ahead on a background thread.

    An exception raised by ``items`` is re-raised here, at the point of the sequence where it
    happened. Closing the returned generator early (``break``, an error in the caller) stops
    the thread after the item it is producing.
    """
    ready: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
        except BaseException as error:  # noqa: BLE001 - handed to the consumer, re-raised there
            put(_Failure(error))
            return
        put(_DONE)

    worker = threading.Thread(target=produce, name="import-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item = ready.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()
