"""What a reconcile applied, kept in the cluster so that a later reconcile (from another
process) knows what it may prune. Entries are Flux's: ``{"id": "<namespace>_<name>_<group>_
<kind>", "v": "<version>"}`` (cluster-scoped: empty namespace; core group: empty group; ``:``
in RBAC names written ``__``), in apply order. They live in a ConfigMap
``pytest-kustomize-<name>`` in the reconcile's namespace."""
from __future__ import annotations

import json
from dataclasses import dataclass

from ..errors import ClusterError
from .client import KubeClient

OWNER_GROUP = "reconcile.pytest-kustomize.io"
NAME_LABEL = OWNER_GROUP + "/name"
NAMESPACE_LABEL = OWNER_GROUP + "/namespace"
RBAC_KINDS = ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")


@dataclass(frozen=True, order=True)
class Entry:
    """One applied object: group, kind, namespace ("" when cluster-scoped), name, version."""
    namespace: str
    name: str
    group: str
    kind: str
    version: str = ""

    @classmethod
    def of(cls, obj: dict) -> "Entry":
        group, _, version = obj.get("apiVersion", "").rpartition("/")
        md = obj.get("metadata") or {}
        return cls(md.get("namespace") or "", md.get("name", ""), group,
                   obj.get("kind", ""), version)

    @property
    def key(self) -> tuple:
        """Identity without the version (as Flux compares inventories)."""
        return (self.namespace, self.name, self.group, self.kind)

    @property
    def flux_id(self) -> str:
        name = self.name.replace(":", "__") if (
            self.group == "rbac.authorization.k8s.io" and self.kind in RBAC_KINDS) \
            else self.name
        return "%s_%s_%s_%s" % (self.namespace, name, self.group, self.kind)

    @classmethod
    def parse(cls, flux_id: str, version: str = "") -> "Entry":
        """Inverse of :attr:`flux_id`: namespace up to the first ``_``, kind and group after
        the last two."""
        namespace, sep, rest = flux_id.partition("_")
        parts = rest.rsplit("_", 2)
        if not sep or len(parts) != 3:
            raise ClusterError("not an inventory entry id: %r" % flux_id)
        name, group, kind = parts
        if group == "rbac.authorization.k8s.io" and kind in RBAC_KINDS:
            name = name.replace("__", ":")
        return cls(namespace, name, group, kind, version)

    @property
    def api_version(self) -> str:
        return "%s/%s" % (self.group, self.version) if self.group else self.version

    @property
    def id(self) -> str:
        """``Kind/namespace/name`` or ``Kind/name`` (the ids results report)."""
        return "%s/%s/%s" % (self.kind, self.namespace, self.name) if self.namespace \
            else "%s/%s" % (self.kind, self.name)

    def to_flux(self) -> dict:
        return {"id": self.flux_id, "v": self.version}


def owner_labels(name: str, namespace: str) -> dict:
    return {NAME_LABEL: name, NAMESPACE_LABEL: namespace}


def stale(old: list, new: list) -> list:
    """Entries of ``old`` whose identity is not in ``new`` (old versions kept)."""
    keep = {e.key for e in new}
    return [e for e in old if e.key not in keep]


class InventoryStore:
    """Read and write the inventory ConfigMap of one reconcile ``name`` in ``namespace``."""

    def __init__(self, client: KubeClient, name: str, namespace: str):
        self.client = client
        self.name = name
        self.namespace = namespace
        self.configmap = "pytest-kustomize-" + name

    def load(self) -> list | None:
        """The stored entries, or None when this reconcile never ran here."""
        cm = self.client.get("v1", "ConfigMap", self.configmap, self.namespace)
        if cm is None:
            return None
        raw = (cm.get("data") or {}).get("entries", "[]")
        try:
            return [Entry.parse(e["id"], e.get("v", "")) for e in json.loads(raw)]
        except (ValueError, KeyError, TypeError) as e:
            raise ClusterError("inventory ConfigMap %s/%s is corrupt: %s"
                               % (self.namespace, self.configmap, e)) from None

    def save(self, entries: list, revision: str = "") -> None:
        if self.client.get("v1", "Namespace", self.namespace) is None:
            self.client.apply({"apiVersion": "v1", "kind": "Namespace",
                               "metadata": {"name": self.namespace}})
        self.client.apply({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": self.configmap, "namespace": self.namespace,
                         "labels": {"app.kubernetes.io/managed-by": "pytest-kustomize"}},
            "data": {"entries": json.dumps([e.to_flux() for e in entries], indent=1),
                     "revision": revision}})
