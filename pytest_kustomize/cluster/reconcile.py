"""One reconcile, in kustomize-controller's order: render the source, normalize, stamp owner
labels, staged server-side apply, write the inventory, prune what the previous inventory
had and the new one lacks, and (``wait=True``) wait until every applied object is Current."""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field

import yaml

from .. import build
from ..errors import ClusterError, ReconcileError
from .apply import (CONFIGURED, CREATED, DELETED, SKIPPED, UNCHANGED, Change, apply_staged,
                    normalize)
from .client import KubeClient, object_id
from .flux_source import flux_source
from .inventory import InventoryStore, owner_labels, stale
from .prune import prune as prune_stale
from .wait import wait_for


@dataclass
class ReconcileResult:
    """What one reconcile did. ``applied``: a :class:`Change` per object (created,
    configured, unchanged or skipped); ``pruned``: the deleted stale objects;
    ``inventory``: the ids (``Kind/namespace/name``, ``Kind/name`` when cluster-scoped) now
    recorded."""
    name: str
    namespace: str
    revision: str
    applied: list = field(default_factory=list)
    pruned: list = field(default_factory=list)
    prune_skipped: list = field(default_factory=list)
    entries: list = field(default_factory=list)
    health: dict = field(default_factory=dict)

    @property
    def inventory(self) -> list:
        return [e.id for e in self.entries]

    def ids(self, action: str) -> list:
        """Ids of the applied objects with ``action`` (``"created"``, ``"configured"``,
        ``"unchanged"``, ``"skipped"``) or of the pruned ones (``"deleted"``)."""
        pool = self.pruned if action == DELETED else self.applied
        return [c.id for c in pool if c.action == action]

    @property
    def changed(self) -> bool:
        return bool(self.pruned) or any(c.action in (CREATED, CONFIGURED)
                                        for c in self.applied)

    def __str__(self) -> str:
        counts = ", ".join("%d %s" % (len(self.ids(a)), a) for a in
                           (CREATED, CONFIGURED, UNCHANGED, SKIPPED))
        lines = ["reconcile %s/%s revision %s: %s; %d pruned" % (
            self.namespace, self.name, self.revision[:19], counts, len(self.pruned))]
        lines += ["  %s" % c for c in self.applied if c.action != UNCHANGED]
        lines += ["  %s" % c for c in self.pruned]
        lines += ["  %s kept (prune disabled or not owned)" % c.id for c in self.prune_skipped]
        return "\n".join(lines)


def load_source(source) -> list:
    """The objects of ``source``: an overlay directory (rendered with the engine), a
    :class:`~pytest_kustomize.Resources`, a YAML string or a list of dicts/resources;
    ``List`` objects are flattened."""
    if isinstance(source, os.PathLike) or (isinstance(source, str) and "\n" not in source):
        if not os.path.isdir(source):
            raise ClusterError("source is not an overlay directory (nor YAML with a "
                               "document per object)", file=os.fspath(source))
        docs = yaml.safe_load_all(build(os.fspath(source)).to_yaml())
    elif isinstance(source, str):
        try:
            docs = list(yaml.safe_load_all(source))
        except yaml.YAMLError as e:
            raise ClusterError("source is not an overlay directory nor YAML: %s" % e) from None
    elif hasattr(source, "to_yaml"):
        docs = yaml.safe_load_all(source.to_yaml())
    else:
        docs = [getattr(d, "data", d) for d in source]
    out = []
    for d in docs:
        if not d:
            continue
        if not isinstance(d, dict):
            raise ClusterError("source document is not an object: %r" % (d,))
        if str(d.get("kind", "")).endswith("List") and isinstance(d.get("items"), list):
            out += [i for i in d["items"] if i]
            continue
        md = d.get("metadata") or {}
        if not (d.get("apiVersion") and d.get("kind") and md.get("name")):
            raise ClusterError("object without apiVersion, kind or metadata.name: %s"
                               % object_id(d))
        out.append(d)
    return out


def resolve(client: KubeClient | None, source, name: str | None, namespace: str | None,
            root=None) -> tuple:
    """(objects, name, namespace, :class:`FluxSource` or None) of ``source``. A Flux
    Kustomization (object, dict or file) is built by the flux layer and names the reconcile;
    anything else needs ``name``."""
    fs = flux_source(source, name=name, namespace=namespace, root=root)
    if fs is not None:
        for given, own, what in ((name, fs.name, "name"), (namespace, fs.namespace,
                                                            "namespace")):
            if given is not None and given != own:
                raise ClusterError("%s=%r differs from the Flux Kustomization's %s %r"
                                   % (what, given, what, own),
                                   file=fs.kustomization.file, field="metadata." + what)
        return fs.objects(client), fs.name, fs.namespace, fs
    if not name:
        raise ClusterError("reconcile needs name= (the Kustomization this source stands "
                           "for) unless the source is a Flux Kustomization")
    return load_source(source), name, namespace or "flux-system", None


def prepare(objects: list, name: str, namespace: str) -> tuple:
    """(objects normalized and stamped with the owner labels, revision digest)."""
    objs = []
    for o in objects:
        o = normalize(o)
        md = o.setdefault("metadata", {})
        md["labels"] = {**(md.get("labels") or {}), **owner_labels(name, namespace)}
        objs.append(o)
    digest = hashlib.sha256(json.dumps(objs, sort_keys=True, default=str).encode()).hexdigest()
    return objs, "sha256:" + digest


def reconcile(client: KubeClient, source, *, name: str | None = None,
              namespace: str | None = None, prune: bool | None = None,
              wait: bool | None = None, timeout: float | None = None,
              force: bool | None = None, root=None) -> ReconcileResult:
    """Apply ``source`` as Flux Kustomization ``namespace/name`` would, prune what its
    previous reconcile applied and this one no longer does, optionally wait for health.
    For a Flux Kustomization source, name, namespace, prune, wait, timeout and force default
    to its own (``spec.prune``, ``spec.wait``, ``spec.timeout`` or ``spec.interval``,
    ``spec.force``); otherwise to ``flux-system``, prune, no wait, 120 s, no force.
    Raises :class:`ReconcileError` naming the objects that failed."""
    objects, name, namespace, fs = resolve(client, source, name, namespace, root)
    if fs is not None:
        prune, wait = fs.option("prune", prune), fs.option("wait", wait)
        timeout, force = fs.option("timeout", timeout), fs.option("force", force)
    prune = True if prune is None else prune
    timeout = 120 if timeout is None else timeout
    objs, revision = prepare(objects, name, namespace)
    store = InventoryStore(client, name, namespace)
    old = store.load() or []
    try:
        changes = apply_staged(client, objs, force=bool(force), timeout=timeout)
    except ClusterError as e:
        raise ReconcileError("%s/%s: %s" % (namespace, name, e.message)) from None
    entries = [c.entry for c in changes]
    result = ReconcileResult(name, namespace, revision, applied=changes)
    gone = stale(old, entries)
    failed, errors = [], []
    if prune and gone:
        pruned, failed, errors = prune_stale(client, gone, name=name, namespace=namespace)
        result.pruned = [c for c in pruned if c.action == DELETED]
        result.prune_skipped = [c for c in pruned if c.action == SKIPPED]
    elif gone:
        result.prune_skipped = [Change(e, SKIPPED) for e in gone]
    result.entries = entries + failed
    store.save(result.entries, revision)
    if errors:
        raise ReconcileError("%s/%s: prune failed: %s" % (namespace, name, "; ".join(errors)))
    if wait:
        result.health = wait_for(client, [c.entry for c in changes if c.action != SKIPPED],
                                 timeout=timeout)
    return result
