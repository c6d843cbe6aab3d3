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
        # kustomize reads the file now but parses it at the first schema lookup (and
        # panics there if it is invalid): a schema no patch needs is never checked
        state["schema"] = _LazySchema(text, str(path), target.kfile)
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


class _LazySchema:
    """A custom schema parsed at its first use."""

    def __init__(self, text: str, path: str, kfile: str):
        self._source = (text, path, kfile)
        self._schema = None

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if self._schema is None:
            text, path, kfile = self._source
            try:
                doc = yamlio.load_document(text, path)
            except KustomizeError as e:
                raise KustomizationError("invalid schema file: %s" % e.message, file=kfile,
                                         field="openapi.path") from None
            problem = _shape_problem(doc)
            if problem:
                raise KustomizationError("invalid schema file %s: %s" % (path, problem),
                                         file=kfile, field="openapi.path")
            self._schema = Schema.from_openapi_document(doc)
        return getattr(self._schema, name)


def _shape_problem(doc) -> str | None:
    """Where ``doc`` is not a swagger document go-openapi can decode (None if it is)."""
    if not isinstance(doc, dict):
        return "expected a JSON object, got %s" % _kind(doc)
    defs = doc.get("definitions")
    if defs is None:
        defs = (doc.get("components") or {}).get("schemas") \
            if isinstance(doc.get("components"), dict) else None
    if defs is None:
        return None
    if not isinstance(defs, dict):
        return "definitions: expected an object, got %s" % _kind(defs)
    todo = [("definitions." + str(k), v) for k, v in defs.items()]
    while todo:
        where, sch = todo.pop()
        if not isinstance(sch, dict):
            return "%s: expected a schema object, got %s" % (where, _kind(sch))
        props = sch.get("properties")
        if props is not None:
            if not isinstance(props, dict):
                return "%s.properties: expected an object, got %s" % (where, _kind(props))
            todo.extend(("%s.properties.%s" % (where, k), v) for k, v in props.items())
        items = sch.get("items")
        if items is not None:
            if isinstance(items, list):
                todo.extend(("%s.items[%d]" % (where, i), v) for i, v in enumerate(items))
            else:
                todo.append((where + ".items", items))
        extra = sch.get("additionalProperties")
        if extra is not None and not isinstance(extra, bool):
            todo.append((where + ".additionalProperties", extra))
    return None


def _kind(v) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(v), "null" if v is None else "a number")


def schema_for(target) -> Schema:
    return target.options.schema_state.get("schema") or Schema.default()
