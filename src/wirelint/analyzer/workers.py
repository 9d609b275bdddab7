"""Work on many files in worker processes, each file under a time limit.

libcst's parser is native code that no signal interrupts, and a pathological file can take minutes, all the
memory there is, or the process itself. Each worker takes one file at a time; a worker that overruns its file's
time limit is killed, one that dies is noticed, and either way that file alone gets a failure result and a
new worker takes the next file. Workers ignore SIGINT: the parent handles ^C, stops them and cleans up.
"""

from __future__ import annotations

import os
import signal
import time
from collections import deque
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from typing import Callable, Sequence, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def run_guarded(work: Callable[[Item], Result], items: Sequence[Item], *, workers: int, timeout: float | None,
                on_failure: Callable[[Item, str], Result]) -> list[Result]:
    """`work(item)` for every item in `workers` processes, results in the items' order. An item whose work runs
    longer than `timeout` seconds (None: no limit), raises, or kills its process gets `on_failure(item, why)`."""
    context = get_context("fork") if hasattr(os, "fork") else get_context()
    results: list = [None] * len(items)
    queue = deque(range(len(items)))
    pool: list[_Worker] = []

    def start() -> None:
        worker = _Worker(context, work)
        pool.append(worker)
        if queue:
            worker.give(queue.popleft(), items, timeout)

    try:
        for _ in range(max(1, min(workers, len(items)))):
            start()
        while busy := [worker for worker in pool if worker.index is not None]:
            deadlines = [worker.deadline for worker in busy if worker.deadline is not None]
            ready = set(wait([w.connection for w in busy] + [w.process.sentinel for w in busy],
                             timeout=max(0.0, min(deadlines) - time.monotonic()) if deadlines else None))
            for worker in busy:
                index = worker.index
                if worker.connection in ready:
                    try:
                        ok, payload = worker.connection.recv()
                    except (EOFError, OSError):
                        ok, payload = False, worker.death()
                    if ok:
                        results[index] = payload
                        worker.index = None
                        if queue:
                            worker.give(queue.popleft(), items, timeout)
                        continue
                elif worker.process.sentinel in ready:
                    payload = worker.death()
                elif worker.deadline is not None and time.monotonic() >= worker.deadline:
                    payload = f"analysis stopped after {timeout:g} s (--file-timeout)"
                else:
                    continue
                results[index] = on_failure(items[index], payload)
                worker.stop()
                pool.remove(worker)
                start()
    finally:
        for worker in pool:
            worker.stop()
    return results


class _Worker:
    def __init__(self, context, work: Callable) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, work), daemon=True)
        self.process.start()
        child.close()
        self.index: int | None = None
        self.deadline: float | None = None

    def give(self, index: int, items: Sequence, timeout: float | None) -> None:
        self.index = index
        self.deadline = time.monotonic() + timeout if timeout else None
        self.connection.send(items[index])

    def death(self) -> str:
        """Why the process ended without an answer."""
        self.process.join(5)
        code = self.process.exitcode
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            hint = " (out of memory?)" if name == "SIGKILL" else ""
            return f"wirelint's parser was killed by {name}{hint} on this file"
        return f"wirelint's parser stopped on this file (exit code {code})"

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()


def _serve(connection: Connection, work: Callable) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    while True:
        try:
            item = connection.recv()
        except (EOFError, OSError):
            return
        try:
            answer = (True, work(item))
        except Exception as error:  # a bug in wirelint on this file: reported with the file, the run goes on
            answer = (False, internal_error(error))
        try:
            connection.send(answer)
        except (OSError, EOFError):
            return  # the parent is gone
        except Exception as error:  # the result does not pickle: also a bug, also this file's alone
            connection.send((False, internal_error(error)))


def internal_error(error: Exception) -> str:
    """The failure reason for a wirelint bug met on one file."""
    return f"internal error on this file: {type(error).__name__}: {error}"
