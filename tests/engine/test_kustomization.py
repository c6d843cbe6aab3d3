"""Kustomization fields of the wrong type: kustomize refuses them, and so does the engine,
with an error naming the file and the field (never a crash, never a silently odd output)."""
import pytest

DEP = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {template: {spec: "
       "{containers: [{name: c, image: nginx}]}}}\n")

CASES = {
    "secretGenerator[0].type": "secretGenerator:\n- name: s\n  literals: [a=b]\n"
                               "  type: {x: y}\n",
    "labels[0].pairs": "resources: [dep.yaml]\nlabels:\n- pairs: 3\n",
    "replacements[0].targets": "resources: [dep.yaml]\nreplacements:\n"
                               "- source: {kind: Deployment}\n  targets: 3\n",
    "replacements[0].targets[0].fieldPaths": "resources: [dep.yaml]\nreplacements:\n"
                                             "- source: {kind: Deployment}\n  targets:\n"
                                             "  - select: {kind: Deployment}\n"
                                             "    fieldPaths: {a: b}\n",
    "vars[0].objref": "resources: [dep.yaml]\nvars:\n- name: X\n  objref: 3\n",
    "configMapGenerator[0].literals": "configMapGenerator:\n- name: c\n  literals: {a: b}\n",
    "configMapGenerator[0].options.labels": "configMapGenerator:\n- name: c\n"
                                            "  literals: [a=b]\n  options:\n    labels: [x]\n",
    "generatorOptions.labels": "configMapGenerator:\n- name: c\n  literals: [a=b]\n"
                               "generatorOptions:\n  labels: [x]\n",
    "images[0].newTag": "resources: [dep.yaml]\nimages:\n- name: nginx\n  newTag: [1]\n",
    "patches[0].target": "resources: [dep.yaml]\npatches:\n- patch: '[]'\n  target: [web]\n",
}


@pytest.mark.parametrize("field", sorted(CASES))
def test_wrong_type_is_an_error_naming_the_field(oracle, field):
    err = oracle.assert_both_fail({"kustomization.yaml": CASES[field], "dep.yaml": DEP})
    assert err.file.endswith("kustomization.yaml")
    assert err.field == field
    # kustomize's own words: "invalid Kustomization: json: cannot unmarshal …"
    ref = oracle.kubectl().stderr
    assert err.message in ref.replace('\\"', '"')


def test_resource_file_with_bytes_that_are_not_utf8(oracle):
    err = oracle.assert_both_fail({"kustomization.yaml": "resources: [bad.yaml]\n",
                                   "bad.yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                                               b"  name: x\ndata:\n  a: \"\xff\xfe\"\n"})
    assert "invalid UTF-8 byte 0xff (line 6)" in str(err)
    assert "bad.yaml" in str(err)


@pytest.mark.parametrize("config, field", [
    ("apiVersion: builtin\nkind: PrefixSuffixTransformer\nmetadata: {name: x}\nprefix: [a]\n"
     "fieldSpecs: [{path: metadata/name}]\n", "PrefixSuffixTransformer.prefix"),
    ("apiVersion: builtin\nkind: LabelTransformer\nmetadata: {name: x}\nlabels: [a]\n",
     "LabelTransformer.labels"),
    ("apiVersion: builtin\nkind: PatchTransformer\nmetadata: {name: x}\npatch: {a: b}\n",
     "PatchTransformer.patch"),
])
def test_builtin_plugin_config_of_the_wrong_type(oracle, config, field):
    err = oracle.assert_both_fail({"kustomization.yaml": "resources: [dep.yaml]\n"
                                                         "transformers: [t.yaml]\n",
                                   "dep.yaml": DEP, "t.yaml": config})
    assert err.field == "transformers: " + field
    assert err.file.endswith("kustomization.yaml") and "configured in t.yaml" in str(err)
