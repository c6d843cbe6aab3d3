"""The in-process validator (``jsonschema`` with ``referencing``): the same schemas and the
same verdicts as kubeconform, for machines without it."""
from __future__ import annotations

import functools
import json
import os
import urllib.parse

from .report import FieldError
from .schemas import (DEFINITIONS, DEFINITIONS_URI, SchemaError, STRICT_SUFFIX,
                      package_root)


def _no_network(uri: str):
    from referencing.exceptions import NoSuchResource
    if uri.startswith("file://"):
        path = urllib.parse.unquote(urllib.parse.urlparse(uri).path)
        return _resource_from_file(path)
    raise NoSuchResource(ref=uri)     # validation is offline: nothing is fetched


def _resource_from_file(path: str):
    import referencing.jsonschema
    from referencing import Resource
    with open(path, encoding="utf-8") as f:
        contents = json.load(f)
    return Resource.from_contents(contents,
                                  default_specification=referencing.jsonschema.DRAFT4)


@functools.lru_cache(maxsize=8)
def _registry(version: str, strict: bool):
    import referencing.jsonschema
    from referencing import Registry, Resource
    path = os.path.join(package_root(), "v%s-local%s" % (version, STRICT_SUFFIX if strict
                                                         else ""), DEFINITIONS)
    with open(path, encoding="utf-8") as f:
        defs = json.load(f)
    res = Resource.from_contents(defs, default_specification=referencing.jsonschema.DRAFT202012)
    return Registry(retrieve=_no_network).with_resource(DEFINITIONS_URI, res)


@functools.lru_cache(maxsize=2048)
def compiled_file(path: str, version: str, strict: bool):
    """A validator for a schema file, or None when the file does not exist."""
    if not os.path.isfile(path):
        return None
    from jsonschema.validators import validator_for
    try:
        with open(path, encoding="utf-8") as f:
            schema = json.load(f)
    except (OSError, ValueError) as e:
        raise SchemaError("cannot load schema: %s" % e, file=path) from None
    registry = _registry(version, strict)
    uri = "file://" + urllib.parse.quote(os.path.abspath(path))
    from referencing import Resource
    import referencing.jsonschema
    registry = registry.with_resource(uri, Resource.from_contents(
        schema, default_specification=referencing.jsonschema.DRAFT4))
    cls = validator_for(schema, default=_draft4())
    if schema.get("$id"):
        v = cls(schema, registry=registry)
    else:
        # no $id: reach the schema through its file address so relative $refs resolve
        v = cls({"$ref": uri}, registry=registry)
    if not _refs_resolve(schema, registry, schema.get("$id") or uri):
        return None      # as kubeconform: a schema that does not compile is not a schema
    return v


def _refs_resolve(schema, registry, base: str) -> bool:
    from referencing.exceptions import Unresolvable
    resolver = registry.resolver(base_uri=base)
    refs = set()

    def walk(node):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                refs.add(ref)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(schema)
    try:
        for ref in refs:
            resolver.lookup(ref)
    except Unresolvable:
        return False
    return True


def _draft4():
    from jsonschema import Draft4Validator
    return Draft4Validator


def compiled_schema(schema: dict):
    from jsonschema.validators import validator_for
    return validator_for(schema, default=_draft4())(schema)


def leaf_errors(validator, instance) -> list:
    """Innermost failures, as JSON pointers: an error with sub-errors (oneOf, anyOf)
    is replaced by them."""
    out = []

    def visit(err):
        if err.context:
            for sub in err.context:
                visit(sub)
            return
        path = "".join("/" + str(p) for p in err.absolute_path)
        out.append(FieldError(path, err.message))
    for e in validator.iter_errors(instance):
        visit(e)
    return sorted(out, key=lambda e: e.path)
