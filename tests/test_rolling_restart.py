"""``deploy/rolling-restart``: one target at a time, the next only once the one before is ready,
and a target that never gets ready stops the script before anything else is restarted.

The restart and readiness commands are the operator's own (``docker compose``, ``systemctl``,
``curl``); here they are shell commands that write down what happened and a readiness that comes
after a delay, so what is tested is the script's own order and waiting."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "deploy" / "rolling-restart"


def run(
    tmp_path: Path, *targets: str, ready: str, timeout: int = 10
) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        # each restart is written down with the time it happened, and undoes the target's readiness
        "RESTART": f'rm -f {tmp_path}/{{}}.ready; echo "{{}} $(date +%s.%N)" >> {tmp_path}/log',
        "READY": ready,
        "TIMEOUT": str(timeout),
        "SETTLE": "0",
    }
    return subprocess.run(
        ["bash", str(SCRIPT), *targets],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def restarts(tmp_path: Path) -> list[tuple[str, float]]:
    log = tmp_path / "log"
    lines = log.read_text().split("\n") if log.exists() else []
    return [(name, float(at)) for name, at in (line.split() for line in lines if line)]


def test_each_target_restarts_only_after_the_one_before_is_ready(tmp_path: Path):
    became_ready: dict[str, float] = {}

    def ready_later() -> None:
        """Marks each target ready 1.5 s after its restart was written down."""
        deadline = time.monotonic() + 30
        while len(became_ready) < 2 and time.monotonic() < deadline:
            for name, at in restarts(tmp_path):
                if name not in became_ready and time.time() >= at + 1.5:
                    (tmp_path / f"{name}.ready").touch()
                    became_ready[name] = time.time()
            time.sleep(0.1)

    helper = threading.Thread(target=ready_later, daemon=True)
    helper.start()
    result = run(tmp_path, "app1", "app2", ready=f"test -f {tmp_path}/{{}}.ready")
    helper.join(timeout=30)

    assert result.returncode == 0, result.stdout + result.stderr
    done = restarts(tmp_path)
    assert [name for name, _ in done] == ["app1", "app2"]
    assert done[1][1] >= became_ready["app1"] - 0.05, "app2 restarted before app1 was ready"
    assert "app1 is ready" in result.stdout and "rolling-restart: done" in result.stdout


def test_a_target_that_never_gets_ready_stops_the_roll(tmp_path: Path):
    result = run(tmp_path, "app1", "app2", ready="false", timeout=2)

    assert result.returncode == 1
    assert [name for name, _ in restarts(tmp_path)] == ["app1"], "app2 must keep serving"
    assert "app1 is not ready after 2s; stopping here" in result.stderr
