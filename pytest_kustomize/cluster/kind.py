"""kind clusters through the real ``kind`` CLI: create (or reuse) a named cluster, export its
kubeconfig, delete it. kind runs Kubernetes nodes as containers, so it needs a working
container engine (Docker, or Podman/nerdctl through ``KIND_EXPERIMENTAL_PROVIDER``)."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from .. import tools
from .cluster import Cluster, ClusterError, ClusterUnavailable


def container_engine() -> str:
    """The engine kind will use: ``KIND_EXPERIMENTAL_PROVIDER`` or docker."""
    return os.environ.get("KIND_EXPERIMENTAL_PROVIDER") or "docker"


def container_engine_works(timeout: float = 20) -> tuple:
    """(True, "") when the container engine answers, else (False, why)."""
    engine = container_engine()
    exe = shutil.which(engine)
    if not exe:
        return False, "%s is not on PATH" % engine
    try:
        p = subprocess.run([exe, "info", "--format", "{{json .}}"], capture_output=True,
                           text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, "%s info did not answer in %gs" % (engine, timeout)
    if p.returncode != 0:
        lines = [ln for ln in (p.stderr or p.stdout).strip().splitlines() if ln.strip()]
        return False, "%s info failed: %s" % (engine, lines[-1] if lines else
                                             "exit %d" % p.returncode)
    return True, ""


class KindCluster:
    """A kind cluster named ``name``: :meth:`start` reuses it when it exists (``reuse``) or
    creates it, and returns a :class:`Cluster`; :meth:`stop` deletes it when this object
    created it (unless ``keep``)."""

    provider = "kind"

    def __init__(self, name: str = "pytest-kustomize", *, kind: str | None = None,
                 image: str | None = None, config: str | None = None, reuse: bool = True,
                 keep: bool = False, wait: str = "120s", kubeconfig_dir: str | None = None):
        self.kind = kind or tools.find_tool("kind")
        if not self.kind:
            raise ClusterUnavailable("kind not found; install with: %s"
                                     % tools.install_command("kind"))
        self.name = name
        self.image = image
        self.config = config
        self.reuse = reuse
        self.keep = keep
        self.wait = wait
        self.kubeconfig_dir = kubeconfig_dir
        self.created = False
        self.cluster: Cluster | None = None

    # --- command lines ----------------------------------------------------------------
    def create_argv(self, kubeconfig: str) -> list:
        argv = [self.kind, "create", "cluster", "--name", self.name, "--kubeconfig", kubeconfig,
                "--wait", self.wait]
        if self.image:
            argv += ["--image", self.image]
        if self.config:
            argv += ["--config", self.config]
        return argv

    def export_argv(self, kubeconfig: str) -> list:
        return [self.kind, "export", "kubeconfig", "--name", self.name,
                "--kubeconfig", kubeconfig]

    def delete_argv(self) -> list:
        return [self.kind, "delete", "cluster", "--name", self.name]

    def list_argv(self) -> list:
        return [self.kind, "get", "clusters"]

    # --- running kind -----------------------------------------------------------------
    def _run(self, argv: list, timeout: float = 600) -> str:
        try:
            p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ClusterError("%s did not finish in %gs" % (" ".join(argv[1:4]), timeout)) \
                from None
        if p.returncode != 0:
            raise ClusterError("`kind %s` failed (exit %d): %s%s" % (
                " ".join(argv[1:]), p.returncode, _first_error(p.stderr),
                _hint(p.stderr)))
        return p.stdout

    def exists(self) -> bool:
        return self.name in self._run(self.list_argv(), timeout=60).split()

    def start(self) -> Cluster:
        if self.cluster is not None:
            return self.cluster
        d = self.kubeconfig_dir or tempfile.mkdtemp(prefix="pytest-kustomize-kind-")
        kubeconfig = os.path.join(d, "kubeconfig")
        if self.reuse and self.exists():
            self._run(self.export_argv(kubeconfig), timeout=60)
        else:
            self._run(self.create_argv(kubeconfig))
            self.created = True
        self.cluster = Cluster(self.name, kubeconfig, self.provider,
                               context="kind-" + self.name)
        return self.cluster

    def stop(self) -> None:
        if self.created and not self.keep:
            self._run(self.delete_argv(), timeout=300)
            self.created = False
        self.cluster = None

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _first_error(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.strip().splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("ERROR:")]
    return (errors[0] if errors else (lines[-1] if lines else "no output"))[:500]


def _hint(stderr: str) -> str:
    if "Cannot connect to the Docker daemon" in stderr or "docker info" in stderr:
        return ("\nkind needs a running Docker daemon (or set KIND_EXPERIMENTAL_PROVIDER=podman);"
                " without one, use the local kube-apiserver (--kube-cluster=local)")
    return ""
