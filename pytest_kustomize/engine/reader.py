"""Turn file bytes into resources: YAML streams, `kind: List` expansion, basic checks."""
from __future__ import annotations

from ..errors import YamlError
from . import yamlio
from .resource import Origin, Resource


def documents_to_objects(docs: list, path: str) -> list:
    """Expand List kinds and check every document is an object."""
    out = []
    for d in docs:
        if d is None:
            continue
        if isinstance(d, list):
            # a bare top-level sequence of objects
            out.extend(documents_to_objects(d, path))
            continue
        if not isinstance(d, dict):
            raise YamlError("expected a Kubernetes object (a mapping), got %s: %r"
                            % (type(d).__name__, d), file=path)
        if not d:
            continue
        kind = d.get("kind")
        if isinstance(kind, str) and kind.endswith("List") and "items" in d:
            items = d.get("items") or []
            if not isinstance(items, list):
                raise YamlError("items of a %s must be a list" % kind, file=path)
            out.extend(documents_to_objects(items, path))
            continue
        out.append(d)
    return out


def objects_from_text(text: str, path: str) -> list:
    return documents_to_objects(yamlio.load_documents(text, path), path)


def resources_from_text(text: str, path: str, origin_path: str = "") -> list:
    return [Resource(d, Origin(path=origin_path or path)) for d in objects_from_text(text, path)]
