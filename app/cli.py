"""The ``atelier`` command: serve, migrate, create a facilitator, seed a demo workshop."""

from __future__ import annotations

import argparse
import sys

from app.exports.names import FILE_FORMATS
from app.settings import Settings


def serve(settings: Settings, *, host: str, port: int) -> int:
    """Run uvicorn with the socket limits chosen deliberately.

    Per-message deflate is off: messages are small JSON, and compression would cost each idle
    phone a zlib context (~64 KiB) on the server and open compression side channels. Frames above
    ``ws_max_size`` are refused by uvicorn with 1009; protocol pings find dead phones.

    ``X-Forwarded-For`` is believed only from ``ATELIER_TRUSTED_PROXIES`` (uvicorn's own
    ``forwarded_allow_ips``; its default would trust 127.0.0.1, so a local process could claim
    any address). With no proxies configured, proxy headers are not read at all: every limiter
    then keys on the real peer (:func:`app.web.client.client_address`).
    """
    import uvicorn

    from app.db import migrate
    from app.main import create_app

    migrate(settings.database_url)
    print(
        f"Opgave Atelier runs at {settings.public_url}  (database: {settings.database_url})",
        flush=True,
    )
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        ws="websockets-sansio",
        ws_max_size=settings.ws_max_size,
        ws_per_message_deflate=False,
        ws_ping_interval=settings.heartbeat_seconds,
        ws_ping_timeout=settings.heartbeat_seconds,
        log_level="info",
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies),
        server_header=False,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="atelier", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="run the server (migrates first)")
    run.add_argument("--host", default=None)
    run.add_argument("--port", type=int, default=None)
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
    export.add_argument(
        "--format",
        default="md",
        choices=list(FILE_FORMATS),
    )
    export.add_argument("--lang", default=None, choices=["nl", "en"])
    export.add_argument("--out", required=True)
    commands.add_parser(
        "retention", help="scrub participant details older than ATELIER_RETENTION_DAYS now"
    )
    args = parser.parse_args(argv)
    settings = Settings()

    if args.command == "serve":
        return serve(settings, host=args.host or settings.host, port=args.port or settings.port)
    if args.command == "migrate":
        from app.db import migrate

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
        from app.workshops.lifecycle import scrub_expired

        migrate(settings.database_url)
        scrubbed = scrub_expired(
            make_engine(settings.database_url), retention_days=settings.retention_days
        )
        print(f"Scrubbed {scrubbed} participants (retention: {settings.retention_days} days).")
        return 0
    if args.command == "seed-demo":
        from app.demo import seed_demo_command

        return seed_demo_command(settings)
    return 2


if __name__ == "__main__":
    sys.exit(main())
