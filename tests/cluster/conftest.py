"""Fixtures of the cluster tests: two server processes on a PostgreSQL database and a Redis of
their own, stopped (and the database dropped) afterwards, whatever happened.

These tests make their own PostgreSQL database whichever database the rest of the suite runs on
(``ATELIER_TEST_DATABASE``): several processes need PostgreSQL. Without PostgreSQL or
``redis-server`` they are skipped locally and fail under ``CI=true``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.cluster.helpers import Cluster, running_cluster


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Callable[..., Cluster]]:
    """``cluster(**env)``: servers A and B with ``env``, for this test alone (it may break
    them)."""
    with ExitStack() as stack:
        yield lambda **env: stack.enter_context(running_cluster(tmp_path, **env))


@pytest.fixture(scope="module")
def shared_cluster(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    """Servers A and B shared by the tests of a module that leave them whole, with the
    module's ``CLUSTER_ENV``; each test takes a workshop of its own (``with_new_workshop()``)."""
    env: dict[str, str] = getattr(request.module, "CLUSTER_ENV", {})
    with running_cluster(tmp_path_factory.mktemp("cluster"), **env) as made:
        yield made
