"""Pilot's waits, ended by the app's state instead of by the clock.

Textual's Pilot waits after each key and in each `pause()` with `textual._wait.wait_for_idle`: it
sleeps 20 ms at a time until a 20 ms slice passes in which the process used under 1 ms of CPU. That
costs 40-120 ms a key on a quiet machine (most of the TUI tests' time, asleep), and on a loaded one a
slice in which the process got no CPU passes for idle while the app still has work queued.
`until_settled` replaces it: it returns when every message pump of the app (the app, its screens and
widgets) has handled all its messages and callbacks, the screen on top has drawn what it was asked to,
and no worker is running, checking again after handing the event loop round once more; whatever that
work posts is waited for too. Timers are left alone, as Textual's wait leaves them: a test that needs
one to fire waits for what it does (practice_fixtures.opened and the like). Bounded by `max_sleep`
(Textual's one second) as before, for a worker or an animation that keeps the app busy.
"""

from __future__ import annotations

import asyncio
from time import monotonic

import textual.app
import textual.pilot
from textual._context import active_app
from textual._queue import Queue
from textual._wait import wait_for_idle as textual_wait_for_idle
from textual.app import App
from textual.message_pump import MessagePump

QUEUE_GET = Queue.get.__code__
# How often a running worker (a thread, or a task of its own) is looked at again: it is not a message
# pump whose queue can be waited on.
WORKER_POLL_SECONDS = 0.002


def _waiting_for_messages(task: asyncio.Task) -> bool:
    """The pump's task is suspended in its queue's `get` (between messages), not inside a handler."""
    coroutine = task.get_coro()
    while coroutine is not None:
        if getattr(coroutine, "cr_code", None) is QUEUE_GET:
            return True
        coroutine = getattr(coroutine, "cr_await", None)
    return False


def _has_work(pump: MessagePump) -> bool:
    """Messages queued or being handled, callbacks to run after the current one, or not started yet."""
    if pump._closed:
        return False
    queue = pump.__dict__.get("_message_queue")  # made on first use: no queue, no message
    if (queue is not None and queue.values) or pump._next_callbacks:
        return True
    task = pump._task
    return task is None or (not task.done() and not _waiting_for_messages(task))


def _screen_pending(app: App) -> bool:
    """The screen on top has a layout, a repaint or callbacks after its refresh still to do."""
    try:
        screen = app.screen
    except Exception:  # noqa: BLE001 - no screen yet, or the app is closing
        return False
    pending = screen._layout_required or screen._scroll_required or screen._repaint_required
    return pending or bool(screen._dirty_widgets or screen._callbacks or screen._recompose_required)


async def _handled(pumps: list[MessagePump], timeout: float) -> None:
    """Until each of `pumps` has handled the messages it had when called (or `timeout`)."""
    done = asyncio.Event()
    left = 0

    def one_done() -> None:
        nonlocal left
        left -= 1
        if left == 0:
            done.set()

    for pump in pumps:
        if pump.call_later(one_done):
            left += 1
    if left:
        try:
            await asyncio.wait_for(done.wait(), max(timeout, 0.001))
        except TimeoutError:
            pass


async def until_settled(app: App, max_sleep: float = 1.0) -> None:
    """Return once `app` has nothing left to do (see the module's text), or after `max_sleep` seconds."""
    deadline = monotonic() + max_sleep
    quiet_rounds = 0
    while quiet_rounds < 2 and monotonic() < deadline:
        busy = [pump for pump in [app, *app._registry] if _has_work(pump)]
        if busy:
            quiet_rounds = 0
            await _handled(busy, deadline - monotonic())
            continue
        if _screen_pending(app):
            quiet_rounds = 0
            app.screen._on_timer_update()  # what the screen's update timer does, now
            await asyncio.sleep(0)
            continue
        if any(worker.is_running or worker.state.name == "PENDING" for worker in app.workers):
            quiet_rounds = 0
            await asyncio.sleep(WORKER_POLL_SECONDS)
            continue
        quiet_rounds += 1
        await asyncio.sleep(0)  # callbacks already due (a thread's call_from_thread, a timer firing)


async def wait_for_idle(min_sleep: float = 0.0, max_sleep: float = 1.0) -> None:
    """Textual's `wait_for_idle`, as Pilot and `App._press_keys` call it, on the app under test."""
    app = active_app.get(None)
    if app is None:
        await textual_wait_for_idle(min_sleep, max_sleep)
    else:
        await until_settled(app, max_sleep)


def install(monkeypatch) -> None:
    """Pilot and key presses wait with `wait_for_idle` above for the rest of the test."""
    monkeypatch.setattr(textual.pilot, "wait_for_idle", wait_for_idle)
    monkeypatch.setattr(textual.app, "wait_for_idle", wait_for_idle)
