"""What a reconcile would do, found by server-side dry-run (as ``flux diff kustomization``):
objects it would create, change (with a diff of live vs dry-run result) and prune; nothing
on the server changes. Secret values are masked (``***``, or ``*** (before)`` / ``***
(after)`` where a value differs)."""
from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass, field

import yaml

from .apply import (CONFIGURED, CREATED, DELETED, EXCLUDE, IF_NOT_PRESENT, PRUNE_EXCLUDE,
                    SKIPPED, UNCHANGED, Change, any_in_metadata, drifted, sort_key)
from .client import KubeClient
from .inventory import Entry, InventoryStore, owner_labels, stale
from .reconcile import prepare, resolve

_SERVER_FIELDS = ("managedFields", "resourceVersion", "uid", "generation",
                  "creationTimestamp")


@dataclass
class DiffResult:
    """``changes``: a :class:`Change` per object (created, configured, unchanged, skipped)
    and per stale object a prune would delete (``deleted``); ``diffs``: {id: unified diff}
    of each configured object."""
    name: str
    namespace: str
    changes: list = field(default_factory=list)
    diffs: dict = field(default_factory=dict)

    def ids(self, action: str) -> list:
        return [c.id for c in self.changes if c.action == action]

    @property
    def created(self) -> list:
        return self.ids(CREATED)

    @property
    def changed(self) -> list:
        return self.ids(CONFIGURED)

    @property
    def pruned(self) -> list:
        return self.ids(DELETED)

    def __bool__(self) -> bool:
        return any(c.action in (CREATED, CONFIGURED, DELETED) for c in self.changes)

    def __str__(self) -> str:
        lines = []
        for c in self.changes:
            if c.action == UNCHANGED:
                continue
            lines.append("► %s %s" % (c.id, "drifted" if c.action == CONFIGURED
                                      else c.action))
            if c.id in self.diffs:
                lines += ["  " + line for line in self.diffs[c.id].splitlines()]
        return "\n".join(lines) if lines else "no changes"


def clean(obj: dict) -> dict:
    """The object without server-set metadata and status, for showing a diff."""
    out = copy.deepcopy(obj)
    md = out.get("metadata") or {}
    for k in _SERVER_FIELDS:
        md.pop(k, None)
    out.pop("status", None)
    return out


def mask_secrets(live: dict, dry: dict) -> tuple:
    """Copies of a live and a dry-run Secret with every ``data``/``stringData`` value
    replaced by ``***`` (``*** (before)`` / ``*** (after)`` where they differ)."""
    live, dry = copy.deepcopy(live), copy.deepcopy(dry)
    for key in ("data", "stringData"):
        a, b = live.get(key) or {}, dry.get(key) or {}
        for k in set(a) | set(b):
            same = a.get(k) == b.get(k)
            if k in a:
                a[k] = "***" if same else "*** (before)"
            if k in b:
                b[k] = "***" if same else "*** (after)"
    return live, dry


def unified(live: dict, dry: dict, label: str) -> str:
    if live.get("kind") == "Secret":
        live, dry = mask_secrets(live, dry)
    a = yaml.safe_dump(clean(live), sort_keys=True).splitlines()
    b = yaml.safe_dump(clean(dry), sort_keys=True).splitlines()
    return "\n".join(difflib.unified_diff(a, b, "live " + label, "dry-run " + label,
                                          lineterm=""))


def diff(client: KubeClient, source, *, name: str | None = None,
         namespace: str | None = None, prune: bool | None = None, root=None) -> DiffResult:
    """Dry-run ``source`` as reconcile ``namespace/name`` against the live cluster (a Flux
    Kustomization source names itself, and its ``spec.prune`` is the default)."""
    objects, name, namespace, fs = resolve(client, source, name, namespace, root)
    if fs is not None:
        prune = fs.option("prune", prune)
    prune = True if prune is None else prune
    objs, _rev = prepare(objects, name, namespace)
    result = DiffResult(name, namespace)
    entries = []
    for obj in sorted(objs, key=sort_key):
        md = obj["metadata"]
        live = client.get(obj["apiVersion"], obj["kind"], md["name"], md.get("namespace"))
        if any_in_metadata(obj, EXCLUDE) or any_in_metadata(live, EXCLUDE) or \
                (live is not None and any_in_metadata(obj, IF_NOT_PRESENT)):
            c = Change(Entry.of(live or obj), SKIPPED)
        else:
            dry = client.apply(obj, dry_run=True)
            e = Entry.of(dry)
            if live is None:
                c = Change(e, CREATED)
            elif drifted(live, dry):
                c = Change(e, CONFIGURED)
                result.diffs[e.id] = unified(live, dry, e.id)
            else:
                c = Change(e, UNCHANGED)
        entries.append(c.entry)
        result.changes.append(c)
    if prune:
        owner = owner_labels(name, namespace)
        for e in sorted(stale(InventoryStore(client, name, namespace).load() or [], entries),
                        key=sort_key, reverse=True):
            live = client.get(e.api_version, e.kind, e.name, e.namespace or None)
            labels = ((live or {}).get("metadata") or {}).get("labels") or {}
            if live is not None and all(labels.get(k) == v for k, v in owner.items()) and \
                    not any_in_metadata(live, PRUNE_EXCLUDE):
                result.changes.append(Change(e, DELETED))
    return result
