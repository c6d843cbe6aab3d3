"""Schema validation of rendered resources against Kubernetes JSON schemas, offline.

:func:`validate` runs ``kubeconform`` when it is installed (one subprocess per render) and
the in-process ``jsonschema`` validator otherwise; both read the schemas the package
``kubernetes-validate`` ships, plus JSON schemas made from the CustomResourceDefinitions of
the render (and of ``crds`` files), and give the same verdicts.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

from ..engine.resource import Resource
from .. import provenance as prov
from .. import tools
from ..engine import yamlio
from ..errors import YamlError
from . import crds as crdmod
from . import inprocess, kubeconform
from .report import ERROR, INVALID, SKIPPED, VALID, FieldError, Report, ResourceResult
from .schemas import (DEFAULT_KUBERNETES_VERSION, SchemaError, available_versions,
                      check_offline, kubeconform_location, package_schema_path,
                      render_location, resolve_version)

__all__ = ["validate", "Report", "ResourceResult", "FieldError", "SchemaError",
           "available_versions", "DEFAULT_KUBERNETES_VERSION", "VALID", "INVALID", "ERROR",
           "SKIPPED"]

VALIDATORS = ("auto", "kubeconform", "jsonschema")


@dataclass
class _Item:
    data: dict
    rid: str
    source: str
    resource: Resource | None

    @property
    def api_version(self) -> str:
        v = self.data.get("apiVersion")
        return v if isinstance(v, str) else ""

    @property
    def kind(self) -> str:
        v = self.data.get("kind")
        return v if isinstance(v, str) else ""

    @property
    def name(self) -> str:
        md = self.data.get("metadata")
        v = md.get("name") if isinstance(md, dict) else None
        return v if isinstance(v, str) else ""

    @property
    def namespace(self) -> str:
        md = self.data.get("metadata")
        v = md.get("namespace") if isinstance(md, dict) else None
        return v if isinstance(v, str) else ""


def _items(resources, source: str = "") -> list:
    if isinstance(resources, str):
        docs = [d for d in yamlio.load_documents(resources, source or "<stream>")
                if d not in (None, {})]
        for i, d in enumerate(docs):
            if not isinstance(d, dict):
                raise YamlError("document %d is not a mapping" % (i + 1),
                                file=source or "<stream>")
        resources = docs
    elif isinstance(resources, (dict, Resource)):
        resources = [resources]
    out = []
    for i, r in enumerate(resources):
        if isinstance(r, Resource):
            out.append(_Item(r.data, str(r.id), prov.source(r), r))
        elif isinstance(r, dict):
            item = _Item(r, "", source, None)
            item.rid = "%s %s%s" % (item.kind or "(no kind)", item.namespace + "/"
                                    if item.namespace else "", item.name or "#%d" % i)
            out.append(item)
        else:
            raise TypeError("validate() takes Resources, Resource objects, dicts or YAML text, "
                            "not %s" % type(r).__name__)
    return out


def validate(resources, *, kubernetes_version: str | None = None, strict: bool = False,
             skip_kinds=(), ignore_missing_schemas: bool = True, schema_locations=(),
             crds=(), validator: str = "auto", cache: str | None = None,
             source: str = "") -> Report:
    """Validate rendered resources; returns a :class:`Report` (``report.ok``,
    ``report.invalid``, ``report.format()``).

    ``kubernetes_version``: "1.33", "1.33.2" … (default 1.33; the newest offline schema set
    not newer than it is used). ``strict``: unknown fields are errors. ``skip_kinds``: kinds
    (``Deployment``) or ``apiVersion/kind`` (``apps/v1/Deployment``) not to check.
    ``ignore_missing_schemas``: a resource without a schema is skipped with a warning (else
    an error). ``schema_locations``: extra local kubeconform templates or directories, tried
    first. ``crds``: CRD files or directories whose custom resources get schemas.
    ``validator``: ``auto`` (kubeconform when installed), ``kubeconform`` or ``jsonschema``.
    """
    if validator not in VALIDATORS:
        raise SchemaError("unknown validator %r (choose from %s)" % (validator,
                                                                      ", ".join(VALIDATORS)))
    for loc in schema_locations:
        check_offline(loc)
    version = resolve_version(kubernetes_version)
    items = _items(resources, source)
    crd_docs = [(it.data, it.source) for it in items if it.kind == "CustomResourceDefinition"]
    crd_schemas = crdmod.collect(crd_docs, crds, strict)
    skip = {str(k) for k in skip_kinds}
    results: list = [None] * len(items)
    todo = []
    for i, it in enumerate(items):
        if it.kind in skip or "%s/%s" % (it.api_version, it.kind) in skip:
            results[i] = _result(it, SKIPPED, message="kind %s skipped" % it.kind)
        else:
            todo.append(i)
    binary = kubeconform.find() if validator in ("auto", "kubeconform") else None
    if validator == "kubeconform" and not binary:
        raise SchemaError("kubeconform not found; install it with: %s"
                          % tools.install_command("kubeconform"))
    name = "kubeconform" if binary else "jsonschema"
    if todo:
        run = _run_kubeconform if binary else _run_inprocess
        for i, (status, errors, msg) in zip(todo, run(
                [items[i] for i in todo], version=version, strict=strict,
                locations=list(schema_locations), crd_schemas=crd_schemas, binary=binary,
                cache=cache)):
            results[i] = _finish(items[i], status, errors, msg, ignore_missing_schemas)
    return Report(results, name, version, strict)


def _result(it: _Item, status: str, errors=(), message: str = "") -> ResourceResult:
    return ResourceResult(it.rid, status, list(errors), message, it.source, {},
                          it.api_version, it.kind, it.name, it.namespace)


def _finish(it: _Item, status: str, errors: list, msg: str, ignore_missing: bool):
    if status in (ERROR, SKIPPED) and (msg.startswith(kubeconform.NO_SCHEMA) or not msg):
        msg = "no schema for %s %s (give its CRD: crds=[...] / --crds)" % (it.api_version,
                                                                          it.kind)
        status = SKIPPED if ignore_missing else ERROR
    r = _result(it, status, errors, msg if status != VALID else "")
    if status == INVALID and it.resource is not None:
        for e in errors:        # name the patch or transformer that set a bad field
            dotted = e.dotted()
            if dotted != "(root)" and prov.changes_to(it.resource, dotted):
                r.provenance[e.path] = prov.provenance(it.resource, dotted)
    return r


# --- kubeconform ----------------------------------------------------------------------
def _stream(items) -> str:
    return yamlio.dump_documents([it.data for it in items])


def _run_kubeconform(items, *, version, strict, locations, crd_schemas, binary, cache):
    tmp = None
    try:
        locs = list(locations)
        if crd_schemas:
            tmp, loc = crdmod.write_location(crd_schemas)
            locs.append(loc)
        locs.append(kubeconform_location(version, strict, {(it.kind, it.api_version)
                                                           for it in items if it.kind}))
        records = kubeconform.run(binary, _stream(items), version, strict, locs, cache)
        by_key: dict = {}
        for rec in records:
            by_key.setdefault((rec.get("version", ""), rec.get("kind", ""),
                               rec.get("name", "")), []).append(rec)
        groups: dict = {}
        for idx, it in enumerate(items):
            groups.setdefault((it.api_version, it.kind, it.name), []).append(idx)
        out: list = [None] * len(items)
        for key, idxs in groups.items():
            recs = by_key.get(key, [])
            verdicts = [kubeconform.verdict(r) for r in recs]
            if len(recs) == len(idxs) and len({(v[0], tuple(v[1]), v[2])
                                               for v in verdicts}) <= 1:
                for idx, v in zip(idxs, verdicts):
                    out[idx] = v
                continue
            # same apiVersion/kind/name in several namespaces with different verdicts (or
            # records missing): kubeconform's report has no namespace, so ask per resource
            for idx in idxs:
                one = kubeconform.run(binary, _stream([items[idx]]), version, strict, locs,
                                      cache)
                out[idx] = kubeconform.verdict(one[0]) if one else (
                    ERROR, [], "kubeconform reported nothing for this resource")
        return out
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


# --- in-process -----------------------------------------------------------------------
def _run_inprocess(items, *, version, strict, locations, crd_schemas, binary, cache):
    out = []
    for it in items:
        if not it.kind or not it.api_version:
            out.append((ERROR, [], "missing 'kind' or 'apiVersion'"))
            continue
        v = None
        for loc in locations:
            path = render_location(loc, it.kind, it.api_version, version, strict)
            if path.startswith("file://"):
                path = path[len("file://"):]
            v = inprocess.compiled_file(os.path.abspath(path), version, strict)
            if v is not None:
                break
        if v is None:
            group, _, ver = it.api_version.rpartition("/")
            schema = crd_schemas.get((group, ver, it.kind))
            if schema is not None:
                v = inprocess.compiled_schema(schema)
        if v is None:
            v = inprocess.compiled_file(package_schema_path(it.kind, it.api_version, version,
                                                            strict), version, strict)
        if v is None:
            out.append((ERROR, [], kubeconform.NO_SCHEMA + it.kind))
            continue
        errors = inprocess.leaf_errors(v, it.data)
        out.append((INVALID, errors, "") if errors else (VALID, [], ""))
    return out
