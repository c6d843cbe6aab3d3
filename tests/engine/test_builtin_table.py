"""The builtin table (engine/builtins.py) drives both ways of asking for a builtin: a
kustomization field and a ``transformers:``/``generators:`` plugin config naming the kind.
Each render is checked against ``kubectl kustomize``; a wrapper put into the table counts that
the table's entry ran (so a second hand-written path would fail the count)."""
from __future__ import annotations

import dataclasses

from pytest_kustomize.engine import builtins

DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
"""


def _count_transformer(monkeypatch, kind: str) -> list:
    calls = []
    b = builtins.TRANSFORMERS[kind]

    def run(*args, **kw):
        calls.append(kind)
        return b.run(*args, **kw)
    monkeypatch.setitem(builtins.TRANSFORMERS, kind, dataclasses.replace(b, run=run))
    return calls


def _count_generated(monkeypatch) -> list:
    calls = []
    real = builtins.generated

    def generated(target, kind, args, gen_opts, field):
        calls.append((kind, field))
        return real(target, kind, args, gen_opts, field)
    monkeypatch.setattr(builtins, "generated", generated)
    return calls


FIELD_TRANSFORMERS = {   # field value -> (plugin kind, the same as a plugin config)
    "commonLabels": ("LabelTransformer", "labels:\n  team: a\nfieldSpecs:\n"
                     "- path: metadata/labels\n  create: true\n"),
    "namePrefix": ("PrefixTransformer", "prefix: p-\nfieldSpecs:\n- path: metadata/name\n"),
    "images": ("ImageTagTransformer", "imageTag:\n  name: nginx\n  newTag: '1.27'\n"
               "fieldSpecs:\n- path: spec/template/spec/containers/image\n"),
    "replicas": ("ReplicaCountTransformer", "replica:\n  name: web\n  count: 3\nfieldSpecs:\n"
                 "- path: spec/replicas\n  kind: Deployment\n"),
}
FIELDS = {
    "commonLabels": "commonLabels:\n  team: a\n",
    "namePrefix": "namePrefix: p-\n",
    "images": "images:\n- name: nginx\n  newTag: '1.27'\n",
    "replicas": "replicas:\n- name: web\n  count: 3\n",
}


def test_field_and_plugin_paths_run_the_same_table_entry(oracle, monkeypatch):
    for field, (kind, cfg) in FIELD_TRANSFORMERS.items():
        calls = _count_transformer(monkeypatch, kind)
        oracle.assert_same({"f/kustomization.yaml": "resources:\n- ../base\n" + FIELDS[field],
                            "base/kustomization.yaml": "resources:\n- d.yaml\n",
                            "base/d.yaml": DEPLOY}, build_dir="f")
        assert calls == [kind], (field, calls)
        oracle.write({"p/kustomization.yaml": "resources:\n- ../base\ntransformers:\n- t.yaml\n",
                      "p/t.yaml": "apiVersion: builtin\nkind: %s\nmetadata:\n  name: t\n%s"
                      % (kind, cfg)})
        oracle.assert_same(build_dir="p")
        assert calls == [kind, kind], (field, calls)


def test_generator_field_and_plugin_paths_share_the_generator(oracle, monkeypatch):
    calls = _count_generated(monkeypatch)
    oracle.assert_same({"f/kustomization.yaml": "configMapGenerator:\n- name: cm\n"
                        "  literals: [a=1]\nsecretGenerator:\n- name: s\n  literals: [b=2]\n"},
                       build_dir="f")
    assert calls == [("ConfigMapGenerator", "configMapGenerator"),
                     ("SecretGenerator", "secretGenerator")]
    oracle.assert_same({"p/kustomization.yaml": "generators:\n- g.yaml\n",
                        "p/g.yaml": "apiVersion: builtin\nkind: ConfigMapGenerator\n"
                        "metadata:\n  name: cm\nliterals: [a=1]\n"}, build_dir="p")
    assert calls[2:] == [("ConfigMapGenerator", "generators")]


def test_every_kustomization_field_names_its_code():
    """FIELD_CODE covers every field of the Kustomization type, and each entry is a real
    function (a newcomer finds the code of any field in one step)."""
    import importlib
    from pytest_kustomize.engine import kusttypes
    assert set(builtins.FIELD_CODE) == set(kusttypes.KUSTOMIZATION[2])
    for field, where in builtins.FIELD_CODE.items():
        mod, _, qual = where.partition(":")
        obj = importlib.import_module("pytest_kustomize.engine." + mod)
        for part in qual.split("."):
            obj = getattr(obj, part)
        assert callable(obj), field
    for _name, kind, _build in builtins.TRANSFORMER_FIELDS:
        assert kind in builtins.TRANSFORMERS
    for _name, kind, _make in builtins.GENERATOR_FIELDS:
        assert kind in builtins.GENERATORS
