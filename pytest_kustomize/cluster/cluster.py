"""A running Kubernetes API server reachable through a kubeconfig, and what tests do with it:
apply rendered resources server-side, read objects back, run kubectl."""
from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field

import yaml

from ..errors import ClusterError, ClusterUnavailable
from . import diff as _diff
from . import reconcile as _reconcile
from .client import KubeClient

FIELD_MANAGER = "pytest-kustomize"
__all__ = ["Cluster", "ClusterError", "ClusterUnavailable", "FIELD_MANAGER", "write_kubeconfig"]


@dataclass
class Cluster:
    """An API server and the kubeconfig that reaches it.

    ``provider`` is ``"local"`` (etcd + kube-apiserver started by the tests), ``"kind"`` or
    ``"kubeconfig"`` (a cluster the user pointed at); ``limitations`` lists what this kind of
    cluster does not do (for example: no controller-manager, so no garbage collection).
    """
    name: str
    kubeconfig: str
    provider: str
    server: str = ""
    context: str | None = None
    limitations: tuple = field(default_factory=tuple)
    _client: object = field(default=None, repr=False, compare=False)

    # --- reconcile (Python client) ----------------------------------------------------
    @property
    def client(self) -> KubeClient:
        """A :class:`~pytest_kustomize.cluster.client.KubeClient` on this cluster."""
        if self._client is None:
            self._client = KubeClient(self.kubeconfig, self.context)
        return self._client

    def reconcile(self, source, *, name: str | None = None, namespace: str | None = None,
                  prune: bool | None = None, wait: bool | None = None,
                  timeout: float | None = None, force: bool | None = None,
                  root=None) -> "_reconcile.ReconcileResult":
        """Apply ``source`` (an overlay directory, ``Resources``, YAML, dicts, or a Flux
        Kustomization object or file built from the source directory ``root``) as a Flux
        Kustomization ``namespace/name`` would, prune what the previous reconcile of that
        name applied and this one does not, and with ``wait`` wait until every object is
        Current (see docs/cluster.md). Defaults: ``flux-system``, prune, no wait, 120 s —
        or a Flux Kustomization's own name, namespace and spec."""
        return _reconcile.reconcile(self.client, source, name=name, namespace=namespace,
                                    prune=prune, wait=wait, timeout=timeout, force=force,
                                    root=root)

    def diff(self, source, *, name: str | None = None, namespace: str | None = None,
             prune: bool | None = None, root=None) -> "_diff.DiffResult":
        """What :meth:`reconcile` would create, change and prune (server-side dry-run)."""
        return _diff.diff(self.client, source, name=name, namespace=namespace, prune=prune,
                          root=root)

    # --- kubectl ----------------------------------------------------------------------
    def kubectl_argv(self, *args: str) -> list:
        kubectl = shutil.which("kubectl")
        if not kubectl:
            raise ClusterUnavailable("kubectl is not on PATH; it is needed to talk to the "
                                     "cluster")
        argv = [kubectl, "--kubeconfig", self.kubeconfig]
        if self.context:
            argv += ["--context", self.context]
        return argv + list(args)

    def kubectl(self, *args: str, input: str | None = None, check: bool = True,
                timeout: float = 120) -> subprocess.CompletedProcess:
        """Run kubectl against this cluster; a failure raises ClusterError with its stderr."""
        argv = self.kubectl_argv(*args)
        try:
            p = subprocess.run(argv, input=input, capture_output=True, text=True,
                               timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ClusterError("kubectl %s did not finish in %gs" % (" ".join(args), timeout),
                               file=self.kubeconfig) from None
        if check and p.returncode != 0:
            raise ClusterError("kubectl %s failed (exit %d): %s" % (
                " ".join(args), p.returncode, p.stderr.strip()), file=self.kubeconfig)
        return p

    # --- objects ----------------------------------------------------------------------
    def apply(self, resources, *, server_side: bool = True, field_manager: str = FIELD_MANAGER,
              force_conflicts: bool = False, wait_crds: float = 60) -> list:
        """Apply rendered resources (a :class:`~pytest_kustomize.Resources`, a list of dicts
        or a YAML string). CustomResourceDefinitions and Namespaces go first and CRDs are
        waited for until Established, so custom resources of the same render apply too (as
        Flux's kustomize-controller does). Returns kubectl's output lines."""
        docs = _documents(resources)
        first = [d for d in docs if d.get("kind") in ("CustomResourceDefinition", "Namespace")]
        rest = [d for d in docs if d.get("kind") not in ("CustomResourceDefinition",
                                                          "Namespace")]
        out = []
        args = ["apply", "-f", "-", "-o", "name"]
        if server_side:
            args += ["--server-side", "--field-manager", field_manager]
            if force_conflicts:
                args.append("--force-conflicts")
        for batch in (first, rest):
            if not batch:
                continue
            p = self.kubectl(*args, input=yaml.safe_dump_all(batch, sort_keys=False))
            out += p.stdout.split()
            crds = ["customresourcedefinition/%s" % d["metadata"]["name"] for d in batch
                    if d.get("kind") == "CustomResourceDefinition"]
            if crds and wait_crds:
                self.kubectl("wait", "--for", "condition=Established",
                             "--timeout", "%ds" % wait_crds, *crds, timeout=wait_crds + 30)
        return out

    def get(self, kind: str, name: str, namespace: str | None = None, *,
            managed_fields: bool = False) -> dict | None:
        """The object as the API server has it, or None when it does not exist
        (``metadata.managedFields`` only with ``managed_fields=True``)."""
        args = ["get", kind, name, "-o", "json", "--ignore-not-found"]
        if managed_fields:
            args.append("--show-managed-fields")
        if namespace:
            args += ["-n", namespace]
        p = self.kubectl(*args)
        return json.loads(p.stdout) if p.stdout.strip() else None

    def list(self, kind: str, namespace: str | None = None, *, selector: str | None = None
             ) -> list:
        """Objects of a kind (all namespaces unless ``namespace``), as dicts."""
        args = ["get", kind, "-o", "json"]
        args += ["-n", namespace] if namespace else ["--all-namespaces"]
        if selector:
            args += ["-l", selector]
        return json.loads(self.kubectl(*args).stdout).get("items", [])

    def delete(self, kind: str, name: str, namespace: str | None = None, *,
               wait: bool = False) -> None:
        args = ["delete", kind, name, "--ignore-not-found", "--wait=%s" % str(wait).lower()]
        if namespace:
            args += ["-n", namespace]
        self.kubectl(*args)


def _documents(resources) -> list:
    if isinstance(resources, str):
        return [d for d in yaml.safe_load_all(resources) if d]
    if hasattr(resources, "to_yaml"):
        return [d for d in yaml.safe_load_all(resources.to_yaml()) if d]
    out = []
    for r in resources:
        out.append(r.data if hasattr(r, "data") else r)
    return out


def write_kubeconfig(path: str, *, name: str, server: str, ca_pem: bytes,
                     client_cert_pem: bytes, client_key_pem: bytes) -> str:
    """A kubeconfig with one cluster, user and context (certificates embedded)."""
    def b64(b: bytes) -> str:
        return base64.b64encode(b).decode()
    cfg = {
        "apiVersion": "v1", "kind": "Config", "preferences": {},
        "clusters": [{"name": name, "cluster": {
            "server": server, "certificate-authority-data": b64(ca_pem)}}],
        "users": [{"name": name + "-admin", "user": {
            "client-certificate-data": b64(client_cert_pem),
            "client-key-data": b64(client_key_pem)}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name + "-admin"}}],
        "current-context": name,
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        yaml.safe_dump(cfg, f, sort_keys=False)
    return path
