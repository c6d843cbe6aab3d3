"""What every transformer shares: the provenance record of what it changed."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

from ..resource import Resource


@dataclass(slots=True, unsafe_hash=True)    # not frozen: a frozen __init__ costs 3x, and
class Change:                               # a record is made per resource and transformer
    """One transformer's change to one resource: which transformer, configured where,
    from which source (patch file or inline text), and which fields it may have set."""
    transformer: str
    file: str = ""
    source: str = ""
    paths: tuple = ()                       # field paths, each a tuple of keys
    patch: object = field(default=None, compare=False, hash=False)   # SMP doc or JSON ops

    def touches(self, path: tuple) -> bool:
        """Could this change have set the field at ``path`` (keys only, no list indexes)?"""
        for p in self.paths:
            n = min(len(p), len(path))
            if p[:n] == path[:n]:
                return True
        if isinstance(self.patch, dict):
            return _doc_touches(self.patch, list(path))
        if isinstance(self.patch, list):
            for op in self.patch:
                if not isinstance(op, dict):
                    continue
                parts = tuple(x.replace("~1", "/").replace("~0", "~")
                              for x in str(op.get("path", "")).split("/")[1:]
                              if not x.isdigit() and x != "-")
                n = min(len(parts), len(path))
                if parts[:n] == path[:n]:
                    return True
        return False


def _doc_touches(doc, path: list) -> bool:
    if not path:
        return True
    if isinstance(doc, dict):
        if path[0] in doc:
            return _doc_touches(doc[path[0]], path[1:])
        return False
    if isinstance(doc, list):
        return any(_doc_touches(el, path) for el in doc)
    return False


def spec_paths(specs) -> tuple:
    return _spec_paths(tuple(specs))


@functools.lru_cache(maxsize=1024)
def _spec_paths(specs: tuple) -> tuple:
    return tuple(tuple(x.rstrip("[]") for x in fs.path.split("/")) for fs in specs)


def record(res: Resource, transformer: str, configured_in: str = "", detail: str = "", *,
           paths: tuple = (), patch=None) -> None:
    """Note on ``res`` that ``transformer`` (configured in ``configured_in``) changed it."""
    paths = tuple(paths)
    done = res.origin.transformations
    if done:
        last = done[-1]
        if last.transformer == transformer and last.file == configured_in \
                and last.source == detail and last.paths == paths:
            return
    done.append(Change(transformer, configured_in, detail, paths, patch))
