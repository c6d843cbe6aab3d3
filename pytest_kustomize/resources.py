"""The rendered output as users see it: an ordered, id-indexed collection of resources."""
from __future__ import annotations

from typing import Iterator, Sequence

from .engine import yamlio
from .engine.resource import Resource


class Resources(Sequence):
    """The resources ``build()`` produced, in output order."""

    def __init__(self, items, warnings=()):
        self._items: list[Resource] = list(items)
        self.warnings: list[str] = list(warnings)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return Resources(self._items[i], self.warnings)
        return self._items[i]

    def __iter__(self) -> Iterator[Resource]:
        return iter(self._items)

    def to_yaml(self) -> str:
        """The YAML stream exactly as ``kustomize build`` prints it."""
        return yamlio.dump_documents([r.data for r in self._items])

    def to_dicts(self) -> list:
        return [r.data for r in self._items]

    def __repr__(self) -> str:
        return "Resources([%s])" % ", ".join(str(r.id) for r in self._items)
