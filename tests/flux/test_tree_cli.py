"""The CLI, --recursive and the Flux tree against the Go oracle (flux-build --recursive
builds each child from the object its parent's build produced, as the flux CLI does)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from flux_oracle import ks
from pytest_kustomize.errors import FluxError
from pytest_kustomize.flux.tree import build_tree, check_depends_on

WORKTREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

CLUSTER = {
    # what `flux bootstrap` writes, trimmed: the sync objects and the cluster's Kustomizations
    "clusters/prod/flux-system/gotk-sync.yaml": textwrap.dedent("""\
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: GitRepository
        metadata:
          name: flux-system
          namespace: flux-system
        spec:
          interval: 1m
          url: https://example.com/repo.git
          ref: {branch: main}
        ---
        """) + ks(name="flux-system", path="./clusters/prod", spec="""\
        postBuild:
          substituteFrom:
          - kind: ConfigMap
            name: cluster-vars
        """).replace("name: repo", "name: flux-system"),
    "clusters/prod/flux-system/kustomization.yaml": "resources: [gotk-sync.yaml]\n",
    "clusters/prod/infra.yaml": ks(name="infra", path="./infra").replace(
        "name: repo", "name: flux-system") + "  postBuild:\n    substitute:\n"
        "      tier: infra\n",
    # the kustomization's namespace moves the apps Kustomization to "shop": its owner labels
    # and where its substituteFrom is read follow
    "clusters/prod/apps/apps.yaml": ks(name="apps", path="./apps/${cluster_name}", spec="""\
        dependsOn:
        - name: infra
        targetNamespace: shop
        """).replace("name: repo", "name: flux-system").replace(
        "    name: flux-system\n", "    name: flux-system\n    namespace: flux-system\n"),
    "clusters/prod/apps/kustomization.yaml": "namespace: shop\nresources: [apps.yaml]\n",
    "clusters/prod/kustomization.yaml": """\
        resources: [flux-system, infra.yaml, apps]
        patches:
        - target: {kind: Kustomization, name: apps}
          patch: |
            - op: add
              path: /spec/postBuild
              value:
                substitute:
                  replicas: "3"
                substituteFrom:
                - kind: ConfigMap
                  name: cluster-vars
        """,
    "clusters/prod/vars.yaml": """\
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: cluster-vars, namespace: flux-system}
        data: {cluster_name: prod, domain: shop.example.com}
        """,
    "infra/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n"
                     "  labels:\n    tier: ${tier}\n",
    "apps/prod/kustomization.yaml": "resources: [../base]\nnamePrefix: prod-\n",
    "apps/base/kustomization.yaml": "resources: [deploy.yaml]\n",
    "apps/base/deploy.yaml": """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          annotations: {host: "web.${domain}"}
        spec:
          replicas: ${replicas:=1}
          template:
            spec:
              containers:
              - name: web
                image: nginx
        """,
    # substituteFrom values served to the oracle's fake client and to the Python side
    "values.yaml": """\
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: cluster-vars, namespace: flux-system}
        data: {cluster_name: prod, domain: flux-system.example.com}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: cluster-vars, namespace: shop}
        data: {domain: shop.example.com}
        """,
}


def _cli(*args, cwd=WORKTREE):
    return subprocess.run([sys.executable, "-m", "pytest_kustomize", "flux", "build", *args],
                          capture_output=True, text=True, timeout=120, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": WORKTREE})


def test_cli_prints_what_the_oracle_prints(flux):
    flux.write({"ks.yaml": ks(spec="postBuild:\n  substitute: {v: x}\n"
                                   "  substituteFrom: [{kind: ConfigMap, name: vars}]\n"),
                "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
                               "data:\n  a: ${v}\n  b: ${w}\n",
                "vals.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: vars, "
                             "namespace: flux-system}\ndata: {w: from-cm}\n"})
    base = ["app", "--path", os.path.join(flux.root, "app"), "--root", flux.root,
            "--kustomization-file", os.path.join(flux.root, "ks.yaml")]
    for extra, go_kw in (([], {}), (["--dry-run"], {"dry_run": True})):
        ref = flux.go("app", "app", sources="vals.yaml", **go_kw)
        got = _cli(*base, "--values", os.path.join(flux.root, "vals.yaml"), *extra)
        assert (got.returncode, got.stdout) == (0, ref.stdout)
    got = _cli(*base, "--strict-substitute", "--dry-run")
    ref = flux.go("app", "app", strict=True, dry_run=True)
    assert ref.returncode == 1 and got.returncode == 1
    assert got.stderr.startswith("✗ ") and "variable not set (strict mode)" in got.stderr
    assert "Traceback" not in got.stderr


def test_recursive_build_matches_the_oracle(flux):
    flux.write(CLUSTER)
    src = "GitRepository/flux-system/flux-system=%s" % flux.root
    ref = flux.go("flux-system", "clusters/prod", "clusters/prod/flux-system/gotk-sync.yaml",
                  sources="values.yaml", recursive=True, local_sources=src)
    assert ref.returncode == 0, ref.stderr
    got = _cli("flux-system", "--path", os.path.join(flux.root, "clusters/prod"),
               "--kustomization-file",
               os.path.join(flux.root, "clusters/prod/flux-system/gotk-sync.yaml"),
               "--root", flux.root, "--values", os.path.join(flux.root, "values.yaml"),
               "--recursive", "--local-sources", src)
    assert got.returncode == 0, got.stderr
    assert got.stdout == ref.stdout
    # the parent's patch (postBuild), its targetNamespace and the substitution reached apps
    assert "name: prod-web" in got.stdout and "replicas: 3" in got.stdout
    assert "kustomize.toolkit.fluxcd.io/namespace: shop" in got.stdout


def test_tree_builds_children_as_their_parent_produced_them(flux):
    flux.write(CLUSTER)
    tree = build_tree(os.path.join(flux.root, "clusters/prod"), flux.root,
                      values=_values(flux))
    assert list(tree.builds) == ["flux-system/flux-system", "flux-system/infra", "shop/apps"]
    assert not tree.errors
    apps = tree.get("apps")
    assert apps.kustomization.namespace == "shop"          # the parent's targetNamespace
    assert tree.chain(apps.kustomization.key) == ["flux-system/flux-system", "shop/apps"]
    src = "GitRepository/flux-system/flux-system=%s" % flux.root
    ref = flux.go("flux-system", "clusters/prod", "clusters/prod/flux-system/gotk-sync.yaml",
                  sources="values.yaml", recursive=True, local_sources=src)
    joined = "".join(tree.builds[k].to_yaml() for k in tree.builds)
    assert joined == ref.stdout
    # apps depends on infra in its own namespace (shop): not in the tree
    assert tree.problems == ["Kustomization shop/apps depends on shop/infra, which is not "
                             "in the tree"]
    dep = apps.resources.get("Deployment", "prod-web")
    assert dep["metadata"]["annotations"]["host"] == "web.shop.example.com"


def _values(flux):
    from pytest_kustomize.flux import Values
    return Values.from_file(os.path.join(flux.root, "values.yaml"))


def test_tree_cli_and_missing_names(flux):
    flux.write(CLUSTER)
    got = _cli("apps", "--tree", "clusters/prod", "--root", ".",
               "--values", "values.yaml", "-n", "shop", cwd=flux.root)
    assert got.returncode == 0, got.stderr
    assert "name: prod-web" in got.stdout and "depends on shop/infra" in got.stderr
    tree = build_tree(os.path.join(flux.root, "clusters/prod"), flux.root,
                      values=_values(flux))
    with pytest.raises(FluxError, match="no Kustomization"):
        tree.get("nothing")


def test_depends_on_cycles_and_missing():
    from pytest_kustomize.flux import FluxKustomization

    def k(name, *deps):
        return FluxKustomization(name, "ns", {"dependsOn": [{"name": d} for d in deps]})
    ks_ = {x.key: x for x in (k("a", "b"), k("b", "c"), k("c", "a"), k("d", "zz"), k("e"))}
    problems = check_depends_on(ks_)
    assert "dependency cycle: ns/a -> ns/b -> ns/c -> ns/a" in problems
    assert "Kustomization ns/d depends on ns/zz, which is not in the tree" in problems
    assert len(problems) == 2
