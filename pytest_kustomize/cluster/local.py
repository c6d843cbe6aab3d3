"""etcd + kube-apiserver on loopback, as controller-runtime's envtest runs them: random free
ports, generated certificates, an admin kubeconfig, ``/readyz`` before use, clean stop —
plus, when they are installed, kube-controller-manager, kube-scheduler and kwok (one
simulated node; see :mod:`.controllers`), so Deployments roll out, Pods become Ready,
Namespaces finish deleting and owned objects are garbage-collected.

Without the controllers (``controllers=False``, or not installed) objects are only stored,
validated, defaulted and served: no ReplicaSets or Pods, deleted Namespaces stay
``Terminating``. Either way no container runs and ServiceAccount admission is off.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

from .. import tools
from . import controllers as ctl
from .certs import write_cluster_certs
from .client import KubeClient
from .cluster import Cluster, ClusterError, ClusterUnavailable, write_kubeconfig

CONTROLLER_LIMITATIONS = (
    "kwok simulates one node and its kubelet: containers never run, Pods are Ready as "
    "soon as they are scheduled, PersistentVolumeClaims stay Pending (no provisioner)",
    "no cluster-signing key: CertificateSigningRequests are never signed",
    "ServiceAccount admission is disabled (as in envtest)",
)

LIMITATIONS = (
    "no kube-controller-manager: no garbage collection, no ReplicaSets/Pods from Deployments, "
    "deleted Namespaces stay Terminating, no ServiceAccount tokens",
    "no scheduler and no kubelet: Pods stay Pending",
    "ServiceAccount admission is disabled (as in envtest)",
)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _tail(path: str, lines: int = 15) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 8192))
            return "\n".join(f.read().decode(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class LocalApiServer:
    """Start with :meth:`start` (returns a :class:`Cluster`), stop with :meth:`stop`; also a
    context manager. Binaries are found as envtest finds them (``TEST_ASSET_ETCD``,
    ``TEST_ASSET_KUBE_APISERVER``, ``KUBEBUILDER_ASSETS``), then in the project's tool cache
    (see :mod:`pytest_kustomize.tools`)."""

    provider = "local"

    def __init__(self, *, etcd: str | None = None, kube_apiserver: str | None = None,
                 workdir: str | None = None, name: str = "pytest-kustomize-local",
                 host: str = "127.0.0.1", startup_timeout: float = 90,
                 extra_apiserver_args: tuple = (), keep_workdir: bool = False,
                 controllers: bool | None = None):
        self.etcd = etcd or tools.find_tool("etcd")
        self.kube_apiserver = kube_apiserver or tools.find_tool("kube-apiserver")
        missing = [n for n, p in (("etcd", self.etcd), ("kube-apiserver", self.kube_apiserver))
                   if not p]
        if missing:
            raise ClusterUnavailable("%s not found (TEST_ASSET_ETCD/TEST_ASSET_KUBE_APISERVER, "
                                     "KUBEBUILDER_ASSETS, tool cache, PATH); install with: %s"
                                     % (" and ".join(missing),
                                        "; ".join(tools.install_command(n) for n in missing)))
        self.binaries = ctl.find_binaries()
        self.stages = ctl.kwok_stages()
        have = all(self.binaries.values()) and self.stages is not None
        if controllers and not have:
            raise ClusterUnavailable(ctl.missing_message(self.binaries, self.stages))
        #: whether kube-controller-manager, kube-scheduler and kwok are started
        self.controllers = have if controllers is None else bool(controllers)
        self.name = name
        self.host = host
        self.startup_timeout = startup_timeout
        self.extra_apiserver_args = tuple(extra_apiserver_args)
        self.keep_workdir = keep_workdir
        self._own_workdir = workdir is None
        self.workdir = workdir
        self._procs: list = []
        self.cluster: Cluster | None = None

    # --- command lines ----------------------------------------------------------------
    def etcd_argv(self, data_dir: str, client_port: int, peer_port: int) -> list:
        client = "http://%s:%d" % (self.host, client_port)
        peer = "http://%s:%d" % (self.host, peer_port)
        return [self.etcd, "--name", "pk", "--data-dir", data_dir,
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "pk=" + peer, "--unsafe-no-fsync",
                "--log-level", "warn"]

    def apiserver_argv(self, certs, etcd_port: int, secure_port: int) -> list:
        return [self.kube_apiserver,
                "--etcd-servers", "http://%s:%d" % (self.host, etcd_port),
                "--bind-address", self.host, "--advertise-address", self.host,
                "--secure-port", str(secure_port),
                "--tls-cert-file", certs.server_cert, "--tls-private-key-file", certs.server_key,
                "--client-ca-file", certs.ca_cert,
                "--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
                "--service-account-key-file", certs.sa_pub,
                "--service-account-signing-key-file", certs.sa_key,
                "--service-cluster-ip-range", "10.0.0.0/24",
                "--authorization-mode", "RBAC", "--allow-privileged=true",
                "--disable-admission-plugins", "ServiceAccount",
                "--v", "1"] + list(self.extra_apiserver_args)

    # --- lifecycle --------------------------------------------------------------------
    def start(self) -> Cluster:
        if self.cluster is not None:
            return self.cluster
        if self.workdir is None:
            self.workdir = tempfile.mkdtemp(prefix="pytest-kustomize-apiserver-")
        os.makedirs(self.workdir, exist_ok=True)
        certs = write_cluster_certs(os.path.join(self.workdir, "pki"), host=self.host)
        last_error = None
        for _attempt in range(3):      # a free port can be taken between probe and bind
            try:
                return self._start_once(certs)
            except _PortInUse as e:
                last_error = e
                self._kill_all()
            except BaseException:
                self._kill_all()     # the work directory stays: its logs explain the failure
                raise
        self._kill_all()
        raise ClusterError("could not start the local API server: %s" % last_error)

    def _spawn(self, argv: list, log: str) -> subprocess.Popen:
        f = open(log, "ab")
        try:
            p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True)
        finally:
            f.close()
        self._procs.append((p, log))
        return p

    def _start_once(self, certs) -> Cluster:
        etcd_port, peer_port, secure_port = free_port(self.host), free_port(self.host), \
            free_port(self.host)
        data = os.path.join(self.workdir, "etcd-%d" % etcd_port)
        etcd_log = os.path.join(self.workdir, "etcd.log")
        api_log = os.path.join(self.workdir, "kube-apiserver.log")
        etcd = self._spawn(self.etcd_argv(data, etcd_port, peer_port), etcd_log)
        self._wait(lambda: _http_ok("http://%s:%d/health" % (self.host, etcd_port)),
                   etcd, etcd_log, "etcd")
        api = self._spawn(self.apiserver_argv(certs, etcd_port, secure_port), api_log)
        server = "https://%s:%d" % (self.host, secure_port)
        ctx = ssl.create_default_context(cafile=certs.ca_cert)
        ctx.load_cert_chain(certs.admin_cert, certs.admin_key)
        self._wait(lambda: _http_ok(server + "/readyz", ctx), api, api_log, "kube-apiserver")
        kubeconfig = write_kubeconfig(
            os.path.join(self.workdir, "kubeconfig"), name=self.name, server=server,
            ca_pem=open(certs.ca_cert, "rb").read(),
            client_cert_pem=open(certs.admin_cert, "rb").read(),
            client_key_pem=open(certs.admin_key, "rb").read())
        if self.controllers:
            self._start_controllers(certs, kubeconfig)
        self.cluster = Cluster(self.name, kubeconfig, self.provider, server=server,
                               limitations=CONTROLLER_LIMITATIONS if self.controllers
                               else LIMITATIONS)
        return self.cluster

    def _start_controllers(self, certs, kubeconfig: str) -> None:
        ports = {k: free_port(self.host) for k in ("kcm", "scheduler", "kwok")}
        b = self.binaries
        argvs = {
            "kube-controller-manager": ctl.controller_manager_argv(
                b["kube-controller-manager"], kubeconfig, certs, self.host, ports["kcm"],
                os.path.join(self.workdir, "kcm-certs")),
            "kube-scheduler": ctl.scheduler_argv(
                b["kube-scheduler"], kubeconfig, self.host, ports["scheduler"],
                os.path.join(self.workdir, "scheduler-certs")),
            "kwok": ctl.kwok_argv(b["kwok"], kubeconfig, self.stages, self.host,
                                  ports["kwok"]),
        }
        urls = ctl.health_urls(self.host, ports)
        insecure = ssl.create_default_context()
        insecure.check_hostname = False
        insecure.verify_mode = ssl.CERT_NONE   # their serving certificates are self-signed
        for name, argv in argvs.items():
            log = ctl.log_path(self.workdir, name)
            proc = self._spawn(argv, log)
            self._wait(lambda u=urls[name]: _http_ok(u, insecure), proc, log, name)
        client = KubeClient(kubeconfig)
        client.apply(ctl.node_manifest())
        kwok_proc, kwok_log = self._procs[-1]
        self._wait(lambda: _node_ready(client), kwok_proc, kwok_log,
                   "kwok (node %s Ready)" % ctl.NODE_NAME)

    def logs(self) -> dict:
        """{component: log file} of everything started (kept until :meth:`stop`)."""
        return {os.path.basename(log)[:-4]: log for _p, log in self._procs}

    def _wait(self, ready, proc, log: str, what: str) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                tail = _tail(log)
                if "address already in use" in tail:
                    raise _PortInUse(tail)
                raise ClusterError("%s exited with code %d; last lines of %s:\n%s"
                                   % (what, proc.returncode, log, tail), file=log)
            if ready():
                return
            time.sleep(0.2)
        raise ClusterError("%s was not ready within %gs; last lines of %s:\n%s"
                           % (what, self.startup_timeout, log, _tail(log)), file=log)

    def _kill_all(self) -> None:
        for p, _log in reversed(self._procs):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                try:
                    p.wait(15)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait(15)
        self._procs = []

    def stop(self) -> None:
        """Stop kwok, the scheduler and the controller-manager, then kube-apiserver, then
        etcd, and remove the work directory — unless kept, or unless a component had died
        on its own (then :attr:`crashed` lists the logs, which stay)."""
        #: logs of components that exited before stop() (their work directory is kept)
        self.crashed = [log for p, log in self._procs if p.poll() is not None]
        self._kill_all()
        self.cluster = None
        if self._own_workdir and self.workdir and not self.keep_workdir and not self.crashed:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class _PortInUse(ClusterError):
    def __init__(self, detail: str):
        super().__init__("port already in use: " + detail[-300:])


def _node_ready(client: KubeClient) -> bool:
    node = client.get("v1", "Node", ctl.NODE_NAME)
    conds = ((node or {}).get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conds)


def _http_ok(url: str, context: ssl.SSLContext | None = None) -> bool:
    # never through a proxy: the server is on loopback
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                         urllib.request.HTTPSHandler(context=context))
    try:
        with opener.open(url, timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError, ssl.SSLError):
        return False
