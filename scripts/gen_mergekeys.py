#!/usr/bin/env python3
"""Generate pytest_kustomize/engine/data/k8s-patch-schema.json from the Kubernetes JSON
schemas that the PyPI package kubernetes-validate ships.

The table keeps, for every definition, just what strategic merge needs: which definition
each property refers to (objects, list items, map values) and the patch strategy and merge
keys of list properties (x-kubernetes-patch-strategy, x-kubernetes-patch-merge-key,
x-kubernetes-list-map-keys), plus the definition of every group/version/kind.

    pip install kubernetes-validate && python scripts/gen_mergekeys.py [--version 1.25.0]
"""
from __future__ import annotations

import argparse
import json
import os
import sys

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                   "pytest_kustomize", "engine", "data", "k8s-patch-schema.json")


def _ref(schema) -> str | None:
    if not isinstance(schema, dict):
        return None
    r = schema.get("$ref")
    return r.rsplit("/", 1)[-1] if isinstance(r, str) else None


def build_table(defs: dict) -> dict:
    out_defs, roots = {}, {}
    for name, d in sorted(defs.items()):
        props = {}
        for pname, p in sorted((d.get("properties") or {}).items()):
            if not isinstance(p, dict):
                continue
            entry = {}
            if _ref(p):
                entry["r"] = _ref(p)
            if _ref(p.get("items")):
                entry["i"] = _ref(p.get("items"))
            if _ref(p.get("additionalProperties")):
                entry["m"] = _ref(p.get("additionalProperties"))
            if "x-kubernetes-patch-strategy" in p:
                entry["s"] = p["x-kubernetes-patch-strategy"]
                if "x-kubernetes-list-map-keys" in p:
                    entry["k"] = list(p["x-kubernetes-list-map-keys"])
                elif "x-kubernetes-patch-merge-key" in p:
                    entry["k"] = [p["x-kubernetes-patch-merge-key"]]
            if entry:
                props[pname] = entry
        item = {}
        if props:
            item["p"] = props
        if _ref(d.get("additionalProperties")):
            item["m"] = _ref(d.get("additionalProperties"))
        if item:
            out_defs[name] = item
        for gvk in d.get("x-kubernetes-group-version-kind") or []:
            av = gvk["version"] if not gvk.get("group") else "%s/%s" % (gvk["group"],
                                                                        gvk["version"])
            roots["%s/%s" % (av, gvk["kind"])] = name
    return {"roots": roots, "defs": out_defs}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--version", default="1.25.0",
                    help="Kubernetes version of the kubernetes-validate schema set")
    ap.add_argument("-o", "--output", default=OUT)
    ap.add_argument("--check", action="store_true",
                    help="exit 1 if the committed file differs from a fresh generation")
    args = ap.parse_args(argv)
    import kubernetes_validate
    base = os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema",
                        "v%s-local" % args.version, "_definitions.json")
    with open(base, encoding="utf-8") as f:
        raw = json.load(f)
    defs = raw.get("$defs") or raw.get("definitions") or {}
    table = build_table(defs)
    table["source"] = "kubernetes-validate v%s-local/_definitions.json" % args.version
    text = json.dumps(table, sort_keys=True, separators=(",", ":")) + "\n"
    if args.check:
        with open(args.output, encoding="utf-8") as f:
            same = f.read() == text
        print("up to date" if same else "differs from a fresh generation")
        return 0 if same else 1
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %s (%d definitions, %d kinds, %d bytes)"
          % (args.output, len(table["defs"]), len(table["roots"]), len(text)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
