"""Flux's kustomize-controller itself (built by ``scripts/install-tools
kustomize-controller``) run out-of-cluster against a cluster, as the oracle of
:func:`~pytest_kustomize.cluster.reconcile.reconcile`. There is no source-controller: a
revision is served as a tarball artifact on 127.0.0.1 and the GitRepository's
``status.artifact`` is written by :meth:`KustomizeController.publish`, as the controller's
own tests do."""
from __future__ import annotations

import glob
import hashlib
import http.server
import io
import json
import os
import subprocess
import tarfile
import threading
import time

import yaml

from .. import tools
from ..errors import ClusterError, ClusterUnavailable
from .client import KubeClient

SOURCE_API = "source.toolkit.fluxcd.io/v1"
KS_API = "kustomize.toolkit.fluxcd.io/v1"


def tarball(root: str) -> bytes:
    """A gzipped tar of the directory ``root`` (paths relative to it, sorted)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for dirpath, dirs, files in os.walk(root):
            dirs.sort()
            for f in sorted(files):
                full = os.path.join(dirpath, f)
                tar.add(full, arcname=os.path.relpath(full, root), recursive=False)
    return buf.getvalue()


class _Artifacts(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        self.files: dict = {}
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = outer.files.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)


def kustomization_object(*, name: str, path: str, namespace: str = "flux-system",
                         prune: bool = True, wait: bool = True, timeout: str = "2m",
                         **spec) -> dict:
    """A Kustomization on GitRepository ``name`` (interval 10m) with ``spec`` added."""
    return {"apiVersion": KS_API, "kind": "Kustomization",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"interval": "10m", "path": path, "prune": prune, "wait": wait,
                     "timeout": timeout,
                     "sourceRef": {"kind": "GitRepository", "name": name}, **spec}}


class KustomizeController:
    """Start with :meth:`start` on a cluster (its CRDs are applied first), then for each
    revision :meth:`publish` a directory and :meth:`reconciled` waits for the controller to
    apply it; :meth:`stop` ends the controller and the artifact server."""

    def __init__(self, cluster, workdir: str):
        self.binary = tools.find_tool("kustomize-controller")
        self.crds = tools.tool_data("flux-crds")
        if not self.binary or not self.crds:
            raise ClusterUnavailable("kustomize-controller (and its CRDs) not found; install "
                                     "with: %s" % tools.install_command("kustomize-controller"))
        self.cluster = cluster
        self.client = KubeClient(cluster.kubeconfig, cluster.context,
                                 field_manager="pytest-kustomize-oracle")
        self.workdir = workdir
        self.log = os.path.join(workdir, "kustomize-controller.log")
        self._proc = None
        self._server = None

    def start(self) -> "KustomizeController":
        os.makedirs(self.workdir, exist_ok=True)
        for path in sorted(glob.glob(os.path.join(self.crds, "*.yaml"))):
            with open(path) as f:
                for doc in yaml.safe_load_all(f):
                    if doc:
                        self.client.apply(doc)
        self.client.apply({"apiVersion": "v1", "kind": "Namespace",
                           "metadata": {"name": "flux-system"}})
        self._server = _Artifacts()
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        env = dict(os.environ, KUBECONFIG=self.cluster.kubeconfig,
                   RUNTIME_NAMESPACE="flux-system")
        with open(self.log, "ab") as log:
            self._proc = subprocess.Popen(
                [self.binary, "--metrics-addr=0", "--health-addr=127.0.0.1:0",
                 "--enable-leader-election=false", "--watch-all-namespaces=true",
                 "--no-remote-bases=true", "--log-level=debug"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                start_new_session=True)
        return self

    def stop(self) -> None:
        if self._proc and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(15)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(15)
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def publish(self, root: str, revision: str, *, name: str = "shop",
                namespace: str = "flux-system") -> str:
        """Serve ``root`` as GitRepository ``namespace/name``'s artifact at ``revision``
        (``<branch>@sha1:<hex>``); returns the artifact's URL."""
        body = tarball(root)
        path = "/%s/%s/%s.tar.gz" % (namespace, name, hashlib.sha1(body).hexdigest())
        self._server.files[path] = body
        url = "http://127.0.0.1:%d%s" % (self._server.server_address[1], path)
        repo = {"apiVersion": SOURCE_API, "kind": "GitRepository",
                "metadata": {"name": name, "namespace": namespace},
                "spec": {"url": "https://example.invalid/shop.git", "interval": "10m"}}
        self.client.apply(repo)
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self.client.patch_status(repo, {
            "conditions": [{"type": "Ready", "status": "True", "reason": "Succeeded",
                            "message": "stored artifact", "lastTransitionTime": now}],
            "artifact": {"path": path, "url": url, "revision": revision,
                         "digest": "sha256:" + hashlib.sha256(body).hexdigest(),
                         "lastUpdateTime": now}})
        return url

    def kustomization(self, *, name: str, path: str, namespace: str = "flux-system",
                      prune: bool = True, wait: bool = True, timeout: str = "2m",
                      **spec) -> dict:
        """Apply the Kustomization ``namespace/name`` on GitRepository ``name`` (``spec``:
        further fields, e.g. ``targetNamespace``, ``postBuild``)."""
        return self.client.apply(kustomization_object(
            name=name, path=path, namespace=namespace, prune=prune, wait=wait,
            timeout=timeout, **spec))

    def reconciled(self, revision: str, *, name: str, namespace: str = "flux-system",
                   timeout: float = 180) -> dict:
        """Wait until the Kustomization is Ready at ``revision``; returns it. A failed
        reconcile raises ClusterError with its Ready message and the controller's log."""
        deadline = time.monotonic() + timeout
        ks = None
        while time.monotonic() < deadline:
            ks = self.client.get(KS_API, "Kustomization", name, namespace) or {}
            st = ks.get("status") or {}
            ready = {c["type"]: c for c in st.get("conditions") or []}.get("Ready") or {}
            if st.get("lastAppliedRevision") == revision and ready.get("status") == "True" \
                    and st.get("observedGeneration") == ks["metadata"].get("generation"):
                return ks
            if self._proc.poll() is not None:
                break
            time.sleep(0.5)
        raise ClusterError("kustomize-controller did not apply %s: %s\n%s" % (
            revision, json.dumps((ks or {}).get("status"), indent=1), self.log_tail()),
            file=self.log)

    def mark(self) -> tuple:
        """Where the log stands now, for :meth:`outcome`."""
        return (len(self.log_entries("server-side apply completed")),
                len(self.log_entries("garbage collection completed")))

    def outcome(self, mark: tuple, revision: str, timeout: float = 30) -> tuple:
        """(``{Kind/ns/name: action}`` the controller applied at ``revision``, its garbage
        collection lines) logged since ``mark``. The apply record is waited for (the log is
        written by another process); its absence raises ClusterError with the log tail."""
        deadline = time.monotonic() + timeout
        while True:
            applied = [r for r in self.log_entries("server-side apply completed")[mark[0]:]
                       if r.get("revision") == revision]
            if applied or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        if not applied:
            raise ClusterError("kustomize-controller logged no 'server-side apply completed' "
                               "for %s\n%s" % (revision, self.log_tail()), file=self.log)
        gc = [line for r in self.log_entries("garbage collection completed")[mark[1]:]
              if r.get("revision", revision) == revision
              for line in str(r.get("msg", "")).split(": ", 1)[-1].splitlines()]
        return applied[0].get("output") or {}, gc

    def log_tail(self, lines: int = 30) -> str:
        with open(self.log, errors="replace") as f:
            return "".join(f.readlines()[-lines:])

    def log_entries(self, message_prefix: str) -> list:
        """The controller's JSON log records whose ``msg`` starts with ``message_prefix``."""
        out = []
        with open(self.log, errors="replace") as f:
            for line in f:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if str(rec.get("msg", "")).startswith(message_prefix):
                    out.append(rec)
        return out
