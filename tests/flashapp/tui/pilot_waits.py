"""Pilot's waits, ended by the event loop's state instead of by the clock.

Textual's Pilot waits after each key and in each `pause()` with `textual._wait.wait_for_idle`: it
sleeps 20 ms at a time until a 20 ms slice passes in which the process used under 1 ms of CPU. That
costs 40-120 ms a key on a quiet machine (most of the TUI tests' time, asleep), and on a loaded one a
slice in which the process got no CPU passes for idle while the app still has work to do.

`until_settled` returns instead as soon as the event loop has nothing ready to run but the waiting
test itself (every message pump of the app waits for a message, a timer, a thread or a dialog's
answer: whatever the key or message set off has been handled, however many messages it posted on),
and the screen on top has no layout, repaint or after-refresh callback left (what its update timer,
up to 1/60 s away, would do is done at once; so is the delivery of a resize, which the app holds back
1/120 s in case another follows). What Textual's wait did not wait for is not waited for
here either: timers and threads (workers); a test that needs one waits for its effect on a condition
(`practice_fixtures.opened`, `app.workers.wait_for_complete()`). Bounded by `SETTLE_LIMIT_SECONDS`,
not Textual's one second: on a loaded machine a screen's first mount can take longer than that, and the
test would go on while it is still being drawn (the loop is only ever busy with work that ends).
"""

from __future__ import annotations

import asyncio
from time import monotonic

import textual.app
import textual.pilot
from textual._context import active_app
from textual._wait import wait_for_idle as textual_wait_for_idle
from textual.app import App

# The longest one wait lasts: the event loop busy this long means a task that never ends its work.
SETTLE_LIMIT_SECONDS = 10.0


def _loop_busy(loop: asyncio.AbstractEventLoop) -> bool:
    """Callbacks other than the running one are ready: a task to step, a message to handle. Worker
    threads add to the queue as it is read: it is copied first, in one step that holds the GIL."""
    return any(not handle._cancelled for handle in list(loop._ready))


def _screen_pending(app: App) -> bool:
    """The screen on top has a layout, a repaint or callbacks after its refresh still to do, and can do
    them now (it is current and no batch update holds them back)."""
    if app._batch_count or app._closing or app._closed:
        return False
    try:
        screen = app.screen
    except Exception:  # noqa: BLE001 - no screen yet, or the app is closing
        return False
    if not screen.is_current:
        return False
    pending = screen._layout_required or screen._scroll_required or screen._repaint_required
    return pending or bool(screen._dirty_widgets or screen._callbacks or screen._recompose_required)


async def until_settled(app: App) -> None:
    """Return once `app` has nothing left to do now (see the module's text)."""
    loop = asyncio.get_running_loop()
    deadline = monotonic() + SETTLE_LIMIT_SECONDS
    quiet_rounds = 0
    while quiet_rounds < 2 and monotonic() < deadline:
        await asyncio.sleep(0)
        if _loop_busy(loop):
            quiet_rounds = 0
        elif app._resize_timer is not None:  # a resize, held back 1/120 s for the next one
            quiet_rounds = 0
            app._check_resize()  # what that timer does, now
        elif _screen_pending(app):
            quiet_rounds = 0
            app.screen._on_timer_update()  # what the screen's update timer does, now
        else:
            quiet_rounds += 1


async def wait_for_idle(min_sleep: float = 0.0, max_sleep: float = 1.0) -> None:
    """Textual's `wait_for_idle`, as Pilot and `App._press_keys` call it, on the app under test."""
    app = active_app.get(None)
    if app is None:
        await textual_wait_for_idle(min_sleep, max_sleep)
    else:
        await until_settled(app)


def install(monkeypatch) -> None:
    """Pilot and key presses wait with `wait_for_idle` above for the rest of the test."""
    monkeypatch.setattr(textual.pilot, "wait_for_idle", wait_for_idle)
    monkeypatch.setattr(textual.app, "wait_for_idle", wait_for_idle)


async def until(pilot, condition, *, timeout: float = 10.0, what: str = "the condition") -> None:
    """Pause in short steps until `condition()` holds: for what a timer does (a flash ending, a clock's
    tick), which no pause waits for. Fails after `timeout` seconds."""
    deadline = monotonic() + timeout
    while not condition():
        assert monotonic() < deadline, f"{what} did not come within {timeout} s"
        await pilot.pause(0.01)
