"""kube-controller-manager, kube-scheduler and kwok next to a local kube-apiserver, so that
Deployments get ReplicaSets and Pods, Pods are scheduled onto a simulated node and become
Ready, Namespaces finish deleting and owned objects are garbage-collected.

kwok simulates one node (``kwok-node-0``) and the kubelet's part of the Pod lifecycle with
the Stages of its module's ``kustomize/stage/fast`` (``scripts/install-tools kwok`` writes
them to ``share/kwok-stages.yaml``). The controller-manager runs without a cluster-signing
key, so certificate signing requests are never signed. kwok renews the node's Lease (40 s,
as a kubelet) and the controller-manager allows 5 minutes without a renewal, so a heartbeat
that comes late on a loaded machine does not make the node's Pods unready.
"""
from __future__ import annotations

import os

from .. import tools

NODE_NAME = "kwok-node-0"
NODE_ANNOTATION = "kwok.x-k8s.io/node"
#: Pod IPs come from here; the node's own IP stays outside it (kwok rejects an overlap).
POD_CIDR = "10.244.0.0/16"
NODE_IP = "10.96.0.2"

COMPONENTS = ("kube-controller-manager", "kube-scheduler", "kwok")


def find_binaries() -> dict:
    """{component: path or None} for the three components."""
    return {name: tools.find_tool(name) for name in COMPONENTS}


def kwok_stages() -> str | None:
    """The kwok Stage documents written by ``scripts/install-tools kwok``, or None."""
    return tools.tool_data("kwok-stages.yaml")


def controller_manager_argv(binary: str, kubeconfig: str, certs, host: str, port: int,
                            cert_dir: str) -> list:
    return [binary, "--kubeconfig", kubeconfig,
            "--authentication-kubeconfig", kubeconfig,
            "--authorization-kubeconfig", kubeconfig,
            "--bind-address", host, "--secure-port", str(port), "--cert-dir", cert_dir,
            "--leader-elect=false", "--use-service-account-credentials=false",
            "--service-account-private-key-file", certs.sa_key,
            "--root-ca-file", certs.ca_cert,
            # kwok renews the node's lease; under load a renewal can come late, and the node
            # lifecycle controller would then mark the node NotReady and its Pods unready
            "--node-monitor-grace-period", "5m", "--node-startup-grace-period", "5m",
            "--controllers", "*", "--v", "1"]


def scheduler_argv(binary: str, kubeconfig: str, host: str, port: int,
                   cert_dir: str) -> list:
    return [binary, "--kubeconfig", kubeconfig,
            "--authentication-kubeconfig", kubeconfig,
            "--authorization-kubeconfig", kubeconfig,
            "--bind-address", host, "--secure-port", str(port), "--cert-dir", cert_dir,
            "--leader-elect=false", "--v", "1"]


def kwok_argv(binary: str, kubeconfig: str, stages: str, host: str, port: int) -> list:
    return [binary, "--kubeconfig", kubeconfig, "--config", stages,
            "--node-lease-duration-seconds", "40",   # as the kubelet: a lease heartbeat
            "--manage-all-nodes=false",
            "--manage-nodes-with-annotation-selector", NODE_ANNOTATION + "=fake",
            "--cidr", POD_CIDR, "--node-ip", NODE_IP,
            "--server-address", "%s:%d" % (host, port)]


def health_urls(host: str, ports: dict) -> dict:
    """Where each component answers ``ok`` once it runs."""
    return {"kube-controller-manager": "https://%s:%d/healthz" % (host, ports["kcm"]),
            "kube-scheduler": "https://%s:%d/healthz" % (host, ports["scheduler"]),
            "kwok": "http://%s:%d/healthz" % (host, ports["kwok"])}


def node_manifest(name: str = NODE_NAME) -> dict:
    """The simulated node kwok manages (no taint: every workload may run on it)."""
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name,
                     "annotations": {NODE_ANNOTATION: "fake",
                                     "node.alpha.kubernetes.io/ttl": "0"},
                     "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                                "kubernetes.io/arch": "amd64", "type": "kwok"}},
        "status": {"allocatable": {"cpu": "32", "memory": "256Gi", "pods": "110"},
                   "capacity": {"cpu": "32", "memory": "256Gi", "pods": "110"}},
    }


def missing_message(binaries: dict, stages: str | None) -> str:
    """What to install when a component (or kwok's Stages) is missing."""
    names = [n for n, p in binaries.items() if not p]
    if stages is None and "kwok" not in names:
        names.append("kwok")
    return "%s not found; install with: %s" % (
        ", ".join(names), "; ".join(tools.install_command(n) for n in names))


def log_path(workdir: str, component: str) -> str:
    return os.path.join(workdir, component + ".log")
