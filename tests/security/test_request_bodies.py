"""Request bodies against a real server: bounded before they are read, never echoed back."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.server import Server

LIMIT = 65_536


@pytest.fixture
def running(make_server: Any) -> Server:
    server: Server = make_server(ATELIER_MAX_UPLOAD_BYTES=str(200_000))
    server.start()
    return server


def raw_request(server: Server, head: str, body_start: bytes) -> bytes:
    """Send the head and only the start of the body, then read what the server answers.

    A server that reads the whole body before answering never answers here (the rest never
    comes); the socket timeout ends the test then, and the empty answer fails it.
    """
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as sock:
        sock.sendall(head.encode() + body_start)
        answer = b""
        try:
            while b"\r\n\r\n" not in answer:
                chunk = sock.recv(65_536)
                if not chunk:
                    break
                answer += chunk
        except TimeoutError:
            pass
    return answer


def test_a_declared_oversized_json_body_is_refused_unread(running: Server):
    declared = 200 * 1024 * 1024
    head = (
        "POST /api/join HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {declared}\r\n\r\n"
    )
    answer = raw_request(running, head, b'{"code": "' + b"A" * 10_000)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_a_chunked_body_is_counted_as_it_streams(running: Server):
    def chunks() -> Iterator[bytes]:
        yield b'{"code": "'
        for _ in range(64):  # 4 MiB in all, far past the limit; bounded by count
            yield b"A" * 65_536
        yield b'"}'

    response = httpx.post(
        f"{running.url}/api/join",
        content=chunks(),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 413, response.text[:200]
    assert len(response.content) < 500 and response.json()["code"] == "too_large"


def test_an_upload_is_refused_before_its_body_is_read_when_the_sender_may_not(
    running: Server,
):
    """No credentials: 401 while most of the (allowed-size) body is still unsent."""
    boundary = "xyz"
    start = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="p.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode() + b"\xff" * 1000
    head = (
        "POST /api/workshops/1/beelden HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {150_000}\r\n\r\n"
    )
    answer = raw_request(running, head, start)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]


def test_an_upload_over_its_limit_is_refused_by_length(running: Server):
    head = (
        "POST /api/workshops/1/beelden HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: multipart/form-data; boundary=xyz\r\n"
        f"Content-Length: {200 * 1024 * 1024}\r\n\r\n"
    )
    answer = raw_request(running, head, b"--xyz\r\n")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_validation_errors_name_the_field_but_never_echo_the_input(running: Server):
    marker = "SECRET-INPUT-" + "Z" * 30_000
    response = httpx.post(
        f"{running.url}/api/join",
        json={"code": marker, "stakeholder_group": "inwoner", "unexpected": marker},
        timeout=10,
    )
    assert response.status_code == 422
    assert "SECRET-INPUT" not in response.text
    assert len(response.content) < 2_000
    errors = response.json()["detail"]
    assert ["body", "code"] in [error["loc"] for error in errors]
    assert all("input" not in error and "ctx" not in error for error in errors)


@pytest.mark.parametrize(
    "body",
    [
        '{"code": "\\ud800\\ud800\\ud800\\ud800", "stakeholder_group": "inwoner"}',
        '{"code": "ABCDEF", "stakeholder_group": "\\udfff"}',
        '{"code": "ABCDEF", "stakeholder_group": "inwoner", "\\ud800": 1}',
    ],
    ids=["short-code", "in-a-valid-field", "as-a-key"],
)
def test_a_lone_surrogate_is_a_clean_client_error(running: Server, body: str):
    response = httpx.post(
        f"{running.url}/api/join",
        content=body.encode(),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    json.loads(response.text)  # a well-formed JSON answer, not a broken connection
