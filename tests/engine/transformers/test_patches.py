"""patches / patchesJson6902 / patchesStrategicMerge targeting, against kubectl."""

RES = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-a
  labels: {tier: web}
  annotations: {team: blue}
spec:
  template:
    spec:
      containers:
      - name: c
        image: nginx
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-b
  labels: {tier: web, canary: "true"}
spec:
  template:
    spec:
      containers:
      - name: c
        image: nginx
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: data
  labels: {tier: db}
spec:
  template:
    spec:
      containers:
      - name: c
        image: postgres
"""

SMP = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ignored
spec:
  replicas: 2
"""


def kust(body: str) -> dict:
    return {"kustomization.yaml": "resources:\n- res.yaml\n" + body, "res.yaml": RES,
            "smp.yaml": SMP}


def test_target_by_name_regex(oracle):
    oracle.assert_same(kust("patches:\n- path: smp.yaml\n  target:\n    kind: Deployment\n"
                            "    name: web-.*\n"))


def test_target_by_label_selector(oracle):
    oracle.assert_same(kust("patches:\n- path: smp.yaml\n  target:\n"
                            "    labelSelector: tier=web,canary notin (true)\n"))


def test_target_by_annotation_selector_and_group(oracle):
    oracle.assert_same(kust("patches:\n- path: smp.yaml\n  target:\n    group: apps\n"
                            "    annotationSelector: team=blue\n"))


def test_json6902_inline_yaml_ops_with_namespace_and_kind_regex(oracle):
    oracle.assert_same(kust(
        "patches:\n- target:\n    kind: Deployment|StatefulSet\n    namespace: data\n"
        "  patch: |-\n    - op: replace\n      path: /spec/template/spec/containers/0/image\n"
        "      value: postgres:16\n    - op: add\n      path: /metadata/labels/patched\n"
        "      value: \"yes\"\n"))


def test_json6902_legacy_field_from_file(oracle):
    files = kust("patchesJson6902:\n- target:\n    group: apps\n    version: v1\n"
                 "    kind: Deployment\n    name: web-a\n  path: ops.json\n")
    files["ops.json"] = '[{"op": "add", "path": "/spec/paused", "value": true}]'
    oracle.assert_same(files)


def test_allow_name_and_kind_change(oracle):
    oracle.assert_same(kust(
        "patches:\n- target:\n    name: web-b\n  options:\n    allowNameChange: true\n"
        "    allowKindChange: true\n  patch: |-\n    apiVersion: apps/v1\n"
        "    kind: StatefulSet\n    metadata:\n      name: web-renamed\n"))


def test_name_change_refused_without_option(oracle):
    oracle.assert_same(kust(
        "patches:\n- target:\n    name: web-b\n  patch: |-\n    apiVersion: apps/v1\n"
        "    kind: Deployment\n    metadata:\n      name: web-renamed\n"))


def test_patch_without_target_that_matches_nothing_is_an_error(oracle):
    files = kust("patchesStrategicMerge:\n- missing.yaml\n")
    files["missing.yaml"] = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: nope\n"
    err = oracle.assert_both_fail(files, contains="failed to find unique target for patch")
    assert err.file.endswith("kustomization.yaml")


# A run of patches looks targets up by name in an index kept across the run; these trees
# rename and delete resources between patches so a stale index would pick the wrong ones.
def test_later_patches_see_a_rename_made_by_an_earlier_one(oracle):
    oracle.assert_same(kust(
        "patches:\n"
        "- target:\n    kind: Deployment\n    name: web-a\n  patch: |-\n"
        "    - op: replace\n      path: /metadata/name\n      value: web-z\n"
        "- target:\n    name: web-z\n  patch: |-\n"
        "    - op: add\n      path: /metadata/labels/renamed\n      value: \"yes\"\n"
        "- target:\n    name: web-a\n  patch: |-\n"
        "    - op: add\n      path: /metadata/labels/by-old-name\n      value: \"yes\"\n"
        "- target:\n    name: web-b\n  options:\n    allowNameChange: true\n  patch: |-\n"
        "    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web-y\n"
        "- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n"
        "      name: web-y\n    spec:\n      replicas: 4\n"
        "- target:\n    name: web-.\n  patch: |-\n"
        "    - op: add\n      path: /metadata/annotations\n      value: {regex: matched}\n"))


def test_patches_after_a_delete_patch(oracle):
    oracle.assert_same(kust(
        "patches:\n"
        "- target:\n    name: web-a\n  patch: |-\n    $patch: delete\n"
        "    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web-a\n"
        "- target:\n    name: db\n  patch: |-\n"
        "    - op: add\n      path: /spec/serviceName\n      value: db\n"
        "- path: smp.yaml\n  target:\n    name: web-b\n"))


def test_strategic_merge_patches_find_targets_by_previous_names(oracle):
    files = {"kustomization.yaml": "resources:\n- mid\npatchesStrategicMerge:\n- a.yaml\n"
                                   "- b.yaml\n",
             "mid/kustomization.yaml": "namePrefix: p-\nresources:\n- res.yaml\n",
             "mid/res.yaml": RES}
    files["a.yaml"] = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-a\n" \
                      "spec:\n  replicas: 5\n"
    files["b.yaml"] = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: p-web-b\n" \
                      "spec:\n  replicas: 6\n"
    oracle.assert_same(files)
