"""kustomize's dotted field paths: ``spec.template.spec.containers.[name=nginx].image``."""
from __future__ import annotations

import re

from .fieldspec import split_path

_SLICE_INDEX = re.compile(r"^(.*)\[(\d+)\]$")


def smarter_split(path: str) -> list:
    """kyaml's SmarterPathSplitter on '.': escaped dots stay, ``[a.b=c]`` stays one bracketed
    element, ``[a.b]`` (a map key with dots) loses its brackets."""
    parts = split_path(path, ".")
    out, i = [], 0
    while i < len(parts):
        e = parts[i]
        if e.startswith("[") and not e.endswith("]"):
            acc = [e]
            while i < len(parts) - 1:
                i += 1
                acc.append(parts[i])
                if parts[i].endswith("]"):
                    break
            joined = ".".join(acc)
            out.append(joined if "=" in joined else joined.strip("[]"))
        else:
            out.append(e)
        i += 1
    return out


def with_slice_indexes(parts: list) -> list:
    """kyaml's convertSliceIndex: ``containers[0]`` becomes ``containers``, ``0``."""
    res = []
    for s in parts:
        m = _SLICE_INDEX.match(s) if s.endswith("]") else None
        if m:
            if m.group(1):
                res.append(m.group(1))
            res.append(m.group(2))
        else:
            res.append(s)
    return res
