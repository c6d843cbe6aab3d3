"""Resources whose apiVersion is not a string (null, ~, a boolean, a number, a collection):
kustomize orders them by the node's text, as the differential fuzzer found (seed 6, trees
2360 and 3069 of scripts/fuzz.py). Each tree is compared with kubectl byte for byte."""
from __future__ import annotations

import pytest

ODD = ["null", "Null", "NULL", "~", "", "true", "TRUE", "False", "5", "1.50", "[]", "{}",
       "[x]", "{a: 1}"]

DOCS = """\
apiVersion: v1
kind: Secret
metadata:
  name: a
---
apiVersion: %s
kind: Secret
metadata:
  name: b
---
apiVersion: aa
kind: Secret
metadata:
  name: c
---
apiVersion: zz
kind: Secret
metadata:
  name: d
"""


@pytest.mark.parametrize("value", ODD)
def test_a_non_string_api_version_sorts_by_its_text(oracle, value):
    out = oracle.assert_same({"kustomization.yaml": "resources:\n- r.yaml\n",
                              "r.yaml": DOCS % value})
    assert out.count("kind: Secret") == 4


def _patched_tree(value: str) -> dict:
    listed = "apiVersion: v1\nkind: List\nitems:\n" + "".join(
        "- " + doc.replace("\n", "\n  ").rstrip() + "\n" for doc in (DOCS % value).split("---\n"))
    return {
        "base/kustomization.yaml": "resources:\n- r.yaml\n- l.yaml\n",
        "base/r.yaml": DOCS % value,
        "base/l.yaml": listed.replace("name: ", "name: l"),
        "overlay/kustomization.yaml": "resources:\n- ../base\nnamePrefix: p-\npatches:\n"
                                      "- patch: |\n    kind: Secret\n    metadata:\n"
                                      "      name: b\n    data:\n      k: dg==\n"
                                      "  target:\n    name: b\n"}


@pytest.mark.parametrize("value", ["null", "~", "true", "5", '""'])
def test_the_text_survives_an_overlay_and_a_patch(oracle, value):
    """The record of the text is kept through a strategic-merge patch and an overlay, and
    inside a `kind: List` file; the patch keeps the target's apiVersion."""
    oracle.assert_same(_patched_tree(value), "overlay")


@pytest.mark.parametrize("value, node", [("[]", "SequenceNode"), ("{a: 1}", "MappingNode")])
def test_a_patch_on_a_collection_api_version_fails_as_in_kustomize(oracle, value, node):
    err = oracle.assert_both_fail(_patched_tree(value), "overlay",
                                  contains="wrong node kind: expected %s but got ScalarNode"
                                  % node)
    assert "Traceback" not in str(err)


@pytest.mark.parametrize("name", ["true", "False", "1.50", "5", "1e3", "0x1F"])
def test_a_prefix_joins_the_text_of_a_non_string_name(oracle, name):
    """A resource named `0x1F` gets `n1-0x1F-s`, not `n1-31-s` (fuzzer seed 7, tree 1924)."""
    oracle.assert_same({"kustomization.yaml": "resources: [r.yaml]\nnamePrefix: n1-\n"
                                              "nameSuffix: -s\n",
                        "r.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                                  "  name: %s\n" % name})


JSON_OPS = {
    "add-under": "- op: add\n  path: /metadata/annotations/x\n  value: v\n",
    "replace-under": "- op: replace\n  path: /metadata/annotations/x\n  value: v\n",
    "remove-map": "- op: remove\n  path: /metadata/annotations\n",
    "add-empty-map": "- op: add\n  path: /metadata/annotations\n  value: {}\n",
}


@pytest.mark.parametrize("op", sorted(JSON_OPS))
def test_a_json_patch_finds_annotations_on_a_resource_without_them(oracle, op):
    """kustomize's resources carry internal annotations while it builds: an `add` below
    /metadata/annotations of a resource that has none succeeds (real-world corpus:
    kubernetes-sigs/security-profiles-operator deploy/overlays/helm)."""
    patch = "".join("    " + line + "\n" for line in JSON_OPS[op].splitlines())
    oracle.assert_same({"kustomization.yaml": "resources: [r.yaml]\npatches:\n- patch: |\n"
                                              + patch + "  target:\n    kind: Namespace\n",
                        "r.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n"})


def test_a_json_patch_below_missing_labels_still_fails(oracle):
    oracle.assert_both_fail({
        "kustomization.yaml": "resources: [r.yaml]\npatches:\n- patch: |\n    - op: add\n"
                              "      path: /metadata/labels/x\n      value: v\n"
                              "  target:\n    kind: Namespace\n",
        "r.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n"})


def test_a_patch_that_renames_two_resources_to_one_id_fails(oracle):
    """Fuzzer seed 7, tree 4636: allowNameChange gives two Services the same name."""
    svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: %s\n"
    oracle.assert_both_fail({
        "kustomization.yaml": "resources: [r.yaml]\npatches:\n- patch: |\n    apiVersion: v1\n"
                              "    kind: Service\n    metadata:\n      name: x\n"
                              "  target:\n    kind: Service\n  options:\n"
                              "    allowNameChange: true\n",
        "r.yaml": svc % "a" + "---\n" + svc % "b"},
        contains="may not add resource with an already registered id: Service.v1.[noGrp]/x."
                 "[noNs]")


@pytest.mark.parametrize("labels, fails", [("  labels:\n    v: $(V)\n", True), ("", False)])
def test_a_var_reference_path_with_a_wildcard(oracle, labels, fails):
    """kyaml's PathGetter has no `*`: kubectl refuses a varReference path that reaches one
    (real-world corpus: odh-manifests jupyterhub/notebook-images/overlays/cuda)."""
    files = {
        "kustomization.yaml": "resources: [r.yaml]\nconfigurations: [c.yaml]\nvars:\n- name: V\n"
                              "  objref: {kind: ConfigMap, name: cm, apiVersion: v1}\n"
                              "  fieldref: {fieldpath: data.a}\n",
        "c.yaml": "varReference:\n- path: metadata/labels/*\n  kind: Secret\n",
        "r.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: b\n"
                  "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n" + labels}
    if fails:
        oracle.assert_both_fail(files, contains="considering field 'metadata/labels/*' of "
                                "object Secret.v1.[noGrp]/s.[noNs]: fieldName: *: wildcard is "
                                "not supported in PathGetter")
    else:
        oracle.assert_same(files)
