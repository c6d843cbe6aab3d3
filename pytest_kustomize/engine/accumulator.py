"""The resources of a build in order: ResourceList, and NameIndex that finds them by any name
they have had."""
from __future__ import annotations

from typing import Iterable, Iterator


class ResourceList:
    """Resources in order, with an index by current id."""

    def __init__(self, resources: Iterable = ()):
        self._items: list = list(resources)

    def __iter__(self) -> Iterator:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, i):
        return self._items[i]

    @property
    def items(self) -> list:
        return self._items

    def set_items(self, items: list) -> None:
        self._items = list(items)

    def append(self, r) -> None:
        self._items.append(r)

    def extend(self, rs: Iterable) -> None:
        self._items.extend(rs)

    def remove(self, r) -> None:
        self._items = [x for x in self._items if x is not r]

    def by_id(self, rid) -> list:
        return [r for r in self._items if r.id == rid]

    def by_current_or_orig_id(self, rid) -> list:
        return [r for r in self._items if r.id == rid or rid in r.previous_ids]


class NameIndex:
    """The resources of a list by every name they have had (current and previous ids).

    Lookups return a superset of the resources with that name, in list order, so callers
    still apply their full match: patches use it to find targets without scanning every
    resource. It stays valid while only resources passed to :meth:`touched` change and the
    list is not reordered; :meth:`reset` after anything else."""

    def __init__(self, resources: ResourceList):
        self._resources = resources
        self._by_name: dict | None = None
        self._pos: dict = {}

    def reset(self) -> None:
        self._by_name = None

    def _build(self) -> dict:
        by_name: dict = {}
        self._pos = {}
        for i, r in enumerate(self._resources):
            self._pos[id(r)] = i
            for rid in r.all_ids():
                bucket = by_name.setdefault(rid.name, [])
                if not bucket or bucket[-1] is not r:
                    bucket.append(r)
        self._by_name = by_name
        return by_name

    def lookup(self, name: str) -> list:
        by_name = self._by_name if self._by_name is not None else self._build()
        return by_name.get(name, [])

    def touched(self, resources: Iterable) -> None:
        """Resources that may have been renamed: file them under their names now too."""
        if self._by_name is None:
            return
        for r in resources:
            for rid in r.all_ids():
                bucket = self._by_name.setdefault(rid.name, [])
                if not any(x is r for x in bucket):
                    bucket.append(r)
                    bucket.sort(key=lambda x: self._pos.get(id(x), len(self._pos)))
