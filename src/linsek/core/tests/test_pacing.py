"""The worker's pacing: it gives way only while the others keep the cores busy."""

from __future__ import annotations

import sys

import pytest

from linsek.core.pacing import MAX_PAUSE, Pacer, cpu_times


class Machine:
    """A scripted machine: each unit of work advances the clock, the machine's CPU and ours."""

    def __init__(self) -> None:
        self.now, self.busy, self.total, self.ours = 0.0, 0.0, 0.0, 0.0
        self.slept: list[float] = []

    def work(self, seconds: float, *, others: float, ours: float, cores: int = 2) -> None:
        """``seconds`` of work; ``others`` and ``ours`` are core-seconds per second used meanwhile."""
        self.now += seconds
        self.total += seconds * cores
        self.busy += seconds * (others + ours)
        self.ours += seconds * ours

    def pacer(self, **kw: float) -> Pacer:
        return Pacer(
            busy=kw.get("busy", 0.5),
            duty=kw.get("duty", 0.25),
            clock=lambda: self.now,
            sleep=self.slept.append,
            machine=lambda: (self.busy, self.total),
            own=lambda: self.ours,
        )


def test_on_a_busy_machine_the_worker_works_a_quarter_of_the_time() -> None:
    m = Machine()
    pacer = m.pacer()
    m.work(0.6, others=1.6, ours=0.4)  # the server keeps 1.6 of 2 cores busy
    assert pacer.pause() == pytest.approx(1.8)  # 0.6 s of work, then 1.8 s of pause: 25 %
    assert m.slept == [pytest.approx(1.8)]


def test_alone_it_never_pauses_however_hard_it_works() -> None:
    m = Machine()
    pacer = m.pacer()
    for _ in range(5):
        m.work(0.6, others=0.3, ours=1.0)  # only its own database queries beside it
        assert pacer.pause() == 0
    assert m.slept == []


def test_a_long_unit_of_work_pauses_at_most_max_pause() -> None:
    m = Machine()
    pacer = m.pacer()
    m.work(10.0, others=2.0, ours=0.0)
    assert pacer.pause() == MAX_PAUSE


def test_each_pause_judges_only_the_work_since_the_last() -> None:
    m = Machine()
    pacer = m.pacer()
    m.work(0.5, others=1.8, ours=0.2)
    assert pacer.pause() > 0
    m.work(0.5, others=0.1, ours=0.2)  # the burst is over
    assert pacer.pause() == 0
    assert pacer.paused == pytest.approx(1.5)


def test_duty_one_or_unknown_cpu_never_pauses() -> None:
    m = Machine()
    full = m.pacer(duty=1.0)
    m.work(1.0, others=2.0, ours=0.0)
    assert full.pause() == 0
    blind = Pacer(busy=0.5, duty=0.25, sleep=m.slept.append, machine=lambda: None)
    assert blind.others_busy() is None and blind.pause() == 0
    assert m.slept == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/stat is Linux's")
def test_cpu_times_reads_this_machine() -> None:
    first = cpu_times()
    assert first is not None
    busy, total = first
    assert 0 < busy < total
    sum(i * i for i in range(200_000))  # burn a little CPU
    second = cpu_times()
    assert second is not None and second[1] >= total and second[0] >= busy
