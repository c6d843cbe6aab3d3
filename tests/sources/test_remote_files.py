"""Remote plain files (``resources: [https://…/x.yaml]``): refused with an error naming the URL
unless allowed; allowed, the file is fetched as kustomize fetches it — compared with
``kubectl kustomize`` against a local HTTP server on 127.0.0.1."""
from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading

import pytest

from pytest_kustomize import build
from pytest_kustomize.errors import KustomizeError
from pytest_kustomize.sources.remote import RemoteCache, serve
from pytest_kustomize.tools import require_tool

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FILES = {
    "/cm.yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: remote\ndata:\n  a: '1'\n",
    "/multi.yaml": b"apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n---\n"
                   b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
                   b"spec:\n  replicas: 2\n",
    "/bad.yaml": b"kind: [\n",
}


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        body = FILES.get(self.path.split("?")[0])
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


@pytest.fixture(scope="module")
def server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield "http://127.0.0.1:%d" % srv.server_address[1]
    srv.shutdown()
    srv.server_close()


def _overlay(tmp_path, resources: list, extra: str = "") -> str:
    d = tmp_path / "app"
    d.mkdir()
    (d / "local.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: local\n")
    (d / "kustomization.yaml").write_text(
        "resources:\n" + "".join("- %s\n" % r for r in resources) + extra)
    return str(d)


def _kubectl(path: str) -> subprocess.CompletedProcess:
    exe = require_tool("kubectl") if False else "kubectl"
    return subprocess.run([exe, "kustomize", path], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, GIT_TERMINAL_PROMPT="0"))


def _allowed(tmp_path):
    return serve(RemoteCache(str(tmp_path / "cache")), allow_files=True)


@pytest.mark.parametrize("names,extra", [
    (["{url}/cm.yaml", "local.yaml"], ""),
    (["local.yaml", "{url}/multi.yaml"], "namePrefix: p-\nnamespace: ns\n"),
    (["{url}/multi.yaml?x=1"], "replicas:\n- {name: web, count: 5}\n"),
])
def test_allowed_remote_files_match_kubectl(server, tmp_path, names, extra):
    path = _overlay(tmp_path, [n.format(url=server) for n in names], extra)
    want = _kubectl(path)
    assert want.returncode == 0, want.stderr
    assert build(path, remote=_allowed(tmp_path)).to_yaml() == want.stdout
    assert build(path, allow_remote_files=True).to_yaml() == want.stdout


def test_refused_by_default_with_the_url_named(server, tmp_path, monkeypatch):
    monkeypatch.delenv("PYTEST_KUSTOMIZE_REMOTE_FILES", raising=False)
    url = server + "/cm.yaml"
    path = _overlay(tmp_path, [url])
    assert _kubectl(path).returncode == 0          # kubectl fetches it; we refuse by default
    with pytest.raises(KustomizeError) as e:
        build(path, remote=serve(RemoteCache(str(tmp_path / "cache"))))
    assert url in str(e.value) and "refused unless allowed" in str(e.value)
    monkeypatch.setenv("PYTEST_KUSTOMIZE_REMOTE_FILES", "allow")
    assert build(path).to_yaml() == _kubectl(path).stdout


def test_cli_allow_remote_files(server, tmp_path):
    path = _overlay(tmp_path, [server + "/cm.yaml"])
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("PYTEST_KUSTOMIZE_REMOTE_FILES", None)
    cmd = [sys.executable, "-m", "pytest_kustomize", "build", path]
    refused = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert refused.returncode == 1 and "--allow-remote-files" in refused.stderr
    assert "Traceback" not in refused.stderr
    ok = subprocess.run(cmd + ["--allow-remote-files"], capture_output=True, text=True,
                        env=env, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout == _kubectl(path).stdout


@pytest.mark.parametrize("name", ["missing.yaml", "bad.yaml"])
def test_failures_fail_in_both_and_name_the_url(server, tmp_path, name):
    url = "%s/%s" % (server, name)
    path = _overlay(tmp_path, [url])
    assert _kubectl(path).returncode != 0
    with pytest.raises(KustomizeError) as e:
        build(path, remote=_allowed(tmp_path))
    assert url in str(e.value) or name in str(e.value)
    if name == "missing.yaml":
        assert "404" in str(e.value)


def test_offline_mode_refuses_the_fetch(server, tmp_path):
    url = server + "/cm.yaml"
    path = _overlay(tmp_path, [url])
    with pytest.raises(KustomizeError) as e:
        build(path, remote=serve(RemoteCache(str(tmp_path / "c"), offline=True),
                                 allow_files=True))
    assert "offline" in str(e.value) and url in str(e.value)


def test_credentials_are_not_printed(tmp_path):
    path = _overlay(tmp_path, ["https://user:s3cret@127.0.0.1:9/x.yaml"])
    with pytest.raises(KustomizeError) as e:
        build(path, remote=serve(RemoteCache(str(tmp_path / "c"))))
    assert "s3cret" not in str(e.value) and "***" in str(e.value)
