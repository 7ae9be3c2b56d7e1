"""Where image files live: an interface, and a local-folder implementation.

Keys are ``<workshop_id>/<random>-<size>.jpg``. The random part (128 bits) makes the URL a
capability: only someone who got the room state can know it. An S3-compatible store would
implement the same four methods.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Protocol


class ImageStore(Protocol):
    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes | None: ...

    def delete(self, key: str) -> None: ...

    def delete_workshop(self, workshop_id: int) -> None: ...


class LocalImageStore:
    """Files in a folder outside the static files, served only through the app."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"key escapes the store: {key!r}")
        return path

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        # Photos of people are personal data: readable by the server's own user only.
        descriptor = os.open(temporary, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
        os.replace(temporary, path)  # readers never see half a file

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, ValueError):
            return None

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except ValueError:
            return

    def delete_workshop(self, workshop_id: int) -> None:
        shutil.rmtree(self.root / str(workshop_id), ignore_errors=True)


SIZES = ("display", "thumb")


def file_key(image_key: str, size: str) -> str:
    return f"{image_key}-{size}.jpg"


def delete_image_files(store: ImageStore, image_key: str) -> None:
    for size in SIZES:
        store.delete(file_key(image_key, size))
