"""Turn file bytes into resources: YAML streams, `kind: List` expansion, basic checks."""
from __future__ import annotations

from ..errors import YamlError
from . import yamlio


def documents_to_objects(docs: list, path: str, patch: bool = False) -> list:
    """Expand List kinds and check every document is an object (``patch``: patch documents,
    whose annotation nulls delete entries and stay nulls)."""
    out = []
    for d in docs:
        if d is None:
            continue
        if not isinstance(d, dict):
            raise YamlError("wrong node kind: expected a Kubernetes object (a mapping), got %s"
                            % ("a sequence" if isinstance(d, list) else repr(d)), file=path)
        if not d:
            continue
        kind = d.get("kind")
        if kind in (None, "") or isinstance(kind, (list, dict)):      # kyaml: not a scalar
            raise YamlError("missing kind in object %s" % _meta_str(d), file=path)
        kind = str(kind)
        if kind.endswith("List"):
            if "items" not in d:
                out.append(d)
                continue
            items = d.get("items")
            if items is None:
                continue
            if not isinstance(items, list):
                raise YamlError("expected array in %s/items, but found %s"
                                % (kind, type(items).__name__), file=path)
            out.extend(documents_to_objects(items, path, patch))
            continue
        md = d.get("metadata")
        if not isinstance(md, dict) or md.get("name") in (None, "") \
                or isinstance(md.get("name"), (list, dict)):     # kyaml: not a scalar
            raise YamlError("missing metadata.name in object %s" % _meta_str(d), file=path)
        anns = md.get("annotations")
        if isinstance(anns, dict):
            # kustomize rewrites annotations as a string map when it reads a resource
            # (a list or mapping reads as "", a null stays for a patch to drop: kubectl)
            for k, v in anns.items():
                if isinstance(v, bool):
                    anns[k] = yamlio.scalar_to_string(v)    # (scalars: see build.py)
        out.append(d)
    return out


_PARSED: dict = {}


def objects_from_text(text: str, path: str, *, patch: bool = False) -> list:
    """The objects of a YAML stream (resources, or patches with ``patch``, read as kyaml
    reads them); parsed once per distinct text (a session renders the same files again
    and again), handed out as fresh copies."""
    return [d for d, _ in objects_with_nulls(text, path, patch=patch)]


def objects_with_nulls(text: str, path: str, *, patch: bool = False) -> list:
    """(object, paths of its empty nulls) for every object of a YAML stream. The first read
    of a text hands out the parse itself and only notes the text; from the second on it is
    parsed once more, kept, and handed out as copies (a one-off render copies nothing and
    keeps no second tree alive)."""
    key = (path, text, patch)
    cached = _PARSED.get(key)
    if cached is None or cached is _SEEN:
        fresh = _parse_objects(text, path, patch)
        if len(_PARSED) > 20000:
            _PARSED.clear()
        if cached is None:
            _PARSED[key] = _SEEN
            return fresh
        _PARSED[key] = cached = fresh
    return [(fast_copy(d), paths) for d, paths in cached]


_SEEN = ()          # _PARSED's value for a text read once


def _parse_objects(text: str, path: str, patch: bool) -> list:
    null_paths: list = []
    docs = yamlio.load_documents(text, path, kyaml="patch" if patch else "resource",
                                 null_paths=null_paths)
    out = []
    for d, paths in zip(docs, null_paths):
        objs = documents_to_objects([d], path, patch)
        items = d.get("items") if isinstance(d, dict) else None
        index = {id(it): i for i, it in enumerate(items)} if isinstance(items, list) else {}
        for o in objs:
            if o is d:
                out.append((o, paths))
            else:           # an item of a List: its paths start with items, i
                i = index.get(id(o))
                out.append((o, tuple(p[2:] for p in paths if p[:2] == ("items", i))))
    return out


def py_fast_copy(v):
    """A deep copy of plain JSON-like data (much faster than copy.deepcopy)."""
    if isinstance(v, dict):
        return {k: py_fast_copy(x) for k, x in v.items()}
    if isinstance(v, list):
        return [py_fast_copy(x) for x in v]
    return v


#: the same copy in C when the native reader is built
fast_copy = yamlio.NATIVE_COPY or py_fast_copy


def _meta_str(d: dict) -> str:
    md = d.get("metadata") if isinstance(d.get("metadata"), dict) else {}
    return "{apiVersion: %s, kind: %s, name: %s}" % (d.get("apiVersion"), d.get("kind"),
                                                     md.get("name"))
