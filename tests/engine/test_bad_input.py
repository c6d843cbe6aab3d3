"""Bad input (issue 12): each case is built by kubectl and by the engine. Where kubectl
refuses, the engine refuses with kubectl's own message (a KustomizeError naming the file,
never a Python exception); where kubectl renders, the engine renders the same bytes."""
import json
import os
import time

import pytest

import pytest_kustomize
from pytest_kustomize.errors import KustomizeError

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: b\n"
K = "resources: [cm.yaml]\n"


def _kubectl_message(ref) -> str:
    """The err="…" part of kubectl's stderr, unescaped."""
    text = ref.stderr
    if 'err="' in text:
        text = text.split('err="', 1)[1].rsplit('"', 1)[0]
    return text.replace('\\"', '"')


REFUSED = {   # kustomization -> (extra files, the message both give)
    "helmCharts entry not a mapping": (
        "helmCharts: [5]\n", {},
        "json: cannot unmarshal number into Go struct field Kustomization.helmCharts of type "
        "types.HelmChart"),
    "helmChartInflationGenerator entry not a mapping": (
        K + "helmChartInflationGenerator: [x]\n", {},
        "json: cannot unmarshal string into Go struct field "
        "Kustomization.helmChartInflationGenerator of type types.HelmChartArgs"),
    "non-integer options.index": (
        K + "replacements:\n- source: {kind: ConfigMap, name: cm, fieldPath: data.a}\n"
            "  targets:\n  - select: {kind: ConfigMap}\n    fieldPaths: [data.a]\n"
            "    options: {index: x, delimiter: '-'}\n", {},
        "json: cannot unmarshal string into Go struct field "
        "FieldOptions.replacements.targets.options.index of type int"),
    "fractional replicas count": (
        K + "replicas: [{name: cm, count: 1.5}]\n", {},
        "json: cannot unmarshal number 1.5 into Go struct field Replica.replicas.count of "
        "type int64"),
    "configurations nameReference not a list": (
        K + "configurations: [c.yaml]\n", {"c.yaml": "nameReference: 5\n"},
        "json: cannot unmarshal number into Go struct field TransformerConfig.nameReference "
        "of type builtinconfig.nbrSlice"),
    "configurations fieldSpecs not a list": (
        K + "configurations: [c.yaml]\n",
        {"c.yaml": "nameReference: [{kind: X, fieldSpecs: 5}]\n"},
        "json: cannot unmarshal number into Go struct field "
        "NameBackReferences.nameReference.fieldSpecs of type types.FsSlice"),
    "namePrefix a number": (
        K + "namePrefix: 5\n", {},
        "json: cannot unmarshal number into Go struct field Kustomization.namePrefix of type "
        "string"),
    "namespace a bool": (
        K + "namespace: true\n", {},
        "json: cannot unmarshal bool into Go struct field Kustomization.namespace of type "
        "string"),
    "namePrefix yes (a YAML 1.1 bool)": (
        K + "namePrefix: yes\n", {},
        "json: cannot unmarshal bool into Go struct field Kustomization.namePrefix of type "
        "string"),
    "newTag 1.20 (a number, not the tag 1.2)": (
        K + "images: [{name: nginx, newTag: 1.20}]\n", {},
        "json: cannot unmarshal number into Go struct field Image.images.newTag of type "
        "string"),
    "commonLabels value a number": (
        K + "commonLabels: {a: 5}\n", {},
        "json: cannot unmarshal number into Go struct field Kustomization.commonLabels of "
        "type string"),
    "unknown key in an entry": (
        K + "images: [{name: nginx, newTag: v1, foo: x}]\n", {}, 'json: unknown field "foo"'),
    "unknown key in metadata": (
        K + "metadata: {name: x, foo: 1}\n", {}, 'json: unknown field "foo"'),
    "non-string metadata.name of the kustomization": (
        K + "metadata: {name: 5}\n", {},
        "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of "
        "type string"),
    "pointer element type": (
        K + "replacements: [{source: {kind: ConfigMap}, targets: 3}]\n", {},
        "json: cannot unmarshal number into Go struct field ReplacementField.replacements."
        "targets of type []*types.TargetSelector"),
    "top level a list": (
        "- a\n", {},
        "json: cannot unmarshal array into Go value of type types.Kustomization"),
    "crds file not a JSON schema (YAML)": (
        K + "crds: [c.yaml]\n", {"c.yaml": "foo: 1\n"},
        "unable to parse open API definition from 'c.yaml': error unmarshaling JSON: while "
        "decoding JSON: json: cannot unmarshal number into Go value of type "
        "accumulator.OpenAPIDefinition"),
    "crds file not a JSON schema (JSON)": (
        K + "crds: [c.json]\n", {"c.json": '{"x": 5}'},
        "unable to parse open API definition from 'c.json': json: cannot unmarshal number "
        "into Go value of type accumulator.OpenAPIDefinition"),
    "empty label key": (
        K + "labels: [{pairs: {'': x}}]\n", {},
        "wrong node kind: expected ScalarNode but got MappingNode"),
    "empty annotation key": (
        K + "commonAnnotations: {'': x}\n", {},
        "wrong node kind: expected ScalarNode but got MappingNode"),
    "resource name a list": (
        "resources: [r.yaml]\n", {"r.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                                            "  name: [a]\n"},
        "missing metadata.name in object"),
    "nesting past kubectl's limit": (
        K, {"cm.yaml": CM + "x: " + "[" * 10000 + "1" + "]" * 10000 + "\n"},
        "exceeded max depth of 10000"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_with_kubectls_message(oracle, case):
    kust, files, message = REFUSED[case]
    oracle.write(dict({"kustomization.yaml": kust, "cm.yaml": CM}, **files))
    ref = oracle.kubectl()
    assert ref.returncode != 0, ref.stdout
    assert message in _kubectl_message(ref)
    with pytest.raises(KustomizeError) as ei:
        oracle.engine()
    assert message in str(ei.value)
    assert ei.value.file            # names the file it is about
    assert type(ei.value).__name__ != "KustomizeError" or "internal error" not in str(ei.value)


RENDERED = {  # kustomize renders these; the engine used to refuse or crash
    "all fields empty lists": ("resources: []\nimages: []\npatches: []\n", {}),
    "unknown buildMetadata value": (K + "buildMetadata: [foo, originAnnotations]\n", {}),
    "multi-document kustomization": (K + "---\nfoo: bar\n", {}),
    "path cleaned first": ("resources: [nodir/../cm.yaml]\n"
                           "namePrefix: p-\n", {}),
    "case-folded duplicate field": (K + "nameprefix: a\nnamePrefix: b\n", {}),
    "date-like namePrefix stays a string": (K + "namePrefix: 2001-12-14\n", {}),
    "openapi properties not a mapping, unused": (
        K + "openapi: {path: s.json}\n", {"s.json": '{"definitions": {"x": {"properties": 5}}}'}),
    "openapi file malformed, unused": (K + "openapi: {path: s.json}\n", {"s.json": "{{{"}),
    "openapi file empty, unused": (K + "openapi: {path: s.json}\n", {"s.json": ""}),
    "openapi gvk extension not a list": (
        K + "openapi: {path: s.json}\n",
        {"s.json": '{"definitions": {"x": {"x-kubernetes-group-version-kind": 5}}}'}),
    "configurations scalars coerced to strings": (
        K + "configurations: [c.yaml]\n", {"c.yaml": "namePrefix: [{path: 5}]\n"}),
    "crds definition with stray keys": (K + "crds: [c.json]\n",
                                        {"c.json": '{"x": {"properties": 5}}'}),
    "resource name a number": ("resources: [r.yaml]\n", {
        "r.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 5\n"}),
    "annotations as written": ("resources: [r.yaml]\ncommonAnnotations: {z: w}\n", {
        "r.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n"
                  "    a: +1\n    b: 0x1F\n    c: 1_000\n    d: 2001-12-14\n    e:\n"
                  "    f: [1]\n    g: {h: 1}\n"}),
    "nested 2,000 levels": (K, {"cm.yaml": CM + "x: " + "[{k: " * 1000 + "1" + "}]" * 1000
                                + "\n"}),
    "nested 9,999 levels": (K, {"cm.yaml": CM + "x: " + "[" * 9999 + "1" + "]" * 9999 + "\n"}),
}


@pytest.mark.parametrize("case", sorted(RENDERED))
def test_rendered_as_kubectl_renders(oracle, case):
    kust, files = RENDERED[case]
    oracle.assert_same(dict({"kustomization.yaml": kust, "cm.yaml": CM}, **files))


def test_custom_schema_that_a_patch_needs_is_a_clear_error(oracle):
    """kubectl panics ('invalid schema file'); the engine names the file and the problem."""
    oracle.write({"kustomization.yaml": K + "openapi: {path: s.json}\npatches: [{path: p.yaml}]\n",
                  "cm.yaml": CM, "s.json": '{"definitions": {"x": {"properties": 5}}}',
                  "p.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n"
                            "data: {c: d}\n"})
    ref = oracle.kubectl()
    assert ref.returncode != 0 and "invalid schema file" in ref.stderr
    with pytest.raises(KustomizeError) as ei:
        oracle.engine()
    assert "invalid schema file s.json: definitions.x.properties" in str(ei.value)
    assert ei.value.field == "openapi.path"


def test_alias_bomb_stops_early(oracle, tmp_path):
    """A billion-laughs resource: refused from the node graph in seconds, before anything
    is expanded (kubectl and kustomize run for minutes and gigabytes on it)."""
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: cm",
             "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += ["a%d: &a%d [%s]" % (i, i, ", ".join(["*a%d" % (i - 1)] * 10)) for i in range(1, 9)]
    oracle.write({"kustomization.yaml": K, "cm.yaml": "\n".join(lines) + "\n"})
    t0 = time.monotonic()
    with pytest.raises(KustomizeError) as ei:
        oracle.engine()
    assert "through aliases" in str(ei.value) and "cm.yaml" in str(ei.value)
    assert time.monotonic() - t0 < 60


def test_aliases_within_budget_render_as_kubectl(oracle):
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: cm",
             "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += ["a%d: &a%d [%s]" % (i, i, ", ".join(["*a%d" % (i - 1)] * 10)) for i in range(1, 4)]
    oracle.assert_same({"kustomization.yaml": K, "cm.yaml": "\n".join(lines) + "\n"})


def test_five_megabyte_crd_is_not_refused(oracle):
    """A real-sized input is far below the budgets: a 5 MB CRD renders as kubectl's."""
    props = {"f%05d" % i: {"type": "object", "description": "field %d " % i + "d" * 2400,
                           "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}}
             for i in range(2100)}
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "bigs.example.com"},
           "spec": {"group": "example.com", "names": {"kind": "Big", "plural": "bigs"},
                    "scope": "Namespaced", "versions": [{
                        "name": "v1", "served": True, "storage": True,
                        "schema": {"openAPIV3Schema": {"type": "object",
                                                       "properties": props}}}]}}
    text = json.dumps(crd, indent=1)
    assert len(text) > 5_000_000
    oracle.assert_same({"kustomization.yaml": "resources: [crd.json]\n", "crd.json": text})


def test_no_foreign_exception_leaves_build(tmp_path, monkeypatch):
    """The boundary guard: an unexpected exception inside the engine becomes a
    KustomizeError naming the kustomization, with the original as __cause__."""
    from pytest_kustomize.engine import build as engine_build
    (tmp_path / "kustomization.yaml").write_text(K)
    (tmp_path / "cm.yaml").write_text(CM)

    def boom(path, options):
        raise ZeroDivisionError("boom")
    monkeypatch.setattr(engine_build, "_build", boom)
    with pytest.raises(KustomizeError) as ei:
        pytest_kustomize.build(str(tmp_path))
    assert isinstance(ei.value.__cause__, ZeroDivisionError)
    assert ei.value.file == str(tmp_path) and "internal error" in str(ei.value)


def test_deep_build_restores_the_recursion_limit(tmp_path):
    import sys
    before = sys.getrecursionlimit()
    (tmp_path / "kustomization.yaml").write_text(K)
    (tmp_path / "cm.yaml").write_text(CM + "x: " + "[" * 3000 + "1" + "]" * 3000 + "\n")
    out = pytest_kustomize.build(str(tmp_path)).to_yaml()
    assert out.count("- ") >= 3000
    assert sys.getrecursionlimit() == before
    assert os.path.isdir(tmp_path)
