"""How much engine work one worker takes on at once, and for how long it waits on one request.

The engine runs in worker threads, so a long assessment never blocks the event loop; but every
thread shares one interpreter, so without a cap a burst of heavy requests, or several large
batches, would leave each interactive request a thin slice of the core. Hence:

- at most ``max_assessments`` engine calls at once; one more gets 503 ``busy`` with
  ``Retry-After`` at once (queueing it would only make every answer later);
- at most ``max_batches`` batches streaming at once; one more gets 503 ``busy``;
- a call that has not finished within ``request_seconds`` gets 503 ``over_budget`` (a batch:
  an error record, and the batch stops). Python cannot stop a running thread: the call runs to
  its end, and keeps its slot until then, so the cap still holds;
- once the server is stopping (:data:`STOPPING`), a batch reads no further chunk: it ends with an
  error record saying where it stopped, so the client knows which lines to send again.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from .metrics import REFUSALS
from .problems import ApiError, Problem
from .settings import Settings

T = TypeVar("T")
STOPPING = threading.Event()
"""Set when uvicorn shuts this worker down (:meth:`service.edge.EdgeProtocol.shutdown`)."""
RETRY_AFTER = "1"


def busy(what: str, limit: int, variable: str) -> ApiError:
    REFUSALS.labels("busy").inc()
    return ApiError(503, "busy", f"{limit} {what} already running in this worker", [Problem(
        field=None, message=f"retry in a moment (the operator can raise {variable} or add workers)")],
        headers={"Retry-After": RETRY_AFTER})


class Capacity:
    """The engine slots and the time budget of one worker process.

    The calls run on threads of this worker's own pool, one thread per slot at most, so a call
    that has a slot never waits for a thread. The pool's hand-off (a C queue, a future the event
    loop is woken for) costs the event loop about a third of the CPU of
    :func:`starlette.concurrency.run_in_threadpool`'s (a capacity limiter, a cancel scope, a task
    and a Python queue per call), which every assessment pays; the caller's context variables
    (the request id) go with the call all the same.
    """

    def __init__(self, settings: Settings) -> None:
        self.budget = settings.request_seconds
        self.max_calls = settings.max_assessments
        self.max_batches = settings.max_batches
        self.calls = 0
        self.batches = 0
        self.threads = ThreadPoolExecutor(max_workers=self.max_calls, thread_name_prefix="algo-filing-engine")

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in a worker thread, within the cap and the time budget."""
        if self.calls >= self.max_calls:
            raise busy("assessments", self.max_calls, "ALGO_FILING_MAX_ASSESSMENTS")
        self.calls += 1
        context = contextvars.copy_context()
        task = asyncio.get_running_loop().run_in_executor(self.threads, context.run, function, *args)
        try:
            done, _ = await asyncio.wait({task}, timeout=self.budget)
        except BaseException:
            task.add_done_callback(self._release)
            raise
        if not done:
            task.add_done_callback(self._release)
            REFUSALS.labels("over_budget").inc()
            raise ApiError(503, "over_budget", f"the assessment took longer than {self.budget:g} s", [Problem(
                field=None, message="split the document (fewer products or features per request), or ask the "
                                    "operator to raise ALGO_FILING_REQUEST_SECONDS")])
        self._release(task)
        return task.result()

    def _release(self, task: asyncio.Future[Any]) -> None:
        self.calls -= 1
        if not task.cancelled():
            task.exception()  # retrieved, so that an abandoned call's error is not reported as unhandled

    def enter_batch(self) -> None:
        """Take a batch slot (503 ``busy`` when none is free); the response gives it back when it ends."""
        if self.batches >= self.max_batches:
            raise busy("batches", self.max_batches, "ALGO_FILING_MAX_BATCHES")
        self.batches += 1

    def leave_batch(self) -> None:
        self.batches -= 1
