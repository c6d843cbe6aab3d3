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


def build_table(defs: dict) -> dict:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from pytest_kustomize.engine.schema import table_from_definitions
    roots, table = table_from_definitions(defs)
    return {"roots": roots, "defs": table}


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
