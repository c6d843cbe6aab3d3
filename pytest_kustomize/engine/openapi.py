"""Which schema drives strategic merge: the builtin Kubernetes one, or a custom one named by
a kustomization's ``openapi:`` field. Like kustomize, the choice is global to one build: the
top kustomization sets it; otherwise the first kustomization (base, component) that names
one does."""
from __future__ import annotations

from ..errors import KustomizationError, KustomizeError
from . import yamlio
from .schema import Schema

BUILTIN_VERSIONS = ("v1.21.2",)


def set_schema(target, state: dict, reset: bool) -> None:
    """Apply ``target``'s ``openapi`` field to the build-wide ``state`` (kustomize's
    openapi.SetSchema)."""
    if state.get("set") and not reset:
        return
    spec = target.k.get("openapi") or {}
    if not isinstance(spec, dict):
        raise KustomizationError("openapi must be a mapping", file=target.kfile, field="openapi")
    path, version = spec.get("path"), spec.get("version")
    if path:
        if version:
            raise KustomizationError("builtin version and custom schema provided, cannot use "
                                     "both", file=target.kfile, field="openapi")
        try:
            text = target.loader.read_text(str(path))
        except KustomizeError as e:
            raise e.with_context(file=target.kfile, field="openapi.path")
        doc = yamlio.load_document(text, str(path))
        if not isinstance(doc, dict):
            raise KustomizationError("openapi schema file must hold a mapping",
                                     file=target.kfile, field="openapi.path")
        state["schema"] = Schema.from_openapi_document(doc)
        state["set"] = True
        return
    if not version:
        state.setdefault("schema", None)
        state["set"] = False
        return
    if str(version) not in BUILTIN_VERSIONS:
        raise KustomizationError("the specified OpenAPI version is not built in",
                                 file=target.kfile, field="openapi.version")
    state["schema"] = None
    state["set"] = True


def schema_for(target) -> Schema:
    return target.options.schema_state.get("schema") or Schema.default()
