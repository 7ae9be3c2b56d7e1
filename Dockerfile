# Opgave Atelier — one process, SQLite in /data by default; set ATELIER_DATABASE_URL for PostgreSQL.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
# app/guide/ links to the facilitator guide in docs/; the wheel gets the files themselves.
COPY docs/facilitator.md docs/facilitator.en.md ./docs/
COPY app ./app
# The "suggest" extra: cluster and duplicate suggestions from a model that runs in this image.
RUN python -m venv /opt/atelier && /opt/atelier/bin/pip install ".[suggest]"

FROM python:3.11-slim
ENV PATH=/opt/atelier/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    ATELIER_ENVIRONMENT=production \
    ATELIER_DATA_DIR=/data \
    ATELIER_HOST=0.0.0.0 \
    ATELIER_PORT=8000 \
    ATELIER_MIGRATIONS_DIR=/opt/atelier/migrations
RUN useradd --system --uid 10001 --home /data atelier && mkdir -m 700 /data && chown atelier /data
COPY --from=build /opt/atelier /opt/atelier
COPY migrations /opt/atelier/migrations
USER atelier
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
# ATELIER_SECRET_KEY (≥ 32 random characters, e.g. `openssl rand -base64 48`) and an https://
# ATELIER_PUBLIC_URL must be set when running. Behind a reverse proxy, name it in
# ATELIER_TRUSTED_PROXIES (JSON list, e.g. ["10.0.0.5"]): `atelier serve` passes exactly that list
# to uvicorn as forwarded_allow_ips, and X-Forwarded-For from anyone else is ignored. Set
# ATELIER_RETENTION_DAYS (e.g. 90) to scrub participant details after that many quiet days.
CMD ["atelier", "serve"]
