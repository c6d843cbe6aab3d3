"""The read records of a resource (yamlread: empty nulls, quoted scalars, patch texts)
follow its values by identity while a merge rewrites the data: the (id of the mapping, key)
of every value a record names, and back to paths in the result."""
from __future__ import annotations

from .yamlv3 import NATIVE_READER

#: paths_of in C (engine/_yamlload.c) when the native reader is built
FIND_PATHS = NATIVE_READER.find_paths if NATIVE_READER is not None else None


def text_ids(origin, texts) -> dict:
    """(id of the mapping, key) -> the text a plain scalar of the patch was written with."""
    out = {}
    for rec in texts:
        path, text = rec[1:-1], rec[-1]
        for (i, k) in ids_of(origin, [path], object):
            out[(i, k)] = text
    return out


def ids_of(dest, paths, kind=None) -> set:
    """(id of the mapping, key) of every value ``paths`` names in ``dest`` that is still
    null (``kind`` None) or an instance of ``kind``."""
    out = set()
    for path in paths:
        node = mapping_at(dest, path)
        if node is not None:
            v = node[path[-1]]
            if (v is None) if kind is None else isinstance(v, kind):
                out.add((id(node), path[-1]))
    return out


def mapping_at(data, path):
    """The mapping holding the value ``path`` names in ``data`` (None when it is not there)."""
    if not path:
        return None
    node = data
    for p in path[:-1]:
        if isinstance(node, dict) and isinstance(p, str):
            node = node.get(p)
        elif isinstance(node, list) and isinstance(p, int) and p < len(node):
            node = node[p]
        else:
            return None
    return node if isinstance(node, dict) and path[-1] in node else None


def paths_of(res, ids: set, kind=None) -> list:
    """The paths in ``res`` of the values ``ids`` names ((id of the mapping, key)) that are
    null (``kind`` None) or an instance of ``kind``."""
    if FIND_PATHS is not None and isinstance(ids, set):
        return FIND_PATHS(res, ids, kind)
    return py_paths_of(res, ids, kind)


def py_paths_of(res, ids: set, kind=None) -> list:
    out, stack = [], [(res, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            for k, v in node.items():
                if ((v is None) if kind is None else isinstance(v, kind)) \
                        and (id(node), k) in ids:
                    out.append(path + (k,))
                elif isinstance(v, (dict, list)):
                    stack.append((v, path + (k,)))
        elif isinstance(node, list):
            stack.extend((v, path + (i,)) for i, v in enumerate(node)
                         if isinstance(v, (dict, list)))
    return out
