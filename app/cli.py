"""The ``atelier`` command: serve, migrate, create a facilitator, seed a demo workshop;
``--version`` says which release it is."""

from __future__ import annotations

import argparse
import json
import logging
import logging.config
import os
import re
import sys
from contextlib import ExitStack
from typing import Any

from pydantic import ValidationError
from pydantic_settings import SettingsError

from app.exports.registry import BY_NAME as EXPORT_FORMATS
from app.settings import WILDCARD_HOSTS, Settings, listening_url, normalised_origin

SQLITE_ONE_PROCESS = (
    "SQLite allows one server process; use PostgreSQL "
    "(ATELIER_DATABASE_URL=postgresql+psycopg://…) for --workers N"
)
SHARED_STATE_HINT = (
    "{workers} worker processes without ATELIER_REDIS_URL: presence and rate limits are counted "
    "in each process on its own (set ATELIER_REDIS_URL=redis://… to share them)."
)


class Refused(Exception):
    """A reason not to start, said in one sentence; the command exits with 2."""


def load_settings() -> Settings:
    """The settings from the environment, or :class:`Refused` naming each bad variable."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = error["msg"].removeprefix("Value error, ")
            name = f"ATELIER_{str(error['loc'][0]).upper()}: " if error["loc"] else ""
            problems.append(f"{name}{message}")
        raise Refused("configuration: " + "; ".join(problems)) from None
    except SettingsError as exc:  # a list or number that does not parse
        field = re.search(r'field "(\w+)"', str(exc))
        name = f"ATELIER_{field.group(1).upper()}" if field else "a setting"
        raise Refused(
            f"configuration: {name} does not parse ({exc.__cause__ or exc}); lists are JSON, "
            'e.g. ATELIER_ALLOWED_ORIGINS=["http://192.168.1.20:8000"]'
        ) from None


def _shown_database(url: str) -> str:
    """The database URL without its password, for the start-up line."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split(":", 1)[0] + ":…"


def serve(settings: Settings, *, host: str, port: int) -> int:
    """Run uvicorn with the socket limits chosen deliberately.

    Per-message deflate is off: messages are small JSON, and compression would cost each idle
    phone a zlib context (~64 KiB) on the server and open compression side channels. Frames above
    ``ws_max_size`` are refused by uvicorn with 1009; protocol pings find dead phones.

    ``X-Forwarded-For`` is believed only from ``ATELIER_TRUSTED_PROXIES`` (uvicorn's own
    ``forwarded_allow_ips``; its default would trust 127.0.0.1, so a local process could claim
    any address). With no proxies configured, proxy headers are not read at all: every limiter
    then keys on the real peer (:func:`app.web.client.client_address`).

    With ``ATELIER_WORKERS`` above 1, uvicorn starts that many processes, each of which makes
    its own app with :func:`app.main.create_app` from the environment: whatever the command
    worked out (``--lan``'s public URL and allowed origins, ``--log-format``) must be in
    ``os.environ`` before this is called (:func:`serve_command` puts it there). The schema is
    migrated here, once, before any worker starts.
    """
    import uvicorn

    from app.db import migrate
    from app.logs import log_config
    from app.observability.multiprocess import for_workers

    if settings.workers > 1 and _is_sqlite(settings.database_url):
        raise Refused(SQLITE_ONE_PROCESS)
    logging_config = worker_crashes_as_errors(log_config(settings.log_format, settings.log_level))
    logging.config.dictConfig(logging_config)  # the lines before uvicorn's look like its own
    with ExitStack() as metrics:
        # The workers' shared metrics directory goes into the environment before the app (and
        # with it prometheus_client) is imported anywhere (app/observability/multiprocess.py).
        try:
            metrics.enter_context(for_workers(settings.workers))
        except RuntimeError as exc:  # PROMETHEUS_MULTIPROC_DIR is not a writable directory
            raise Refused(str(exc)) from None
        migrate(settings.database_url)
        if settings.workers > 1:  # one first-facilitator link, not one per worker
            from app.accounts.service import announce_setup_link
            from app.db import make_engine

            engine = make_engine(settings.database_url)
            announce_setup_link(engine, settings)
            engine.dispose()
        where = f"Opgave Atelier runs at {settings.public_url}  "
        where += f"(database: {_shown_database(settings.database_url)}"
        where += f"; {settings.workers} worker processes)" if settings.workers > 1 else ")"
        if settings.log_format == "json":
            logging.getLogger("app.cli").info(where)
        else:
            print(where, flush=True)
        if settings.workers > 1 and not settings.redis_url:
            hint = SHARED_STATE_HINT.format(workers=settings.workers)
            logging.getLogger("app.cli").warning(hint)
        options: dict[str, Any] = {
            "host": host,
            "port": port,
            "ws": "websockets-sansio",
            "ws_max_size": settings.ws_max_size,
            "ws_per_message_deflate": False,
            "ws_ping_interval": settings.heartbeat_seconds,
            "ws_ping_timeout": settings.heartbeat_seconds,
            "log_config": logging_config,
            "log_level": "info",
            "proxy_headers": bool(settings.trusted_proxies),
            "forwarded_allow_ips": list(settings.trusted_proxies),
            "server_header": False,
        }
        if settings.workers > 1:
            uvicorn.run("app.main:create_app", factory=True, workers=settings.workers, **options)
        else:
            from app.main import create_app

            uvicorn.run(create_app(settings), **options)
    return 0


#: What uvicorn's supervisor (``uvicorn.supervisors.multiprocess``) logs, at INFO, when a worker
#: process it did not stop has gone; it then starts a new one. ``tests/test_cli_serve.py`` kills
#: a worker to hold this to the installed uvicorn.
WORKER_DIED: re.Pattern[str] = re.compile(r"^Child process \[(\d+)\] died$")


class WorkerCrashIsAnError(logging.Filter):
    """A worker that crashed (or was killed) is an error, not news: raise uvicorn's INFO line.

    Its sockets were cut and its requests lost, and a worker that keeps dying must reach the
    operator's alerts, which watch for errors. The record keeps its logger (``uvicorn.error``).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        found = WORKER_DIED.match(record.getMessage()) if record.levelno < logging.ERROR else None
        if found is not None:
            record.levelno, record.levelname = logging.ERROR, "ERROR"
            record.msg = "Worker process [%s] ended unexpectedly; starting a new one"
            record.args = (int(found.group(1)),)
        return True


def worker_crashes_as_errors(config: dict[str, Any]) -> dict[str, Any]:
    """``config`` (a dictConfig dictionary) with :class:`WorkerCrashIsAnError` on uvicorn's log.

    Names only, as the rest of the dictionary: uvicorn applies it again in each process.
    """
    config["filters"]["worker_crash"] = {"()": "app.cli.WorkerCrashIsAnError"}
    logger = config["loggers"].setdefault("uvicorn.error", {"level": "INFO"})
    logger["filters"] = [*logger.get("filters", []), "worker_crash"]
    return config


def _is_sqlite(database_url: str) -> bool:
    return database_url.split(":", 1)[0].split("+", 1)[0].lower() == "sqlite"


def lan_environment(settings: Settings, url: str) -> dict[str, str]:
    """The variables ``--lan`` sets: ``url`` among the allowed origins, and as the public URL
    unless ``ATELIER_PUBLIC_URL`` was set (then that stays the address the app links to)."""
    origins = list(settings.allowed_origins)
    if normalised_origin(url) not in origins:
        origins.append(normalised_origin(url))
    environment = {"ATELIER_ALLOWED_ORIGINS": json.dumps(origins)}
    if "public_url" not in settings.model_fields_set:
        environment["ATELIER_PUBLIC_URL"] = url
    return environment


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def listening_environment(
    settings: Settings, *, host: str, port: int, lan_address: str | None
) -> dict[str, str]:
    """Without ``ATELIER_PUBLIC_URL``: the address the server listens on as the public URL.

    ``--port 8101`` alone must give a printed address, a setup link, a join URL and a QR code
    that lead here, and pages and a socket that work. Listening on every interface
    (``0.0.0.0``), the public URL is this computer's address on the local network (as
    ``--lan`` picks it), so phones can follow the QR code; else loopback. Loopback's other
    names (``localhost``, ``[::1]``) are allowed origins beside it when the server answers
    there, so a browser opened at ``http://localhost:8101`` connects too. The public URL is
    then set as if configured, so a page opened under any other address says which to open.
    """
    if "public_url" in settings.model_fields_set:
        return {}
    wildcard = host.strip("[]") in WILDCARD_HOSTS
    url = listening_url(host, port, wildcard=lan_address or "127.0.0.1")
    origins = list(settings.allowed_origins)
    if wildcard or host.strip("[]") in LOOPBACK_HOSTS:
        for name in LOOPBACK_HOSTS:
            origin = listening_url(name, port)
            if origin != url and origin not in origins:
                origins.append(origin)
    environment = {"ATELIER_PUBLIC_URL": url}
    if origins != list(settings.allowed_origins):
        environment["ATELIER_ALLOWED_ORIGINS"] = json.dumps(origins)
    return environment


def serve_command(args: argparse.Namespace) -> int:
    """``atelier serve``: the flags into the environment (so workers see them), then serve."""
    from app import lan

    if args.workers is not None:
        os.environ["ATELIER_WORKERS"] = str(args.workers)
    if args.log_format is not None:
        os.environ["ATELIER_LOG_FORMAT"] = args.log_format
    settings = load_settings()
    if settings.workers > 1 and _is_sqlite(settings.database_url):
        raise Refused(SQLITE_ONE_PROCESS)
    port = args.port or settings.port
    host = args.host or settings.host
    if args.lan or args.lan_address is not None:
        if settings.environment == "production":
            raise Refused(
                "--lan serves plain http on the local network, for a workshop in a room; "
                "it does not run with ATELIER_ENVIRONMENT=production"
            )
        candidates = lan.this_computers_addresses()
        if args.lan_address is not None:
            problem = lan.local_address_problem(args.lan_address)
            if problem is not None:
                raise Refused(problem)
            address = args.lan_address
        elif candidates:
            address = candidates[0].address
        else:
            raise Refused(lan.NOT_FOUND)
        os.environ.update(lan_environment(settings, lan.lan_url(address, port)))
        settings = load_settings()
        if args.host is None and "host" not in settings.model_fields_set:
            host = address  # this network only, not every interface of the laptop
        others = [c for c in candidates if c.address != address]
        lan.print_banner(address, port, others=others)
    elif "public_url" not in settings.model_fields_set:
        wildcard = host.strip("[]") in WILDCARD_HOSTS
        found = lan.this_computers_addresses() if wildcard else []
        address = found[0].address if found else None
        os.environ.update(
            listening_environment(settings, host=host, port=port, lan_address=address)
        )
        settings = load_settings()
    return serve(settings, host=host, port=port)


def version_line() -> str:
    """``atelier 0.1.0``, with the commit and build date when the image recorded them."""
    from app.version import build_info

    info = build_info()
    parts = (info.commit and f"commit {info.commit}", info.date and f"built {info.date}")
    built = ", ".join(part for part in parts if part)
    return f"atelier {info.version}" + (f" ({built})" if built else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="atelier", description=__doc__)
    parser.add_argument("--version", action="version", version=version_line())
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="run the server (migrates first)")
    run.add_argument("--host", default=None, help="listen here (default: ATELIER_HOST)")
    run.add_argument("--port", type=int, default=None, help="default: ATELIER_PORT")
    run.add_argument(
        "--lan",
        action="store_true",
        help="serve a room on the local network: listen on this computer's Wi-Fi address, "
        "make it the public URL (unless ATELIER_PUBLIC_URL is set) and print it with a QR code",
    )
    run.add_argument(
        "--lan-address",
        metavar="ADDRESS",
        default=None,
        help="with several networks: the IPv4 address to use (implies --lan)",
    )
    run.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="server processes (default: ATELIER_WORKERS); more than one needs PostgreSQL",
    )
    run.add_argument(
        "--log-format",
        choices=["text", "json"],
        default=None,
        help="json: one JSON object per log line (default: ATELIER_LOG_FORMAT)",
    )
    commands.add_parser("migrate", help="bring the database schema up to date")
    create = commands.add_parser("create-facilitator", help="create a facilitator account")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin"
    )
    reset = commands.add_parser("reset-password", help="set a new password; ends all sessions")
    reset.add_argument("--email", required=True)
    reset.add_argument("--password-stdin", action="store_true", help="read it from stdin")
    for verb in ("disable", "enable"):
        toggle = commands.add_parser(f"{verb}-facilitator", help=f"{verb} a facilitator account")
        toggle.add_argument("--email", required=True)
    commands.add_parser("seed-demo", help="add a demo trajectory with a workshop in progress")
    export = commands.add_parser("export", help="write a workshop's summary to a file")
    export.add_argument("workshop_id", type=int)
    export.add_argument("--format", default="md", choices=list(EXPORT_FORMATS))
    export.add_argument("--lang", default=None, choices=["nl", "en"])
    export.add_argument("--out", required=True)
    commands.add_parser(
        "retention",
        help="scrub participant details older than ATELIER_RETENTION_DAYS and withdrawn or"
        " replaced card texts from the event log, now",
    )
    add_backup_commands(commands)
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except Refused as refusal:
        print(f"atelier: {refusal}", file=sys.stderr, flush=True)
        return 2
    except Exception as exc:
        from app.db import SchemaTooNew  # imported by now if it was raised: no cost otherwise

        if not isinstance(exc, SchemaTooNew):
            raise
        print(f"atelier: {exc}", file=sys.stderr, flush=True)
        return 2


def _run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        return serve_command(args)
    settings = load_settings()

    if args.command == "migrate":
        from app.db import migrate
        from app.logs import log_config

        logging.config.dictConfig(log_config(settings.log_format, settings.log_level))
        migrate(settings.database_url)
        return 0
    if args.command == "create-facilitator":
        from app.accounts.cli import create_facilitator_command

        return create_facilitator_command(
            settings, email=args.email, name=args.name, password_stdin=args.password_stdin
        )
    if args.command == "reset-password":
        from app.accounts.cli import reset_password_command

        return reset_password_command(
            settings, email=args.email, password_stdin=args.password_stdin
        )
    if args.command in ("disable-facilitator", "enable-facilitator"):
        from app.accounts.cli import set_disabled_command

        disabled = args.command == "disable-facilitator"
        return set_disabled_command(settings, email=args.email, disabled=disabled)
    if args.command == "export":
        from app.exports.cli import export_command

        return export_command(
            settings,
            workshop_id=args.workshop_id,
            fmt=args.format,
            language=args.lang,
            out=args.out,
        )
    if args.command == "retention":
        from app.db import make_engine, migrate
        from app.workshops.lifecycle import run_retention

        migrate(settings.database_url)
        done = run_retention(
            make_engine(settings.database_url),
            retention_days=settings.retention_days,
            whole_log=True,
        )
        days = settings.retention_days
        print(f"Scrubbed {done.participants} participants (retention: {days} days).")
        print(f"Forgot withdrawn and replaced card texts in {done.card_events} events.")
        if not done.checkpointed:
            print("The database was busy: its WAL was not truncated; run this again.")
        return 0
    if args.command == "seed-demo":
        from app.demo import seed_demo_command

        return seed_demo_command(settings)
    if args.command in BACKUP_COMMANDS:
        return backup_command(args, settings)
    return 2


# ------------------------------------------------------------------------- backup and restore

BACKUP_COMMANDS = ("backup", "restore", "new-epoch")


def add_backup_commands(commands: Any) -> None:
    """``atelier backup``, ``atelier restore`` and ``atelier new-epoch`` (see app/backups.py)."""
    backup = commands.add_parser(
        "backup", help="copy the database (and the photos) into new files only you can read"
    )
    backup.add_argument("--out", required=True, help="the database copy (a new file)")
    backup.add_argument("--photos", default=None, help="also the photos, as this .tar.gz")
    restore = commands.add_parser(
        "restore",
        help="put a SQLite backup (and photos) back, with a new log epoch; stop the server first",
    )
    restore.add_argument("backup", help="a file made by atelier backup (SQLite)")
    restore.add_argument("--photos", default=None, help="a .tar.gz made by atelier backup")
    commands.add_parser(
        "new-epoch",
        help="after restoring with other tools (pg_restore): phones resume from a fresh snapshot",
    )


def backup_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run one of :data:`BACKUP_COMMANDS`; a refusal is one line on stderr and exit code 2."""
    from pathlib import Path

    from app import backups
    from app.db import make_engine, migrate
    from app.realtime.epoch import new_epoch

    try:
        if args.command == "backup":
            backups.back_up_database(settings.database_url, Path(args.out))
            print(f"Database written to {args.out} (readable by you only).")
            if args.photos:
                count = backups.back_up_photos(settings.image_dir, Path(args.photos))
                print(f"{count} photo files written to {args.photos} (readable by you only).")
            return 0
        if args.command == "restore":
            backups.restore_sqlite(settings.database_url, Path(args.backup))
            if args.photos:
                count = backups.restore_photos(Path(args.photos), settings.image_dir)
                print(f"{count} photo files restored into {settings.image_dir}.")
        migrate(settings.database_url)  # a backup of an older version is brought up to date
        engine = make_engine(settings.database_url)
        try:
            epoch = new_epoch(engine)
        finally:
            engine.dispose()
        if args.command == "restore":
            print(f"Database restored from {args.backup}.")
        print(f"The event log's new epoch is {epoch}: phones resume from a fresh snapshot.")
        return 0
    except backups.BackupRefused as refusal:
        print(f"atelier: {refusal}", file=sys.stderr, flush=True)
        return 2


if __name__ == "__main__":
    sys.exit(main())
