"""``atelier backup``, ``restore`` and ``new-epoch``: copies that only their owner can read.

A backup holds participants' names and what they wrote, so every file made here is created with
mode 0600 before a byte is written (``os.open`` with ``O_EXCL``: never an existing file, never a
moment with wider rights). SQLite is copied with its own online backup API (a consistent copy of a
live database, WAL included); PostgreSQL with ``pg_dump -Fc`` when that program is on the path.
Photos go into a ``.tar.gz`` of the image folder, made with the standard library's ``tarfile``.

Restoring brings back events whose ``seq`` numbers the running log has since used for other
events, so a restore always ends with a new log epoch (:mod:`app.realtime.epoch`); ``new-epoch``
does only that, after a restore made with other tools (``pg_restore``).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sqlalchemy.engine import make_url

#: Read and written by their owner only.
PRIVATE = 0o600


class BackupRefused(Exception):
    """What the operator asked cannot be done as asked; nothing was written or changed."""


@contextmanager
def private_file(path: Path) -> Iterator[IO[bytes]]:
    """A new file at ``path``, mode 0600 from its creation; removed again if writing fails."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    except FileExistsError:
        raise BackupRefused(f"{path} exists already: choose another name") from None
    except OSError as exc:
        raise BackupRefused(f"cannot create {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def sqlite_path(database_url: str) -> Path | None:
    """The file of a SQLite URL; ``None`` for any other database."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise BackupRefused("an in-memory SQLite database has nothing to back up")
    return Path(url.database)


def back_up_database(database_url: str, out: Path) -> None:
    """Copy the database to ``out`` (mode 0600): SQLite's backup API, or ``pg_dump -Fc``."""
    source = sqlite_path(database_url)
    if source is None:
        _pg_dump(database_url, out)
        return
    if not source.exists():
        raise BackupRefused(f"no database at {source}")
    with private_file(out):
        pass  # created 0600 and empty; sqlite writes into it below
    try:
        live = sqlite3.connect(source)  # reads only; WAL mode lets the server go on writing
        copy = sqlite3.connect(out)
        try:
            live.backup(copy)
        finally:
            copy.close()
            live.close()
    except BaseException:
        out.unlink(missing_ok=True)
        raise


def _pg_dump(database_url: str, out: Path) -> None:
    program = shutil.which("pg_dump")
    if program is None:
        raise BackupRefused(
            "pg_dump is not installed here: run it where it is (docs/deploy.md, "
            '"Backups and restore"), or install the PostgreSQL client'
        )
    url = make_url(database_url).set(drivername="postgresql")
    dsn = url.render_as_string(hide_password=False)
    with private_file(out) as file:
        done = subprocess.run(
            [program, "-Fc", "--no-owner", "-d", dsn], stdout=file, stderr=subprocess.PIPE
        )
        if done.returncode != 0:
            message = done.stderr.decode(errors="replace").strip().splitlines()
            raise BackupRefused(f"pg_dump failed: {message[-1] if message else done.returncode}")


def back_up_photos(image_dir: Path, out: Path) -> int:
    """The photos folder as a ``.tar.gz`` at ``out`` (mode 0600); the number of files in it."""
    count = 0
    with private_file(out) as file, tarfile.open(fileobj=file, mode="w:gz") as archive:
        if image_dir.is_dir():
            for path in sorted(image_dir.rglob("*")):
                if path.is_file():
                    archive.add(path, arcname=str(path.relative_to(image_dir)), recursive=False)
                    count += 1
    return count


def restore_sqlite(database_url: str, backup: Path) -> None:
    """Put a SQLite backup in place of the database (the server must be stopped).

    Written through the backup API into the database file, so the file keeps its owner and mode
    and a stale ``-wal`` beside it is reset with it.
    """
    target = sqlite_path(database_url)
    if target is None:
        raise BackupRefused(
            "atelier restore puts back SQLite backups only; for PostgreSQL use pg_restore, "
            "then atelier migrate and atelier new-epoch (docs/deploy.md)"
        )
    if not backup.is_file():
        raise BackupRefused(f"no backup at {backup}")
    try:
        source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        check = source.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupRefused(f"{backup} is not a SQLite database ({exc})") from None
    try:
        if check is None or check[0] != "ok":
            raise BackupRefused(f"{backup} is damaged: {check}")
        tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master")}
        if "workshop" not in tables or "alembic_version" not in tables:
            raise BackupRefused(f"{backup} is not a backup of Opgave Atelier")
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not target.exists():
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT, PRIVATE))
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()


def restore_photos(archive_path: Path, image_dir: Path) -> int:
    """Replace the photos folder with an archive made by :func:`back_up_photos`; files restored.

    Only plain files with plain relative names are taken (``tarfile``'s ``data`` filter), so an
    archive cannot write outside the folder.
    """
    if not archive_path.is_file():
        raise BackupRefused(f"no photo archive at {archive_path}")
    incoming = image_dir.with_name(image_dir.name + ".restoring")
    shutil.rmtree(incoming, ignore_errors=True)
    incoming.mkdir(mode=0o700, parents=True)
    try:
        with tarfile.open(archive_path, mode="r:gz") as archive:
            members = [m for m in archive.getmembers() if m.isfile()]
            archive.extractall(incoming, members=members, filter="data")
    except (tarfile.TarError, OSError) as exc:
        shutil.rmtree(incoming, ignore_errors=True)
        raise BackupRefused(f"{archive_path} is not a photo archive ({exc})") from None
    old = image_dir.with_name(image_dir.name + ".before-restore")
    shutil.rmtree(old, ignore_errors=True)
    if image_dir.exists():
        image_dir.rename(old)
    incoming.rename(image_dir)
    shutil.rmtree(old, ignore_errors=True)
    return len(members)
