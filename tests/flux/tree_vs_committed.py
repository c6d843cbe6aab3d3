"""How many Flux Kustomizations of a cluster tree render differently in the tree (built from
the object as its parent's build produced it: the parent's patches, namespace and
substitution applied) than from their committed files (as ``flux build kustomization
--kustomization-file FILE`` builds them).

    python3 tests/flux/tree_vs_committed.py REPO CLUSTER_DIR [-v]

Both builds use the same source root, artifact rules and substituteFrom values (those the
tree holds). Prints one line per Kustomization and the figure.
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__)))))

from pytest_kustomize.engine import yamlio  # noqa: E402
from pytest_kustomize.errors import KustomizeError  # noqa: E402
from pytest_kustomize.flux.objects import FluxKustomization, is_flux_kustomization  # noqa
from pytest_kustomize.flux.tree import _build_one, _values_for, build_tree  # noqa: E402


def committed(ks: FluxKustomization, default_ns: str = "flux-system"):
    """The Kustomization as its file holds it (matched by name), or None."""
    if not ks.file or not os.path.isfile(ks.file):
        return None
    with open(ks.file, encoding="utf-8") as f:
        docs = yamlio.load_documents(f.read(), ks.file)
    for d in docs:
        if isinstance(d, dict) and is_flux_kustomization(d) and \
                (d.get("metadata") or {}).get("name") == ks.name:
            c = FluxKustomization.from_object(d, ks.file)
            c.namespace = c.namespace or default_ns
            return c
    return None


def compare(repo: str, cluster: str, verbose: bool = False) -> dict:
    tree = build_tree(os.path.join(repo, cluster), repo)
    values = _values_for(tree)
    counts = {"differ": 0, "same": 0, "tree only builds": 0, "file only builds": 0,
              "both fail": 0, "no committed file": 0}
    for key, ks in tree.kustomizations.items():
        c = committed(ks)
        if c is None:
            counts["no committed file"] += 1
            print("%-50s no committed file" % key)
            continue
        a = tree.builds.get(key)
        try:
            b = _build_one(c, tree, {}, os.path.realpath(repo), values, False)
        except KustomizeError:
            b = None
        if a is None and b is None:
            verdict = "both fail"
        elif a is None:
            verdict = "file only builds"
        elif b is None:
            verdict = "tree only builds"
        else:
            verdict = "same" if a.to_yaml() == b.to_yaml() else "differ"
        counts[verdict] += 1
        why = ""
        if verdict == "differ" and verbose:
            why = "  (%s)" % ", ".join(_why(ks, c))
        print("%-50s %s%s" % (key, verdict, why))
    total = sum(counts.values())
    built = total - counts["both fail"] - counts["no committed file"]
    different = built - counts["same"]
    print("%d of %d Flux Kustomizations (of %d in the tree; the others fail both ways or have "
          "no committed file) render differently in the tree than from their committed "
          "files: %s" % (different, built, total,
                         ", ".join("%s %d" % kv for kv in counts.items() if kv[1])))
    return counts


def _why(tree_ks: FluxKustomization, file_ks: FluxKustomization) -> list:
    out = []
    if tree_ks.namespace != file_ks.namespace:
        out.append("namespace %s -> %s" % (file_ks.namespace, tree_ks.namespace))
    for k in sorted(set(tree_ks.spec) | set(file_ks.spec)):
        if tree_ks.spec.get(k) != file_ks.spec.get(k):
            out.append("spec.%s" % k)
    return out or ["metadata"]


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("repo")
    p.add_argument("cluster")
    p.add_argument("-v", "--verbose", action="store_true")
    a = p.parse_args()
    compare(a.repo, a.cluster, a.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
