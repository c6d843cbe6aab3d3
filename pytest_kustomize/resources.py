"""The rendered output as users see it: Resource (the engine's object with field paths and
provenance) and Resources, an ordered, queryable collection of them."""
from __future__ import annotations

from typing import Callable, Iterator, Sequence

from . import provenance as prov
from .engine import resource as core
from .engine import yamlio
from .engine.deep import guarded
from .engine.resid import Gvk, ResId
from .errors import YamlError
from .query import (QueryError, describe, find_referenced, get_all, get_field,
                    matches, reference_fields)


class Resource(core.Resource):
    """A rendered object: ``data``, ``id``, ``kind``, ``name`` … plus reading by field path
    and where each value came from."""
    __slots__ = ()          # the engine's layout: build() retypes its objects in place

    def get(self, path: str, default=None):
        """The value at a kustomize field path, e.g.
        ``spec.template.spec.containers.[name=nginx].image``; ``default`` when absent."""
        return get_field(self.data, path, default)

    def get_all(self, path: str) -> list:
        """Every value at ``path`` (``*`` matches every map value or list element)."""
        return get_all(self.data, path)

    @property
    def source(self) -> str:
        """The file this resource was loaded from, or the kustomization file whose
        generator made it."""
        return prov.source(self)

    def changes_to(self, path: str) -> list:
        """The recorded transformations (patches, transformers) that may have set ``path``."""
        return prov.changes_to(self, path)

    def provenance(self, path: str) -> str:
        """A sentence saying where the value at ``path`` came from."""
        return prov.provenance(self, path)


def rendered(r: core.Resource) -> Resource:
    """The engine's resource as a rendered :class:`Resource` (the same object, retyped: the
    build hands its resources over)."""
    if type(r) is core.Resource:
        r.__class__ = Resource
    return r


class Resources(Sequence):
    """The resources ``build()`` produced, in output order.

    ``select(**criteria)`` narrows them down, ``one(**criteria)`` demands exactly one,
    ``get(kind, name)`` finds an object by its name in the kustomization (generated names
    with hash suffixes included). See :mod:`pytest_kustomize.query` for the criteria.
    """

    def __init__(self, items, warnings=(), path: str = "", patch_matches=None):
        self._items: list[Resource] = [rendered(r) for r in items]
        self.warnings: list[str] = list(warnings)
        self.path = path
        # engine.builtins.PatchMatch of every targeted patch; None: not recorded (not a build)
        self.patch_matches: list | None = None if patch_matches is None else list(patch_matches)

    # -- sequence ----------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return Resources(self._items[i], self.warnings, self.path, self.patch_matches)
        return self._items[i]

    def __iter__(self) -> Iterator[Resource]:
        return iter(self._items)

    def __eq__(self, other) -> bool:
        if isinstance(other, Resources):
            return self.to_dicts() == other.to_dicts()
        if isinstance(other, list):
            return self.to_dicts() == [o.data if isinstance(o, Resource) else o for o in other]
        return NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return "Resources([%s])" % ", ".join(str(r.id) for r in self._items)

    # -- output ------------------------------------------------------------------------
    def to_yaml(self) -> str:
        """The YAML stream exactly as ``kustomize build`` prints it."""
        return guarded(self.path, self._print)

    def _print(self) -> str:
        texts = []
        for r in self._items:
            try:
                texts.append(yamlio.dump_document(r.data))
            except YamlError as e:       # a value kustomize cannot print: name its source
                raise e.with_context(file=rendered(r).source or self.path,
                                     resource=str(r.id)) from None
        return "---\n".join(texts)

    def to_dicts(self) -> list:
        return [r.data for r in self._items]

    # -- queries -----------------------------------------------------------------------
    def select(self, kind: str | None = None, name: str | None = None, **criteria) \
            -> "Resources":
        """The resources matching every criterion (kind, name, namespace, api_version,
        group, version, labels, annotations, where)."""
        crit = dict(criteria, kind=kind, name=name)
        return Resources([r for r in self._items if matches(r, **crit)], self.warnings,
                         self.path, self.patch_matches)

    def where(self, predicate: Callable[[Resource], bool]) -> "Resources":
        return self.select(where=predicate)

    def one(self, kind: str | None = None, name: str | None = None, **criteria) -> Resource:
        """Exactly one matching resource; QueryError listing the candidates otherwise."""
        found = self.select(kind, name, **criteria)
        if len(found) == 1:
            return found[0]
        crit = describe(dict(criteria, kind=kind, name=name))
        if not found:
            near = (self.select(kind) if kind else self) or self
            listed = ", ".join(str(r.id) for r in list(near)[:20])
            if len(near) > 20:
                listed += " … (%d in all)" % len(near)
            raise QueryError("no resource matches %s; the render has: %s"
                             % (crit, listed or "nothing"))
        raise QueryError("%d resources match %s: %s"
                         % (len(found), crit, ", ".join(str(r.id) for r in found)))

    def get(self, kind: str, name: str, namespace: str | None = None) -> Resource:
        """The object named ``name`` in the kustomization (before prefixes, suffixes and
        hash suffixes) or in the output."""
        return self.one(kind, name, namespace=namespace)

    def find(self, kind: str, name: str, namespace: str | None = None) -> Resource | None:
        found = self.select(kind, name, namespace=namespace)
        return found[0] if len(found) == 1 else None

    def by_id(self, rid: ResId) -> Resource:
        return self.one(rid.gvk.kind, rid.name, api_version=rid.gvk.api_version,
                        namespace=rid.namespace or None)

    def kinds(self) -> list:
        return sorted({r.kind for r in self._items})

    def ids(self) -> list:
        return [r.id for r in self._items]

    # -- references --------------------------------------------------------------------
    def references(self, resource: Resource, kind: str | None = None,
                   extra: list | None = None) -> list:
        """The objects of this render that ``resource`` refers to by name (ConfigMaps and
        Secrets in env/envFrom/volumes, ServiceAccounts, PVCs, Services, roles …)."""
        out = []
        for target, _path, name, ns in reference_fields(resource, extra):
            if kind is not None and target.kind != kind:
                continue
            for c in find_referenced(self._items, resource, target, name, ns):
                if all(c is not o for o in out):
                    out.append(c)
        return out

    def unresolved_references(self, extra: list | None = None) -> list:
        """(referrer, field path, referenced kind, name) for every name reference that
        points at no object of the render."""
        missing = []
        for r in self._items:
            groups: dict = {}
            for target, path, name, ns in reference_fields(r, extra):
                groups.setdefault((path, name, ns), []).append(target)
            for (path, name, ns), targets in groups.items():
                # one field may serve several kinds (scaleTargetRef): any of them will do
                if not any(find_referenced(self._items, r, t, name, ns) for t in targets):
                    kinds = "/".join(sorted({t.kind for t in targets}))
                    missing.append((r, path, kinds, name))
        return missing

    def referenced_by(self, resource: Resource) -> list:
        return [r for r in self._items if any(c is resource for c in self.references(r))]


__all__ = ["Resources", "Resource", "ResId", "Gvk", "QueryError"]
