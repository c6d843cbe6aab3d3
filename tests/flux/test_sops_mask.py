"""The flux CLI's masking of SOPS-encrypted Secrets, compared with the flux CLI itself
(``flux build kustomization --dry-run``, flux2 v2.9.4 built from source by
``scripts/install-tools flux``): which values are masked and how, the ``sops`` field dropped,
dockerconfigjson Secrets, plain Secrets untouched, and Go's base64 errors with their offsets."""
from __future__ import annotations

import base64
import os
import subprocess
import sys
import tempfile
import textwrap

import pytest

from pytest_kustomize.flux.sops import Base64Error, go_b64decode
from pytest_kustomize.tools import require_tool

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: app, namespace: flux-system}
spec:
  interval: 1m
  path: ./app
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
"""
SOPS_META = """\
sops:
  age:
  - recipient: age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq
    enc: |
      -----BEGIN AGE ENCRYPTED FILE-----
      YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBhYmMK
      -----END AGE ENCRYPTED FILE-----
  lastmodified: "2024-05-01T10:00:00Z"
  mac: ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]
  unencrypted_suffix: _unencrypted
  version: 3.8.1
"""
ENC = "ENC[AES256_GCM,data:ZGF0YQ==,iv:aXY=,tag:dGFn,type:str]"


def b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


CASES = {
    "encrypted-opaque": textwrap.dedent("""\
        apiVersion: v1
        kind: Secret
        metadata: {name: enc}
        type: Opaque
        data:
          token: %s
          other: %s
        stringData:
          password: %s
        """ % (ENC, ENC, ENC)).rstrip(" ") + SOPS_META,
    "encrypted-no-type": textwrap.dedent("""\
        apiVersion: v1
        kind: Secret
        metadata: {name: enc}
        stringData:
          a: %s
          b_unencrypted: plain
        """ % ENC).rstrip(" ") + SOPS_META,
    "encrypted-dockerconfigjson": textwrap.dedent("""\
        apiVersion: v1
        kind: Secret
        metadata: {name: regcred}
        type: kubernetes.io/dockerconfigjson
        data:
          .dockerconfigjson: %s
        stringData:
          extra: %s
        """ % (ENC, ENC)).rstrip(" ") + SOPS_META,
    "plain-with-encrypted-values": """\
        apiVersion: v1
        kind: Secret
        metadata: {name: mixed}
        data:
          b: %s
          a: %s
          c: %s
        stringData:
          s: "sops ENC[x]"
          t: only sops
          u: ok
        """ % (b64("hello"), b64("sops: ENC[abc]"), b64("ENC[ without the word")),
    "plain-empty-data": """\
        apiVersion: v1
        kind: Secret
        metadata: {name: empty}
        data: {}
        stringData: {}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: cm}
        data:
          k: "sops ENC[not a secret]"
        """,
    "sops-without-mac": """\
        apiVersion: v1
        kind: Secret
        metadata: {name: half}
        stringData:
          a: %s
        sops:
          version: 3.8.1
        """ % ENC,
    "bad-base64": """\
        apiVersion: v1
        kind: Secret
        metadata: {name: bad}
        data:
          a: "aGVsbG8"
        """,
    "bad-base64-char": """\
        apiVersion: v1
        kind: Secret
        metadata: {name: bad}
        data:
          a: "aGV*bG8="
        """,
}


def _tree(tmp_path, secret: str) -> str:
    app = tmp_path / "app"
    app.mkdir()
    (app / "secret.yaml").write_text(textwrap.dedent(secret))
    (tmp_path / "ks.yaml").write_text(KS)
    return str(tmp_path)


def _ours(root: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "pytest_kustomize", "flux", "build", "app",
                           "--path", os.path.join(root, "app"), "--root", root,
                           "--kustomization-file", os.path.join(root, "ks.yaml"),
                           "--dry-run"], capture_output=True, text=True, env=env)


def _flux(root: str) -> subprocess.CompletedProcess:
    exe = require_tool("flux")
    return subprocess.run([exe, "build", "kustomization", "app", "--path",
                           os.path.join(root, "app"), "--kustomization-file",
                           os.path.join(root, "ks.yaml"), "--dry-run"],
                          capture_output=True, text=True,
                          env=dict(os.environ, KUBECONFIG=os.devnull, HOME=root))


@pytest.mark.parametrize("case", sorted(CASES))
def test_masking_as_the_flux_cli(tmp_path, case):
    root = _tree(tmp_path, CASES[case])
    want = _flux(root)
    got = _ours(root)
    assert (got.returncode == 0) == (want.returncode == 0), (got.stderr, want.stderr)
    if want.returncode == 0:
        assert got.stdout == want.stdout
    else:
        # the flux CLI: "✗ failed to mask secret bad sops data: illegal base64 data at input
        # byte 4"; ours says the same after the file and field
        tail = want.stderr.strip().splitlines()[-1].split("failed to mask", 1)[1]
        assert "failed to mask" + tail in got.stderr
        assert "secret.yaml" in got.stderr and "Traceback" not in got.stderr


_SEC = ("apiVersion: v1\nkind: Secret\nmetadata: {name: enc}\ntype: Opaque\ndata:\n"
        "  token: %s\n" % ENC)
MALFORMED = {   # a sops block written with the wrong indentation
    "sops-under-data": _SEC + "  " + SOPS_META.replace("\n", "\n  ").rstrip() + "\n",
    "child-over-indented": _SEC + SOPS_META.replace("  mac:", "    mac:"),
    "block-under-indented": _SEC + SOPS_META.replace("      -----BEGIN", "    -----BEGIN"),
    "key-indented": _SEC + " " + SOPS_META,
    "mac-over-indented": _SEC + SOPS_META.replace('Z"\n  mac', 'Z"\n   mac'),
    "tab-indent": _SEC + SOPS_META.replace("  version", "\tversion"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_sops_blocks_as_the_flux_cli(tmp_path, case):
    """Accepted or refused as the flux CLI does; a refusal names the file, no traceback."""
    root = _tree(tmp_path, MALFORMED[case])
    want = _flux(root)
    got = _ours(root)
    assert (got.returncode == 0) == (want.returncode == 0), (got.stderr, want.stderr)
    if want.returncode == 0:
        assert got.stdout == want.stdout
    else:
        assert "secret.yaml" in got.stderr and "Traceback" not in got.stderr


@pytest.mark.parametrize("text", ["", "aGVsbG8=", "aGVsbA==", "aGVs\nbG8=", "aGVsbG8",
                                  "a", "ab", "abc", "abc=", "ab==", "a===", "ab=c",
                                  "aGVsbG8=x", "aGVsbG8=\n", "aGV*bG8=", "ab=\n=", "ab=",
                                  "====", "aGVsbG8=\r\n", "é", "aGVs bG8="])
def test_go_base64_offsets(text):
    """``go_b64decode`` against Go's DecodeString as the flux CLI applies it to a Secret's
    data value: the same values accepted, the same offset reported for the others."""
    exe = require_tool("flux")
    with tempfile.TemporaryDirectory() as tmp:
        secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  a: %s\n" % (
            '"%s"' % text.encode("unicode_escape").decode().replace('"', '\\"'))
        os.makedirs(os.path.join(tmp, "app"))
        with open(os.path.join(tmp, "app", "secret.yaml"), "w") as f:
            f.write(secret)
        with open(os.path.join(tmp, "ks.yaml"), "w") as f:
            f.write(KS)
        want = _flux(tmp)
    assert exe
    try:
        go_b64decode(text)
        ours = None
    except Base64Error as e:
        ours = str(e)
    if want.returncode == 0:
        assert ours is None, want.stdout
    else:
        assert ours is not None and ours in want.stderr, want.stderr
