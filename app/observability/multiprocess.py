"""prometheus-client's multiprocess mode: one directory of metric files shared by the workers.

``atelier serve --workers N`` runs N processes behind one port, so a scrape of ``/metrics`` lands
on one of them at random. With ``PROMETHEUS_MULTIPROC_DIR`` set (before the first import of
``prometheus_client`` in a process) every worker writes its values to files in that directory and
``/metrics`` in any worker adds up the files of all of them. Without it, each process exposes its
own default registry.

This module does not import ``prometheus_client`` at import time: :func:`for_workers` runs in the
``atelier serve`` parent before the workers exist, and must not fix that process's mode by
importing it early.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"

#: ``gauge_livesum_1234.db``: the files of "live" gauges, which vanish with their process.
_LIVE_GAUGE_FILE = re.compile(r"^gauge_live[a-z]+_(\d+)\.db$")


def configured_dir() -> Path | None:
    """The directory named by ``PROMETHEUS_MULTIPROC_DIR``, or ``None`` when it is unset."""
    value = os.environ.get(ENV, "").strip()
    return Path(value) if value else None


def check_dir(path: Path) -> None:
    """Fail at start-up, with a clear message, on a directory the workers cannot write to."""
    if not path.is_dir():
        raise RuntimeError(f"{ENV}={path} is not a directory: create it (empty) before starting")
    if not os.access(path, os.W_OK | os.X_OK):
        raise RuntimeError(f"{ENV}={path} is not writable by this process")


def alive(pid: int) -> bool:
    """Whether a process with this id runs (on this host: the workers share one machine)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, as another user
        return True
    return True


def live_gauge_pids(path: Path) -> set[int]:
    """Process ids that have live-gauge files in ``path``."""
    pids = set()
    try:
        names = os.listdir(path)
    except FileNotFoundError:
        return set()
    for name in names:
        match = _LIVE_GAUGE_FILE.match(name)
        if match:
            pids.add(int(match.group(1)))
    return pids


def sweep(path: Path, *, this_process_starts: bool = False) -> list[int]:
    """``mark_process_dead`` for every process with live-gauge files that no longer runs.

    A worker that crashed (or was killed) never says goodbye; uvicorn starts a new one with a new
    id. Its open sockets and rooms would count for ever, so every scrape sweeps them. With
    ``this_process_starts`` the files of this very process id go too: left by an earlier process
    that had the same id (ids repeat in containers), before this one has written any.
    """
    from prometheus_client.multiprocess import mark_process_dead

    me = os.getpid()
    swept = []
    for pid in sorted(live_gauge_pids(path)):
        if (pid == me and this_process_starts) or (pid != me and not alive(pid)):
            with suppress(FileNotFoundError):  # another worker swept it at the same moment
                mark_process_dead(pid, str(path))  # type: ignore[no-untyped-call]
            swept.append(pid)
    return swept


@contextmanager
def for_workers(workers: int) -> Iterator[Path | None]:
    """For ``atelier serve``: the metrics directory its workers share, set in the environment.

    If the operator set ``PROMETHEUS_MULTIPROC_DIR``, that directory is used (and kept). Else,
    with more than one worker, a fresh private temporary directory is made, exported to the
    workers (they inherit the environment) and removed when the server stops. With one worker
    and no directory, nothing changes: the process exposes its own registry.

    Enter it before the app is imported or the workers are started.
    """
    path = configured_dir()
    if path is not None:
        check_dir(path)
        yield path
        return
    if workers <= 1:
        yield None
        return
    made = Path(tempfile.mkdtemp(prefix="atelier-metrics-"))  # mode 0700
    os.environ[ENV] = str(made)
    try:
        yield made
    finally:
        os.environ.pop(ENV, None)
        shutil.rmtree(made, ignore_errors=True)
