"""Background work that gives way to the server when the machine's cores are busy.

On election day the server accepts thousands of reports a second and the background worker turns each into
notifications. Both share the cores (a command-post laptop, or a 2-core server). Accepting a report durably
comes first; the outbox may catch up a little later. ``nice`` lowers the worker's own CPU priority, but half of
its cost is in the database server process that runs its queries, which ``nice`` cannot reach. So the worker
paces itself: after each unit of work (a pass, a batch) it looks at how busy the cores were *apart from
itself*, and when they are busier than ``LINSEK_WORKER_BUSY`` it pauses so that it works at most
``LINSEK_WORKER_DUTY`` of the time. On an idle machine it never pauses.

Linux only (``/proc/stat``); elsewhere :meth:`Pacer.pause` never pauses.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

PROC_STAT = Path("/proc/stat")
MAX_PAUSE = 5.0  # seconds: one pause never holds the outbox back longer than this


def cpu_times() -> tuple[float, float] | None:
    """The machine's (busy, total) CPU seconds since boot, from ``/proc/stat``; None where there is none."""
    try:
        fields = PROC_STAT.read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu":
        return None
    ticks = [int(v) for v in fields[1:9]]  # user nice system idle iowait irq softirq steal
    hz = os.sysconf("SC_CLK_TCK")
    idle = ticks[3] + ticks[4]
    return (sum(ticks) - idle) / hz, sum(ticks) / hz


def own_cpu() -> float:
    """CPU seconds this process has used."""
    return time.process_time()


class Pacer:
    """Call :meth:`pause` after each unit of background work; it sleeps when the machine is busy without us.

    ``busy`` is the fraction of all cores used by the others (everything but this process) over the unit of
    work above which we give way; ``duty`` the fraction of the time we then work. Both default to settings.
    """

    def __init__(
        self,
        *,
        busy: float | None = None,
        duty: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        machine: Callable[[], tuple[float, float] | None] = cpu_times,
        own: Callable[[], float] = own_cpu,
    ) -> None:
        self.busy = settings.LINSEK_WORKER_BUSY if busy is None else busy
        self.duty = settings.LINSEK_WORKER_DUTY if duty is None else duty
        self.clock, self.sleep, self.machine, self.own = clock, sleep, machine, own
        self.paused = 0.0
        self._mark()

    def _mark(self) -> None:
        self.started, self.cpu, self.own_at = self.clock(), self.machine(), self.own()

    def others_busy(self) -> float | None:
        """The fraction of all cores the others used since the last mark (None: not known here)."""
        now = self.machine()
        if now is None or self.cpu is None:
            return None
        busy, total = now[0] - self.cpu[0], now[1] - self.cpu[1]
        if total <= 0:
            return None
        return max(0.0, busy - (self.own() - self.own_at)) / total

    def pause(self) -> float:
        """Sleep if the others kept the cores busy during the unit of work just done; returns the seconds slept."""
        worked = self.clock() - self.started
        others = self.others_busy()
        wait = 0.0
        if others is not None and others > self.busy and 0 < self.duty < 1:
            wait = min(worked * (1 - self.duty) / self.duty, MAX_PAUSE)
            self.sleep(wait)
            self.paused += wait
        self._mark()
        return wait
