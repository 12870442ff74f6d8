"""Use the second core for independent work: map a function over chunks in forked children.

Why fork and not a pool: the job already runs in a forked child that holds the plan in memory;
a forked helper sees it for free (copy-on-write) and only sends its small result back through a
pipe (pickle). The parent works on the first chunk meanwhile. Any failure of a helper falls
back to computing its chunk in the parent, so the result never depends on the helper.
"""
from __future__ import annotations

import os
import pickle
from typing import Callable, Sequence, TypeVar

__all__ = ["fork_map", "fork_all", "worker_count", "split_evenly"]

T = TypeVar("T")
R = TypeVar("R")
#: Below this many items a fork (≈ 5–20 ms) costs more than it saves.
MIN_ITEMS_TO_FORK = 2000


def worker_count() -> int:
    """Cores this process may use (at least 1; at most 2 helpers' worth of memory)."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        n = os.cpu_count() or 1
    return max(1, min(n, 2))


def split_evenly(items: Sequence[T], parts: int) -> list[Sequence[T]]:
    """``parts`` contiguous slices of nearly equal length (contiguous keeps output order)."""
    parts = max(1, min(parts, len(items) or 1))
    step, extra = divmod(len(items), parts)
    out, start = [], 0
    for k in range(parts):
        end = start + step + (1 if k < extra else 0)
        out.append(items[start:end])
        start = end
    return out


def fork_map(fn: Callable[[Sequence[T]], R], items: Sequence[T]) -> list[R]:
    """``[fn(chunk) for chunk in split_evenly(items, worker_count())]``, chunks after the first
    computed in forked children. Results must be picklable; order follows the chunks."""
    chunks = split_evenly(items, worker_count() if len(items) >= MIN_ITEMS_TO_FORK else 1)
    helpers = [_start(fn, chunk) for chunk in chunks[1:]]
    results = [fn(chunks[0])]
    for chunk, helper in zip(chunks[1:], helpers):
        results.append(_finish(helper, fn, chunk))
    return results


def fork_all(tasks: Sequence[Callable[[], R]], worth_it: bool = True) -> list[R]:
    """Run independent tasks at once: the first in this process, the others in forked children
    (one per spare core, else here). Results must be picklable; order follows ``tasks``.
    ``worth_it=False`` runs all here (small jobs, where a fork costs more than it saves)."""
    spare = worker_count() - 1 if worth_it else 0
    helpers = [_start(lambda _: task(), ()) if k < spare else None for k, task in enumerate(tasks[1:])]
    results = [tasks[0]()] if tasks else []
    for task, helper in zip(tasks[1:], helpers):
        results.append(_finish(helper, lambda _: task(), ()))
    return results


def _start(fn: Callable, chunk: Sequence) -> tuple[int, int] | None:
    try:
        r, w = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # helper: compute, send, leave without running the parent's cleanup
        os.close(r)
        code = 0
        try:
            data = pickle.dumps(fn(chunk), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(w, "wb") as fh:
                fh.write(data)
        except BaseException:  # noqa: BLE001 - the parent recomputes this chunk
            code = 1
        os._exit(code)
    os.close(w)
    return pid, r


def _finish(helper: tuple[int, int] | None, fn: Callable, chunk: Sequence):
    if helper is None:
        return fn(chunk)
    pid, r = helper
    with os.fdopen(r, "rb") as fh:
        data = fh.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return fn(chunk)
    return pickle.loads(data)
