"""Compare every Flux Kustomization of a repository's cluster tree with the Go oracle.

    python3 tests/flux/compare_repos.py REPO CLUSTER_DIR [--strict] [-v]

The tree is built in Python (``pytest_kustomize.flux.tree``); then each Kustomization, as its
parent's build produced it, is written to a file and built by ``flux-build`` with the same
path, source root and substituteFrom values (the ConfigMaps/Secrets the tree holds). Prints
one line per Kustomization (same / differs / both fail / one fails) and the score.
"""
from __future__ import annotations

import argparse
import difflib
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__)))))

from pytest_kustomize.engine import yamlio  # noqa: E402
from pytest_kustomize.flux.build import build_kustomization  # noqa: E402
from pytest_kustomize.flux.tree import _values_for, artifact_of, build_tree  # noqa: E402
from pytest_kustomize.tools import find_tool  # noqa: E402
from pytest_kustomize.errors import KustomizeError  # noqa: E402


def _sources_yaml(values) -> str:
    docs = []
    for (kind, ns, name), data in sorted(values.objects.items(), key=str):
        obj = {"apiVersion": "v1", "kind": kind, "metadata": {"name": name, "namespace": ns}}
        obj["data" if kind == "ConfigMap" else "stringData"] = data
        docs.append(yamlio.dump_document(obj))
    return "---\n".join(docs)


def compare(repo: str, cluster: str, strict: bool = False, verbose: bool = False) -> tuple:
    exe = find_tool("flux-build")
    if exe is None:
        raise SystemExit("flux-build is not installed: scripts/install-tools flux-build")
    tree = build_tree(os.path.join(repo, cluster), repo, strict=strict)
    values = _values_for(tree)
    same = total = 0
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "sources.yaml")
        with open(src, "w") as f:
            f.write(_sources_yaml(values))
        for key, ks in tree.kustomizations.items():
            total += 1
            kfile = os.path.join(tmp, "ks.yaml")
            data = dict(ks.data)
            data["metadata"] = dict(data.get("metadata") or {}, namespace=ks.namespace)
            with open(kfile, "w") as f:
                f.write(yamlio.dump_document(data))
            root = os.path.realpath(tree.sources.get(ks.source_key(), repo))
            path = os.path.join(root, ks.spec.get("path") or ".")
            argv = [exe, "build", ks.name, "--path", path, "--root", root,
                    "--kustomization-file", kfile, "--namespace", ks.namespace,
                    "--sources", src] + (["--strict-substitute"] if strict else [])
            artifact, ignore = artifact_of(tree, ks.source_key())
            if artifact:
                argv.append("--artifact")
                if ignore is not None:
                    ign = os.path.join(tmp, "ignore")
                    with open(ign, "w") as f:
                        f.write(ignore)
                    argv += ["--artifact-ignore", ign]
            ref = subprocess.run(argv, capture_output=True, text=True, timeout=300)
            try:
                got = build_kustomization(ks, path, root, values=values, strict=strict,
                                          use_ignore=not artifact, artifact=artifact,
                                          artifact_ignore=ignore).to_yaml()
                err = None
            except KustomizeError as e:
                got, err = None, str(e)
            if ref.returncode != 0 and err is not None:
                verdict = "both fail"
                same += 1
            elif ref.returncode != 0:
                verdict = "oracle fails: %s" % ref.stderr.strip()[:200]
            elif err is not None:
                verdict = "python fails: %s" % err[:200]
            elif got == ref.stdout:
                verdict = "same (%d objects)" % got.count("\n---\n")
                same += 1
            else:
                verdict = "differs"
                if verbose:
                    sys.stdout.writelines(list(difflib.unified_diff(
                        ref.stdout.splitlines(True), got.splitlines(True), "oracle",
                        "python", n=2))[:60])
            print("%-50s %s" % (key, verdict))
    print("score: %d/%d identical (tree errors: %d, dependsOn problems: %d)"
          % (same, total, len(tree.errors), len(tree.problems)))
    return same, total


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("repo")
    p.add_argument("cluster")
    p.add_argument("--strict", action="store_true")
    p.add_argument("-v", "--verbose", action="store_true")
    a = p.parse_args()
    compare(a.repo, a.cluster, a.strict, a.verbose)


if __name__ == "__main__":
    main()
