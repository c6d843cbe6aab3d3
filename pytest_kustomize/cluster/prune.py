"""Prune: delete the objects of the previous inventory that the new one lacks, in reverse
apply order (webhooks first, CRDs and Namespaces last), with background propagation — but
never an object whose owner labels name another reconcile (or none), nor one marked
``kustomize.toolkit.fluxcd.io/prune: disabled``, ``…/reconcile: disabled`` or ``…/ssa:
Ignore``. Objects that were never in an inventory are never looked at."""
from __future__ import annotations

from ..errors import ClusterError
from .apply import DELETED, PRUNE_EXCLUDE, SKIPPED, Change, any_in_metadata, sort_key
from .client import KubeClient
from .inventory import owner_labels


def prune(client: KubeClient, stale: list, *, name: str, namespace: str) -> tuple:
    """(changes, failed entries, error messages) for the stale inventory entries."""
    changes, failed, errors = [], [], []
    owner = owner_labels(name, namespace)
    for e in sorted(stale, key=sort_key, reverse=True):
        try:
            live = client.get(e.api_version, e.kind, e.name, e.namespace or None)
            if live is None:
                changes.append(Change(e, DELETED))
                continue
            labels = (live.get("metadata") or {}).get("labels") or {}
            if any(labels.get(k) != v for k, v in owner.items()) or \
                    any_in_metadata(live, PRUNE_EXCLUDE):
                changes.append(Change(e, SKIPPED))
                continue
            client.delete(e.api_version, e.kind, e.name, e.namespace or None)
            changes.append(Change(e, DELETED))
        except ClusterError as err:
            failed.append(e)
            errors.append("%s delete failed: %s" % (e.id, err.message))
    return changes, failed, errors
