"""configMapGenerator/secretGenerator ``behavior:`` as kustomize reads it (exactly create,
merge or replace; any other spelling is "unspecified", which creates), and the merge of a
generated object into one whose ``data`` is not a mapping; compared with kubectl."""

import pytest

BASE = """\
configMapGenerator:
- name: cm
  literals: [a=1]
secretGenerator:
- name: s
  literals: [a=1]
"""


def _overlay(behavior: str, with_base: bool) -> str:
    head = "resources: [base]\n" if with_base else ""
    return head + """\
configMapGenerator:
- name: cm
  behavior: %s
  literals: [b=2]
secretGenerator:
- name: s
  behavior: %s
  literals: [b=2]
""" % (behavior, behavior)


# kubectl renders: an unknown spelling without a base creates the object
@pytest.mark.parametrize("behavior", ["merge", "replace", "create", "Merge", "MERGE",
                                      "Replace", "Create", '""', "foo", "~"])
def test_behavior_without_base(oracle, behavior):
    files = {"kustomization.yaml": _overlay(behavior, False)}
    if behavior in ("merge", "replace"):
        oracle.assert_both_fail(files, contains="does not exist; cannot merge or replace")
    else:
        out = oracle.assert_same(files)
        assert "b: \"2\"" in out or "b: Mg==" in out


@pytest.mark.parametrize("behavior", ["merge", "replace"])
def test_behavior_with_base(oracle, behavior):
    out = oracle.assert_same({"base/kustomization.yaml": BASE,
                              "kustomization.yaml": _overlay(behavior, True)})
    assert ("a: \"1\"" in out) == (behavior == "merge")


@pytest.mark.parametrize("behavior", ["Merge", "create", '""', "foo"])
def test_other_behaviors_with_base_fail(oracle, behavior):
    e = oracle.assert_both_fail({"base/kustomization.yaml": BASE,
                                 "kustomization.yaml": _overlay(behavior, True)},
                                contains="behavior must be merge or replace")
    assert ("'unspecified'" in str(e)) == (behavior != "create")


@pytest.mark.parametrize("data", ["${VAR}", "[a, b]", "5", '"text"', "null", "{}",
                                  "{a: 1, b: null, c: {d: e}, t: true}"])
@pytest.mark.parametrize("behavior", ["merge", "replace"])
def test_merge_into_non_map_data(oracle, data, behavior):
    oracle.assert_same({
        "kustomization.yaml": "resources: [r.yaml]\nconfigMapGenerator:\n- name: d\n"
                              "  behavior: %s\n  literals: [x=1]\n" % behavior,
        "r.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\n"
                  "  labels: {l: 1}\ndata: %s\nbinaryData: %s\n" % (data, data)})


@pytest.mark.parametrize("field", ["data", "binaryData", "stringData"])
@pytest.mark.parametrize("value", ["${VAR}", '"plain string"', "[a, b]", "5", "null", "{}"])
def test_non_map_data_renders(oracle, field, value):
    """Templates with ``data: ${VAR}`` (substituted later by Flux) pass through."""
    doc = "apiVersion: v1\nkind: %s\nmetadata:\n  name: d\n%s: %s\n"
    oracle.assert_same({
        "kustomization.yaml": "resources: [r.yaml]\nnamePrefix: p-\ncommonLabels: {a: b}\n",
        "r.yaml": doc % ("ConfigMap", field, value) + "---\n" + doc % ("Secret", field, value)})
