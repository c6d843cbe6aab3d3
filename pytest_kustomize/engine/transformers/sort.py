"""Output order: kustomize's legacy sort (kinds first/last, then gvk and id strings) or fifo."""
from __future__ import annotations

import functools

from ...errors import KustomizationError
from ..resource import Gvk, ResourceList

DEFAULT_ORDER_FIRST = (
    "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount",
    "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap",
    "Secret", "Endpoints", "Service", "LimitRange", "PriorityClass", "PersistentVolume",
    "PersistentVolumeClaim", "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget")
DEFAULT_ORDER_LAST = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")


_DEFAULT_RANKS = {k: -len(DEFAULT_ORDER_FIRST) + i for i, k in enumerate(DEFAULT_ORDER_FIRST)}
_DEFAULT_RANKS.update({k: 1 + i for i, k in enumerate(DEFAULT_ORDER_LAST)})


def kind_rank(kind: str) -> int:
    return _DEFAULT_RANKS.get(kind, 0)


def _gvk_string(g: Gvk) -> str:
    return "_".join((g.group or "~G", g.version or "~V", g.kind or "~K"))


def legacy_sort(resources: ResourceList, order_first=DEFAULT_ORDER_FIRST,
                order_last=DEFAULT_ORDER_LAST) -> None:
    ranks = {}
    for i, k in enumerate(order_first):
        ranks[k] = -len(order_first) + i
    for i, k in enumerate(order_last):
        ranks[k] = 1 + i

    def cmp(ia, ib):
        ga, gb = ia.gvk, ib.gvk
        if ga != gb:
            ra, rb = ranks.get(ga.kind, 0), ranks.get(gb.kind, 0)
            if ra != rb:
                return -1 if ra < rb else 1
            sa, sb = _gvk_string(ga), _gvk_string(gb)
            if ga.kind == "Namespace" and gb.kind == "Namespace" and (not ga.group
                                                                      or not gb.group):
                return (sa < sb) - (sa > sb)
            return (sa > sb) - (sa < sb)
        xa = "|".join((str(ga), ia.namespace or "~X", ia.name or "~N"))
        xb = "|".join((str(gb), ib.namespace or "~X", ib.name or "~N"))
        return (xa > xb) - (xa < xb)

    items = resources.items
    ids = [r.id for r in items]
    gvks = {i.gvk for i in ids}
    namespaces = [g for g in gvks if g.kind == "Namespace"]
    if len(namespaces) <= 1 and len({_gvk_string(g) for g in gvks}) == len(gvks):
        # cmp's order as a key: kinds' ranks, gvk strings, then namespace|name (the reversed
        # Namespace order needs two Namespace gvks; equal gvk strings of two gvks, a "_")
        keys = {}
        for r, i in zip(items, ids):
            g = i.gvk
            keys[id(r)] = (ranks.get(g.kind, 0), _gvk_string(g),
                           "|".join((i.namespace or "~X", i.name or "~N")))
        resources.set_items(sorted(items, key=lambda r: keys[id(r)]))
        return
    by_res = {id(r): i for r, i in zip(items, ids)}
    order = functools.cmp_to_key(cmp)
    resources.set_items(sorted(items, key=lambda r: order(by_res[id(r)])))


def apply_sort_options(resources: ResourceList, opts: dict, kfile: str) -> None:
    """Honour a kustomization's ``sortOptions`` (order legacy|fifo, legacySortOptions)."""
    if not isinstance(opts, dict):
        raise KustomizationError("sortOptions must be a mapping", file=kfile, field="sortOptions")
    order = opts.get("order") or ""
    legacy = opts.get("legacySortOptions")
    if order not in ("fifo", "legacy"):
        raise KustomizationError("the field 'sortOptions.order' must be one of [fifo, legacy]",
                                 file=kfile, field="sortOptions.order")
    if order == "fifo":
        if legacy is not None:
            raise KustomizationError("the field 'sortOptions.legacySortOptions' is set but the "
                                     "selected sort order is 'fifo', not 'legacy'", file=kfile,
                                     field="sortOptions.legacySortOptions")
        return
    if legacy is None:
        legacy_sort(resources)
    else:
        legacy_sort(resources, tuple(legacy.get("orderFirst") or ()),
                    tuple(legacy.get("orderLast") or ()))
