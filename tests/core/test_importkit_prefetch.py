"""The import's read-ahead thread: same items in the same order, errors where they happened."""

import threading
import time

import pytest

from pharmacrm.core.importkit.prefetch import prefetch


def test_items_arrive_in_order_and_all_of_them():
    assert list(prefetch(iter(range(1000)), depth=3)) == list(range(1000))


def test_an_error_is_raised_after_the_items_before_it():
    def items():
        yield 1
        yield 2
        raise ValueError("line 3 is broken")

    got = []

    def consume():
        for item in prefetch(items()):
            got.append(item)

    with pytest.raises(ValueError, match="line 3 is broken"):
        consume()
    assert got == [1, 2]


def test_producer_runs_ahead_of_the_consumer_but_no_further_than_depth():
    produced = []

    def items():
        for i in range(10):
            produced.append(i)
            yield i

    stream = prefetch(items(), depth=2)
    assert next(stream) == 0
    # 0 taken, 1 and 2 queued, 3 made and waiting to be queued: never the whole file.
    deadline = time.monotonic() + 10
    while len(produced) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # room for a runaway producer to show itself
    assert len(produced) == 4
    stream.close()


def test_closing_early_stops_the_reader_thread():
    def endless():
        i = 0
        while True:
            yield i
            i += 1

    before = threading.active_count()
    stream = prefetch(endless())
    for item in stream:
        if item == 5:
            break
    stream.close()
    assert threading.active_count() == before
