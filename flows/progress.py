"""A run's progress, for whoever watches it: documents done of the total, and failures so far.

The flows call `advance` after each batch of a run of more than one batch; nothing listens
unless a caller does (`listening`): the CLI draws a progress bar when a person watches its
terminal. A run served as a deployment reports nothing here; its log says the same per batch.
No Prefect import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Listener = Callable[[int, int, int], None]  # (documents done, documents in all, failures so far)
_listeners: list[Listener] = []


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Within: `listener` hears every `advance`."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def advance(done: int, total: int, failed: int) -> None:
    for listener in _listeners:
        listener(done, total, failed)
