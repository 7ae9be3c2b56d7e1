"""A restored backup starts a new epoch of the log: a phone resuming with a seq from before gets a
snapshot, never a replay of numbers that now name other events.

SQLite whatever ``ATELIER_TEST_DATABASE`` says: ``atelier restore`` puts back SQLite backups
(PostgreSQL is restored with ``pg_restore`` and ``atelier new-epoch``, docs/deploy.md).
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from app import cli
from tests.realtime.helpers import facilitator_client, goto, participant_clients
from tests.support.client import RoomClient
from tests.support.server import Server, facilitator_with_workshop

pytestmark = pytest.mark.anyio

KEPT = "Een bushalte zonder bankje"
LOST = "Geschreven na de back-up"
AFTER = ("Eerst na het terugzetten", "Tweede na het terugzetten")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def atelier(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``atelier …`` in this process (the server's settings are in the environment)."""
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


async def test_a_restore_gets_a_new_epoch_and_an_old_seq_gets_a_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    database = tmp_path / "atelier.db"
    server = Server(data_dir=tmp_path, database_url=f"sqlite:///{database}")
    for name, value in server.env().items():
        if name.startswith("ATELIER_"):
            monkeypatch.setenv(name, value)
    backup, photos = tmp_path / "backup.db", tmp_path / "photos.tar.gz"
    server.start()
    try:
        fac_http, workshop = facilitator_with_workshop(server)
        fac = await facilitator_client(server, workshop, fac_http.cookie_header)
        (annie,) = await participant_clients(server, workshop, [("Annie", "inwoner")])
        await goto(fac, "factoren")
        await annie.command("card.post", kind="factor", text=KEPT)
        image = tmp_path / "images" / "ab" / "photo.webp"
        image.parent.mkdir(parents=True)
        image.write_bytes(b"RIFF-a-photo")

        code, _, err = atelier(
            "backup", "--out", str(backup), "--photos", str(photos), capsys=capsys
        )
        assert code == 0, err
        assert mode(backup) == 0o600 and mode(photos) == 0o600, "readable by their owner only"
        code, _, err = atelier("backup", "--out", str(backup), capsys=capsys)
        assert code == 2 and "exists already" in err, "never overwritten"

        await annie.command("card.post", kind="factor", text=LOST)
        await fac.until_seq(annie.last_seq)
        seq, state, epoch = annie.last_seq, annie.state, annie.epoch
        assert epoch and LOST in {c["text"] for c in state["cards"].values()}
        for client in (fac, annie):
            await client.close()
        server.stop()

        image.unlink()
        code, _, err = atelier("restore", str(photos), capsys=capsys)  # not a database
        assert code == 2 and "not a SQLite database" in err, err
        code, out, err = atelier("restore", str(backup), "--photos", str(photos), capsys=capsys)
        assert code == 0, err
        assert "new epoch" in out
        assert image.read_bytes() == b"RIFF-a-photo", "the photos came back too"

        server.start()
        fac = await facilitator_client(server, workshop, fac_http.cookie_header)
        for text in AFTER:  # the numbers after the backup are used again, for other cards
            await fac.command("card.post", kind="factor", text=text)
        assert fac.last_seq >= seq, "a plain replay from the old seq would have been possible"

        back = await RoomClient.connect(
            server.ws_url,
            workshop["id"],
            token=annie.token,
            last_seq=seq,
            state=state,
            epoch=epoch,
            name="back",
        )
        assert back.snapshot is not None, "another epoch: a snapshot, not a replay"
        assert back.snapshot["recovered"] is False
        assert back.snapshot["epoch"] != epoch
        assert back.welcome is not None and back.welcome["epoch"] == back.snapshot["epoch"]
        texts = [c["text"] for c in back.state["cards"].values()]
        assert LOST not in texts, "a card lost with the restore stays on no phone"
        assert sorted(texts) == sorted([KEPT, *AFTER])
        for client in (fac, back):
            await client.close()
        fac_http.close()
    finally:
        server.stop()
