"""Seeded random kustomizations reading their files through every kind of path and symlink
(inside, outside, chains, dangling, loops, directory links, '..', absolute targets, a linked
kustomization file), at the top, in a base or in a component, under both load restrictors.
Each tree is built by ``kubectl kustomize`` and by the engine, from disk and from a
``MemoryFS`` mirror: the outcome must agree, the output bytes when both succeed, and the
reason (kustomize's innermost message) when both fail.

``PYTEST_KUSTOMIZE_LINK_TREES=N`` runs N trees instead of the default 40."""
from __future__ import annotations

import os
import random
import re

import pytest
import yaml

import pytest_kustomize
from pytest_kustomize.engine.fs import MemoryFS
from pytest_kustomize.errors import KustomizeError

COUNT = int(os.environ.get("PYTEST_KUSTOMIZE_LINK_TREES", "40"))
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: b\n"
COMPONENT = {"apiVersion": "kustomize.config.k8s.io/v1alpha1", "kind": "Component"}
CONTENT = {
    "patch.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  x: y\n",
    "json.yaml": "- op: add\n  path: /data/z\n  value: w\n",
    "a.env": "K=1\n",
    "t.yaml": "apiVersion: builtin\nkind: NamespaceTransformer\nmetadata:\n  name: x\n"
              "  namespace: ns\n",
    "g.yaml": "apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata:\n  name: gen\n"
              "literals:\n- a=b\n",
    "r.yaml": "source: {kind: ConfigMap, name: cm, fieldPath: data.a}\ntargets:\n"
              "- select: {kind: ConfigMap, name: cm}\n  fieldPaths: [data.q]\n"
              "  options: {create: true}\n",
    "c.yaml": "namePrefix:\n- path: metadata/name\n",
    "crd.json": "{}\n",
    "o.json": '{"definitions": {}}\n',
    "res.yaml": CM.replace("name: cm", "name: extra"),
}


def _add(k: dict, key: str, value) -> None:
    k.setdefault(key, []).append(value)


# field -> (file it reads, how the reference goes into the kustomization)
FIELDS = {
    "resources": ("res.yaml", lambda k, r: _add(k, "resources", r)),
    "patches": ("patch.yaml", lambda k, r: _add(k, "patches", {"path": r})),
    "patchesStrategicMerge": ("patch.yaml", lambda k, r: _add(k, "patchesStrategicMerge", r)),
    "patchesJson6902": ("json.yaml", lambda k, r: _add(k, "patchesJson6902", {
        "target": {"version": "v1", "kind": "ConfigMap", "name": "cm"}, "path": r})),
    "cm.files": ("a.env", lambda k, r: _add(k, "configMapGenerator",
                                              {"name": "f", "files": [r]})),
    "cm.envs": ("a.env", lambda k, r: _add(k, "configMapGenerator", {"name": "e", "envs": [r]})),
    "secret.files": ("a.env", lambda k, r: _add(k, "secretGenerator",
                                                  {"name": "s", "files": ["k=" + r]})),
    "transformers": ("t.yaml", lambda k, r: _add(k, "transformers", r)),
    "generators": ("g.yaml", lambda k, r: _add(k, "generators", r)),
    "replacements": ("r.yaml", lambda k, r: _add(k, "replacements", {"path": r})),
    "configurations": ("c.yaml", lambda k, r: _add(k, "configurations", r)),
    "crds": ("crd.json", lambda k, r: _add(k, "crds", r)),
    "openapi": ("o.json", lambda k, r: k.__setitem__("openapi", {"path": r})),
}
REFS = ["plain", "link_in", "link_out", "chain_in", "chain_out", "dangling", "loop",
        "dirlink_in", "dirlink_out", "to_dir", "dotdot", "abs_out", "abs_in"]
# kustomize's innermost reasons, as the engine must give them
REASONS = [
    r"security; file '[^']*' is not in or below '[^']*'",
    r"evalsymlink failure on '[^']*' : (?:lstat \S+: no such file or directory|"
    r"EvalSymlinks: too many links|not a directory)",
    r"'[^']*' must resolve to a file",
    r"unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in "
    r"directory '[^']*'",
]


class Tree:
    def __init__(self, rng: random.Random, base: str):
        self.rng, self.base = rng, base
        self.files: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.n = 0

    def ref(self, d: str, target: str, kind: str) -> str:
        """A reference from directory ``d`` to a file with ``target``'s content."""
        self.n += 1
        up = "../" * (d.count("/") + 1)
        name = "f%d.yaml" % self.n
        link = lambda to: self.links.__setitem__("%s/%s" % (d, name), to)  # noqa: E731
        if kind == "plain":
            return "in/" + target
        if kind == "link_in":
            link("in/" + target)
        elif kind == "link_out":
            link(up + "out/" + target)
        elif kind in ("chain_in", "chain_out"):
            self.links["%s/m%d.yaml" % (d, self.n)] = ("in/" + target if kind == "chain_in"
                                                        else up + "out/" + target)
            link("m%d.yaml" % self.n)
        elif kind == "dangling":
            link(up + "out/missing-%d.yaml" % self.n)
        elif kind == "loop":
            link(name)
        elif kind in ("dirlink_in", "dirlink_out", "dotdot"):
            dl = "dl%d" % self.n
            self.links["%s/%s" % (d, dl)] = "in" if kind == "dirlink_in" else up + "out"
            return "%s/../in/%s" % (dl, target) if kind == "dotdot" else "%s/%s" % (dl, target)
        elif kind == "to_dir":
            link("in")
        elif kind in ("abs_out", "abs_in"):
            where = "out" if kind == "abs_out" else d + "/in"
            link(os.path.join(self.base, where, target))
        return name


def _tree(seed: int, base: str):
    rng = random.Random(seed)
    t = Tree(rng, base)
    place = rng.choice(["app", "app/base", "app/comp"])
    k: dict = dict(COMPONENT) if place == "app/comp" else {}
    k["resources"] = ["cm.yaml"]
    for field in rng.sample(sorted(FIELDS), rng.randint(1, 4)):
        target, put = FIELDS[field]
        put(k, t.ref(place, target, rng.choice(REFS)))
    for name, text in CONTENT.items():
        t.files["out/" + name] = text
        t.files["%s/in/%s" % (place, name)] = text
    t.files[place + "/cm.yaml"] = CM
    text = yaml.safe_dump(k, sort_keys=False)
    linked = rng.random() < 0.15
    if linked:      # the kustomization file itself a link, inside or out of the root
        where = rng.choice(["in/k.yaml", "../" * (place.count("/") + 1) + "out/k.yaml"])
        t.files["out/k.yaml" if where.endswith("out/k.yaml") else place + "/" + where] = text
        t.links[place + "/kustomization.yaml"] = where
    else:
        t.files[place + "/kustomization.yaml"] = text
    if place == "app/base":
        t.files["app/kustomization.yaml"] = "resources:\n- base\n"
    elif place == "app/comp":
        t.files["app/kustomization.yaml"] = "components:\n- comp\n"
    none = rng.random() < 0.2
    return t, none


def _reason(text: str) -> str | None:
    """The innermost (last) reason in kubectl's message."""
    text = text.replace('\\"', '"').replace("\\n", "\n")
    found = [m for pattern in REASONS for m in re.finditer(pattern, text)]
    return max(found, key=lambda m: m.start()).group(0) if found else None


def _engine(path: str, **options) -> tuple[bool, str]:
    try:
        return True, pytest_kustomize.build(path, **options).to_yaml()
    except KustomizeError as e:
        return False, str(e)


@pytest.mark.parametrize("seed", range(COUNT))
def test_random_link_tree_matches_kubectl(oracle, seed):
    base = os.path.realpath(oracle.root)
    t, none = _tree(seed, base)
    oracle.write(t.files)
    oracle.symlink(t.links)
    flags = ("--load-restrictor", "LoadRestrictionsNone") if none else ()
    options = {"load_restrictor": "none"} if none else {}
    ref = oracle.kubectl("app", *flags)
    app = os.path.join(base, "app")
    ok, got = _engine(app, **options)
    assert _engine(app, fs=MemoryFS.from_disk(base), **options) == (ok, got)
    assert ok == (ref.returncode == 0), (ref.stderr, got)
    if ok:
        assert got == ref.stdout
    else:
        reason = _reason(ref.stderr)
        if reason is not None:
            assert reason in got, (ref.stderr, got)
