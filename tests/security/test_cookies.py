"""On https every cookie that carries a credential uses the ``__Host-`` prefix.

A ``__Host-`` cookie must be Secure, Path=/ and without Domain, so a sibling subdomain or a plain
http page cannot plant or overwrite it.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.realtime.helpers import join
from tests.support.server import facilitator_with_workshop


def test_participant_cookies_are_host_prefixed_on_https(make_server: Any):
    # Set up over http (a Secure session cookie would not come back over plain http) ...
    setup = make_server()
    setup.start()
    facilitator, workshop = facilitator_with_workshop(setup)
    facilitator.close()
    setup.stop()
    # ... then serve the same database as the https deployment it would be.
    server = make_server(ATELIER_PUBLIC_URL="https://atelier.example.nl")
    server.start()
    response = httpx.post(
        f"{server.url}/api/join",
        json={"code": workshop["join_code"], "display_name": None, "stakeholder_group": "inwoner"},
        timeout=10,
    )
    assert response.status_code == 201
    cookies = response.headers.get_list("set-cookie")
    participant = [c for c in cookies if "atelier_participant_" in c]
    assert participant and participant[0].startswith(
        f"__Host-atelier_participant_{workshop['id']}="
    )
    attributes = participant[0].lower()
    assert "secure" in attributes and "path=/" in attributes and "domain=" not in attributes


def test_on_plain_http_in_development_the_names_stay_plain(make_server: Any):
    server = make_server()
    server.start()
    facilitator, workshop = facilitator_with_workshop(server)
    joined = join(server, workshop["join_code"], None, "inwoner")
    page = httpx.get(
        f"{server.url}/w/{workshop['id']}",
        cookies={f"atelier_participant_{workshop['id']}": joined["token"]},
        timeout=10,
    )
    assert page.status_code == 200 and "join" not in str(page.url)
    facilitator.close()
