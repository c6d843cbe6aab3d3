"""Validation never touches the network: run in a network namespace with no interfaces but
loopback (unshare -rn) and with the proxy variables pointed at a closed port, both
validators still give the same verdicts as on the open machine."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from pytest_kustomize.tools import require_tool

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = """
import json, sys, pytest_kustomize
from pytest_kustomize.validation import validate
res = pytest_kustomize.build(sys.argv[1])
text = res.to_yaml() + '''---
apiVersion: v1
kind: Service
metadata: {name: bad}
spec: {ports: [{port: "eighty"}]}
'''
out = {}
for v in ("kubeconform", "jsonschema"):
    rep = validate(text, validator=v, strict=True)
    out[v] = [(r.resource_id, r.status, sorted({e.path for e in r.errors})) for r in rep.results]
print(json.dumps(out))
"""


def _run(prefix, env):
    p = subprocess.run(prefix + [sys.executable, "-c", SCRIPT,
                                 os.path.join(ROOT, "examples", "shop", "overlays", "production")],
                       capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def test_no_network_needed(tmp_path):
    kubeconform = require_tool("kubeconform")
    env = dict(os.environ, PYTEST_KUSTOMIZE_KUBECONFORM=kubeconform,
               # a fresh schema cache, so the copies kubeconform reads are made offline too
               PYTEST_KUSTOMIZE_SCHEMA_CACHE=str(tmp_path / "schemas"))
    online = _run([], env)
    offline_env = dict(env, HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9",
                       http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9",
                       NO_PROXY="", no_proxy="")
    prefix = []
    if shutil.which("unshare") and subprocess.run(["unshare", "-rn", "true"]).returncode == 0:
        prefix = ["unshare", "-rn"]
    elif os.environ.get("CI") == "true":
        pytest.fail("unshare -rn is not available: cannot prove offline validation")
    shutil.rmtree(tmp_path / "schemas")
    offline = _run(prefix, offline_env)
    assert offline == online
    assert offline["kubeconform"] == offline["jsonschema"]
    statuses = {rid: s for rid, s, _ in offline["kubeconform"]}
    assert statuses["Service bad"] == "invalid"
    assert statuses["ServiceMonitor shop-prod/web"] == "skipped"
    assert list(statuses.values()).count("valid") == 6
