"""The phone's back-off is capped: after servers restart one after the other it is back within
a few seconds of one being ready, however long they were away.

Runs app/static/js/socket.js itself in Node (``tests/web/reconnect.mjs``) against sockets that
close at once, and reads the waits the ``Room`` chose.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.support.databases import unavailable

HARNESS = Path(__file__).with_name("reconnect.mjs")
#: A phone that has failed this often has been away far longer than any restart.
ATTEMPTS = 40


def test_reconnect_and_resend_waits_are_capped():
    node = shutil.which("node")
    if node is None:
        unavailable("node is needed to run the browser's socket module")
    assert node is not None
    done = subprocess.run(
        [node, str(HARNESS), str(ATTEMPTS)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    waits, cap = result["reconnects"], result["max"]
    assert cap <= 5_000, "back within a few seconds of a server being ready"
    assert len(waits) == ATTEMPTS
    assert all(0 < wait <= cap for wait in waits), waits
    assert waits[0] <= 500, "the first retry is quick: most closes are a blip"
    assert min(waits[10:]) >= cap / 2, "grown to the cap (jitter: half to all of it)"
    resends, resend_cap = result["resends"], result["resendMax"]
    assert all(0 < wait <= resend_cap for wait in resends), resends
    assert resends[0] <= 2_000 and min(resends[8:]) >= resend_cap / 2, resends
