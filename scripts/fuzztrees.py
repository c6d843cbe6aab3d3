"""The tree generator of scripts/fuzz.py: random and hostile kustomization trees (tree
``index`` of ``seed`` is always the same)."""
from __future__ import annotations

import json
import os
import random

import yaml
from yaml.nodes import ScalarNode

# ---------------------------------------------------------------------------------------
class Raw(str):
    """A scalar written plain, so YAML decides its type (``yes``, ``1.20``, ``0x1F``)."""


class _Dumper(yaml.SafeDumper):
    pass


def _raw(dumper, v):
    return dumper.represent_scalar(dumper.resolve(ScalarNode, str(v), (True, False)), str(v))


_Dumper.add_representer(Raw, _raw)

WORDS = ["app", "web", "db", "cm", "cfg", "sec", "x", "prod", "dev", "a.b", "A", "n1"]
RAW_SCALARS = ["yes", "no", "on", "off", "y", "N", "1.20", "0x1F", "017", "1e3", "2001-12-14",
               "~", "null", "true", "1_000", ".inf", "-0", "+1", "0o17", "1:20", "3.0"]
HOSTILE = [5, 1.5, True, False, None, "", [], {}, ["x"], {"a": 1}, {"a": {"b": [1]}}, [[1]],
           -1, 10 ** 20, "a\nb", " ", "\t", "ünï", "*", "-", ":", "{", "${VAR}", "%", "@"]


class Gen:
    def __init__(self, rng: random.Random):
        self.r = rng
        self.files: dict = {}          # relpath -> str | bytes | ("link", target)
        # how hostile this tree is: 0 (valid input, output compared) to 1
        self.p = 0.0 if rng.random() < 0.4 else rng.choice([0.3, 0.6, 1.0])

    def word(self) -> str:
        return self.r.choice(WORDS)

    def hostile(self):
        r = self.r.random()
        if r < 0.3:
            return Raw(self.r.choice(RAW_SCALARS))
        if r < 0.35:
            return "x" * self.r.choice([1000, 70000])
        return self.r.choice(HOSTILE)

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def bad(self, p: float) -> bool:
        """A hostile choice, scaled by the tree's hostility."""
        return self.r.random() < p * self.p

    def maybe_bad(self, value, p: float = 0.04):
        """``value``, or (rarely) a value of the wrong type in its place or inside it."""
        p *= self.p
        if self.chance(p):
            return self.hostile()
        if isinstance(value, dict) and value and self.chance(p):
            value = dict(value)
            if self.chance(0.3):
                value[self.r.choice(["foo", "Name", "NAME", "extra", ""])] = self.word()
            else:
                k = self.r.choice(list(value))
                value[k] = self.hostile()
        if isinstance(value, list) and value and self.chance(p):
            value = list(value)
            value[self.r.randrange(len(value))] = self.hostile()
        return value

    # -- resources -----------------------------------------------------------------------
    def resource(self, kind: str, name: str) -> dict:
        r = self.r
        md = {"name": name}
        if self.chance(0.3):
            md["labels"] = {"app": self.word()}
        if self.chance(0.2):
            md["annotations"] = {"note": self.maybe_bad(self.word(), 0.3)}
        if self.chance(0.1):
            md["namespace"] = self.word()
        if kind == "ConfigMap":
            d = {"apiVersion": "v1", "kind": kind, "metadata": md,
                 "data": {self.word(): self.word() for _ in range(r.randint(0, 3))}}
        elif kind == "Secret":
            d = {"apiVersion": "v1", "kind": kind, "metadata": md, "type": "Opaque",
                 "stringData": {"p": self.word()}}
        elif kind == "Service":
            d = {"apiVersion": "v1", "kind": kind, "metadata": md,
                 "spec": {"selector": {"app": name}, "ports": [{"port": 80}]}}
        else:
            d = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": md, "spec": {
                "replicas": r.randint(0, 3), "selector": {"matchLabels": {"app": name}},
                "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [
                    {"name": "c", "image": r.choice(["nginx", "nginx:1.25", "busybox@sha256:"
                                                     + "a" * 64, "reg:5000/img:v1"]),
                     "envFrom": [{"configMapRef": {"name": "cm"}}]}]}}}}
        if self.bad(0.04):
            d["deep"] = Raw("DEEP%d" % r.choice([50, 400, 1200, 2400]))
        if self.bad(0.03):
            d.setdefault("data", {})["huge"] = "y" * r.choice([20_000, 200_000])
        if self.bad(0.05):
            d["metadata"] = self.maybe_bad(d["metadata"], 0.5)
        if self.bad(0.03):
            d[r.choice(["kind", "apiVersion"])] = self.hostile()
        return d

    @staticmethod
    def nest(text: str) -> str:
        """DEEPn markers become flow collections nested n levels deep."""
        while "DEEP" in text:
            i = text.index("DEEP")
            j = i + 4
            while j < len(text) and text[j].isdigit():
                j += 1
            n = int(text[i + 4:j]) // 2
            text = text[:i] + "[{k: " * n + "leaf" + "}]" * n + text[j:]
        return text

    def resource_file(self, dirname: str, names: list) -> str:
        docs = [self.resource(self.r.choice(["ConfigMap", "Deployment", "Service", "Secret"]),
                              n) for n in names]
        path = "%s/res%d.yaml" % (dirname, len(self.files))
        if self.chance(0.05):
            text = yaml.dump({"apiVersion": "v1", "kind": "List", "items": docs},
                             Dumper=_Dumper, sort_keys=False)
        else:
            text = yaml.dump_all(docs, Dumper=_Dumper, sort_keys=False)
        if self.chance(0.05):
            text = "a0: &a0 {x: 1}\n" if not docs else text.replace(
                "metadata:\n", "metadata: &m\n", 1) + "---\napiVersion: v1\nkind: ConfigMap\n" \
                "metadata:\n  name: alias\ndata: {a: &v val, b: *v}\n"
        self.files[path] = self.damage(self.nest(text))
        return path

    def damage(self, text: str) -> str:
        """Sometimes truncated or with a hostile character inserted."""
        r = self.r
        if len(text) > 2 and self.bad(0.04):
            return text[:r.randrange(1, len(text))]
        if len(text) > 2 and self.bad(0.04):
            i = r.randrange(len(text))
            return text[:i] + r.choice(["\t", ":", "- ", "[", "}", "&", "*x", "\n  ", "#", "'",
                                        "\x00", "\ufeff", "%YAML 1.1\n"]) + text[i:]
        return text

    # -- kustomizations ------------------------------------------------------------------
    def kustomization(self, dirname: str, names: list, extra_resources=()) -> dict:
        r = self.r
        k: dict = {}
        if self.chance(0.3):
            k["apiVersion"] = Raw("kustomize.config.k8s.io/v1beta1")
            k["kind"] = "Kustomization"
        res = [os.path.relpath(self.resource_file(dirname, names), dirname)] \
            if names else []
        res += list(extra_resources)
        if self.bad(0.05):
            res.append(self.r.choice(["nodir/../" + res[0] if res else "x.yaml", "./" + (
                res[0] if res else "x.yaml"), "missing.yaml", "../outside.yaml", ".", "link.yaml",
                "linkdir"]))
        if self.chance(0.05) and res:
            res.append(res[0])          # the same file twice: duplicate ids
        k["resources"] = res
        fields = [f for f in FIELD_MAKERS if self.chance(FIELD_MAKERS[f][0])
                  and (f not in HOSTILE_ONLY or self.bad(1))]
        for f in fields:
            k[f] = FIELD_MAKERS[f][1](self, dirname)
        for f in list(k):
            k[f] = self.maybe_bad(k[f])
        if self.bad(0.03):
            k[self.r.choice(["nameprefix", "NAMESPACE", "unknownField", "Resources"])] = \
                self.word()
        if self.chance(0.03):
            k = {f: [] for f in ("resources", "images", "patches")}
        return k

    def write_kustomization(self, dirname: str, k: dict) -> None:
        text = yaml.dump(k, Dumper=_Dumper, sort_keys=False)
        if self.bad(0.03):
            text += "---\nresources: [other.yaml]\n"
        self.files[dirname + "/kustomization.yaml"] = self.damage(text)


def _labels(g, d):
    return {g.word(): g.word() for _ in range(g.r.randint(0, 2))}


def _patch(g, d):
    r = g.r
    if g.chance(0.5):
        ops = ["add", "remove", "test", "move", "copy", "replace"]
        body = [{"op": r.choice(ops),
                 "path": r.choice(["/metadata/labels/x", "/data/a", "/spec/replicas",
                                   "/nope/x", "/data/-"]), "value": g.word(),
                 "from": "/metadata/name"}]
        text = json.dumps(body)
    else:
        text = yaml.dump({"apiVersion": "v1", "kind": r.choice(["ConfigMap", "Deployment"]),
                          "metadata": {"name": r.choice(["cm", "web", "x"])},
                          "data": {"p": g.word()}}, Dumper=_Dumper)
    entry: dict = {}
    if g.chance(0.4):
        path = "%s/patch%d.yaml" % (d, len(g.files))
        g.files[path] = g.damage(text)
        entry["path"] = os.path.basename(path)
    else:
        entry["patch"] = text
    if g.chance(0.6) or text.startswith("[") and not g.bad(0.3):
        entry["target"] = {"kind": r.choice(["ConfigMap", "Deployment", "Service"]),
                           **({"name": r.choice(["cm", "web", ".*"])} if g.chance(0.5) else {})}
    if g.chance(0.1):
        entry["options"] = {"allowNameChange": True}
    return [entry]


def _generator(g, d):
    r = g.r
    e: dict = {"name": r.choice(["gen", "gen2", "sec"] + (["cm"] if g.bad(1) else []))}
    if g.chance(0.7):
        e["literals"] = [r.choice(["a=b", "k=v", "a=", "x=yes"] + (
            ["bad", "=x"] if g.bad(1) else [])) for _ in range(r.randint(0, 3))]
    if g.chance(0.2):
        path = "%s/f%d.txt" % (d, len(g.files))
        g.files[path] = g.damage("content\n")
        e["files"] = [os.path.basename(path)]
    if g.chance(0.2):
        path = "%s/e%d.env" % (d, len(g.files))
        g.files[path] = g.damage(r.choice(["A=1\nB=2\n", "# c\nX\n", "=bad\n", "K=v\nK=w\n"]))
        e["envs"] = [os.path.basename(path)]
    if g.chance(0.2):
        e["behavior"] = r.choice(["create", "merge", "replace", ""] + (
            ["bogus"] if g.bad(1) else []) + ["Merge"])
    if g.chance(0.2):
        e["options"] = {"disableNameSuffixHash": True, "labels": {"l": "v"}}
    return [e]


def _config_file(g, d, text_options):
    """A file holding the first (valid) option, or in a hostile tree any of them."""
    path = "%s/c%d.yaml" % (d, len(g.files))
    g.files[path] = g.damage(g.r.choice(text_options) if g.bad(1) else text_options[0])
    return [os.path.basename(path)]


FIELD_MAKERS = {
    "namePrefix": (0.2, lambda g, d: g.word() + "-"),
    "nameSuffix": (0.15, lambda g, d: "-" + g.word()),
    "namespace": (0.2, lambda g, d: g.word()),
    "commonLabels": (0.15, _labels),
    "commonAnnotations": (0.15, _labels),
    "labels": (0.15, lambda g, d: [{"pairs": _labels(g, d),
                                    "includeSelectors": g.chance(0.5)}]),
    "images": (0.15, lambda g, d: [{"name": g.r.choice(["nginx", "busybox", "reg:5000/img"]),
                                    g.r.choice(["newTag", "newName", "digest"]):
                                    g.r.choice(["v2", Raw("1.20"), "sha256:" + "b" * 64,
                                                "other"])}]),
    "replicas": (0.1, lambda g, d: [{"name": "web", "count": g.r.choice([0, 2, 5])}]),
    "patches": (0.2, _patch),
    "patchesStrategicMerge": (0.05, lambda g, d: [
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  s: m\n"]),
    "configMapGenerator": (0.25, _generator),
    "secretGenerator": (0.1, _generator),
    "generatorOptions": (0.08, lambda g, d: {"disableNameSuffixHash": g.chance(0.5),
                                             "annotations": {"a": "b"}}),
    "replacements": (0.1, lambda g, d: [{"source": {"kind": "ConfigMap", "name": "cm",
                                                    "fieldPath": "metadata.name"},
                                         "targets": [{"select": {"kind": "Deployment"},
                                                      "fieldPaths": ["metadata.labels.c"],
                                                      "options": {"create": True}}]}]),
    "vars": (0.05, lambda g, d: [{"name": "V", "objref": {"kind": "ConfigMap", "name": "cm",
                                                          "apiVersion": "v1"}}]),
    "sortOptions": (0.05, lambda g, d: {"order": g.r.choice(["legacy", "fifo", "bogus"])}),
    "buildMetadata": (0.05, lambda g, d: [g.r.choice(["originAnnotations",
                                                      "transformerAnnotations", "foo"])]),
    "configurations": (0.05, lambda g, d: _config_file(g, d, [
        "nameReference:\n- kind: ConfigMap\n  fieldSpecs:\n  - path: spec/x\n    kind: Foo\n",
        "nameReference: 5\n", "namePrefix:\n- path: metadata/name\n", "foo: 1\n",
        "commonLabels:\n- path: spec/sel\n  create: true\n", "- x\n"])),
    "crds": (0.03, lambda g, d: _config_file(g, d, [
        '{"x.Foo": {"Schema": {"properties": {"a": {"x-kubernetes-annotation": ""}}}}}',
        "foo: 1\n", "[1]\n", '{"x": {"properties": 5}}', "{}\n"])),
    "openapi": (0.03, lambda g, d: {"path": _config_file(g, d, [
        '{"definitions": {}}', "{{{", "", '{"definitions": {"x": {"properties": 5}}}',
        "definitions: {}\n"])[0]} if g.chance(0.8) else {"version": "v1.21.2"}),
    "metadata": (0.05, lambda g, d: {"name": g.word()}),
    "helmCharts": (0.02, lambda g, d: [g.r.choice([5, "x", {"name": "c", "repo": 5}])]),
    "helmChartInflationGenerator": (0.01, lambda g, d: [g.r.choice([5, "x"])]),
}


HOSTILE_ONLY = {"helmCharts", "helmChartInflationGenerator"}


def make_tree(seed: int, index: int) -> tuple:
    """(files, build dir) of tree ``index`` of ``seed``: base/, sometimes overlay/ and a
    component, sometimes symlinks and cycles."""
    g = Gen(random.Random("%d/%d" % (seed, index)))
    r = g.r
    names = r.sample(["cm", "web", "db", "app"], r.randint(0, 3))
    if g.bad(0.1):
        names.append(r.choice(["cm", "web"]))          # a duplicate id, sometimes
    base = g.kustomization("app/base", names)
    if g.bad(0.05):
        res = base.get("resources")
        base["resources"] = (res if isinstance(res, list) else []) + ["../overlay"]  # a cycle
    g.write_kustomization("app/base", base)
    g.files["outside.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: out\n"
    g.files["app/outside.yaml"] = g.files["outside.yaml"]
    if g.bad(0.1):
        g.files["app/base/link.yaml"] = ("link", r.choice(["../../outside.yaml",
                                                            os.path.basename(next(iter(
                                                                g.files))), "nowhere.yaml"]))
    if g.bad(0.05):
        g.files["app/base/linkdir"] = ("link", r.choice(["../overlay", ".", "/tmp"]))
    build = "app/base"
    if g.chance(0.6):
        extra = ["../base"]
        if g.chance(0.15):
            comp = {"apiVersion": "kustomize.config.k8s.io/v1alpha1", "kind": "Component",
                    "namePrefix": "c-", "commonLabels": {"comp": "yes"}}
            g.write_kustomization("app/comp", {k: g.maybe_bad(v) for k, v in comp.items()})
        over = g.kustomization("app/overlay", ["cm"] if g.chance(0.3) else [], extra)
        if "app/comp/kustomization.yaml" in g.files:
            over["components"] = ["../comp"]
        g.write_kustomization("app/overlay", over)
        build = "app/overlay"
    return g.files, build


def write_tree(files: dict, root: str) -> None:
    for rel, content in files.items():
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        if isinstance(content, tuple):
            os.symlink(content[1], p)
        elif isinstance(content, bytes):
            with open(p, "wb") as f:
                f.write(content)
        else:
            with open(p, "w", encoding="utf-8", errors="surrogateescape") as f:
                f.write(content)
