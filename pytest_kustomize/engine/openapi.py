"""Which schema drives strategic merge for a kustomization: the builtin Kubernetes one, or
the file named by the kustomization's ``openapi: {path: …}`` field."""
from __future__ import annotations

from ..errors import KustomizationError, KustomizeError
from . import yamlio
from .strategicmerge import strategic_merge  # noqa: F401  (re-exported for callers)

try:
    from .schema import Schema
except ImportError:  # pragma: no cover - schema module is part of the package
    Schema = None


def schema_for(target) -> object | None:
    k = target.k
    spec = k.get("openapi")
    if not spec:
        return getattr(target, "inherited_schema", None) or (Schema.default() if Schema else None)
    if not isinstance(spec, dict):
        raise KustomizationError("openapi must be a mapping", file=target.kfile, field="openapi")
    if spec.get("path") and spec.get("version"):
        raise KustomizationError("builtin version and custom schema provided, cannot use both",
                                 file=target.kfile, field="openapi")
    if spec.get("path"):
        try:
            text = target.loader.read_text(str(spec["path"]))
        except KustomizeError as e:
            raise e.with_context(file=target.kfile, field="openapi.path")
        doc = yamlio.load_document(text, str(spec["path"]))
        if not isinstance(doc, dict):
            raise KustomizationError("openapi schema file must hold a mapping",
                                     file=target.kfile, field="openapi.path")
        return Schema.from_openapi_document(doc)
    return Schema.default() if Schema else None
