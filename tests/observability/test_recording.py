"""The recording functions, in this process: outcomes, bounded labels, lag never below zero."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from prometheus_client import REGISTRY

from app.observability import metrics
from app.realtime.commands import CommandError


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def commands(kind: str, outcome: str) -> float:
    return value("atelier_commands_total", type=kind, outcome=outcome)


def test_the_command_timer_tells_the_outcomes_apart():
    command = SimpleNamespace(type="vote.cast", cid="x-1")
    before = {o: commands("vote.cast", o) for o in ("applied", "repeated", "refused", "error")}
    timed_before = value("atelier_command_duration_seconds_count")
    with metrics.command_timer(command, refused=CommandError):
        pass
    with metrics.command_timer(command, refused=CommandError) as timing:
        timing.repeated = True
    with pytest.raises(CommandError), metrics.command_timer(command, refused=CommandError):
        raise CommandError("wrong_phase", "not now")
    with pytest.raises(RuntimeError), metrics.command_timer(command, refused=CommandError):
        raise RuntimeError("the database went away")
    for outcome in before:
        assert commands("vote.cast", outcome) == before[outcome] + 1, outcome
    assert value("atelier_command_duration_seconds_count") == timed_before + 4


def test_the_executor_decorator_reads_the_command_and_the_outcome():
    @metrics.timed_command(refused=CommandError)
    def execute(*, command: object, repeated: bool = False) -> SimpleNamespace:
        return SimpleNamespace(repeated=repeated)

    card = SimpleNamespace(type="card.post_image")
    before = commands("card.post_image", "applied"), commands("card.post_image", "repeated")
    execute(command=card)
    execute(command=card, repeated=True)
    after = commands("card.post_image", "applied"), commands("card.post_image", "repeated")
    assert after == (before[0] + 1, before[1] + 1)


def test_label_values_outside_their_sets_become_other():
    before = commands("other", "rate_limited")
    metrics.command_done("'; DROP TABLE workshop; --", "rate_limited")
    metrics.command_done(SimpleNamespace(type="x" * 500), "rate_limited")
    assert commands("other", "rate_limited") == before + 2
    metrics.socket_opened("admin")
    assert value("atelier_open_sockets", role="other") == 1
    metrics.socket_closed("admin")
    assert value("atelier_open_sockets", role="other") == 0
    metrics.http_request("/x", "BREW", 418)
    assert value("atelier_http_requests_total", route="/x", method="other", status="4xx") >= 1


def test_delivery_lag_from_the_commit_time_never_below_zero():
    now = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
    count = value("atelier_delivery_lag_seconds_count")
    total = value("atelier_delivery_lag_seconds_sum")
    frames = value("atelier_event_messages_total")
    naive = (now - timedelta(milliseconds=40)).replace(tzinfo=None)  # as the database returns it
    metrics.delivered(naive, 3, now=now)
    metrics.delivered(now + timedelta(seconds=2), 1, now=now)  # another host's clock runs ahead
    assert value("atelier_delivery_lag_seconds_count") == count + 2
    assert value("atelier_delivery_lag_seconds_sum") == pytest.approx(total + 0.04)
    assert value("atelier_event_messages_total") == frames + 4
