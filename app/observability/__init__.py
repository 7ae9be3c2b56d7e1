"""Observability: Prometheus metrics, liveness and readiness (docs/observability.md).

:mod:`app.observability.metrics` holds the metric objects and the small functions the engine
calls to record them; it imports nothing of the app, so any module may import it.
:mod:`app.observability.health` serves ``/healthz``, ``/readyz`` and ``/metrics``.
"""
