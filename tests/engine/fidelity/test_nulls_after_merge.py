"""Null and empty values, as kustomize prints them: a strategic-merge patch drops every null
of the target written as an empty value (``key:``) but keeps one written out (``null``,
``~``), wherever the walk reaches (also in fields the patch does not touch, not inside
lists it replaces); ``metadata.annotations`` is rewritten at the end as a text map, so an
empty, null or non-map value disappears and the values keep the text they were written
with. Compared with kubectl kustomize."""

import pytest

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  annotations:
  labels: {}
spec:
  template:
    metadata:
      annotations: {}
      labels: %(labels)s
    spec:
      nodeSelector:
      affinity:
        nodeAffinity:
          preferredDuringSchedulingIgnoredDuringExecution: %(pref)s
      containers:
      - name: c
        image: x
        env: %(env)s
        args: [a, b]
        resources: {}
      tolerations:
      - key: k
        value:
"""

SMP = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  replicas: 2
"""

SMP_TOUCHING = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  annotations: {}
  labels:
spec:
  template:
    spec:
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution: {}
      containers:
      - name: c
        image: y
        extra: {a: null, b: {}, c: }
"""


@pytest.mark.parametrize("labels,pref,env", [
    ("null", "null", "null"), ("", "", ""), ("~", "~", "~"), ("Null", "", "[]"),
    ("{}", "", "null"),
])
@pytest.mark.parametrize("patch", [None, SMP, SMP_TOUCHING])
def test_nulls_after_strategic_merge(oracle, labels, pref, env, patch):
    k = "resources: [r.yaml]\n"
    files = {"r.yaml": DEPLOYMENT % {"labels": labels, "pref": pref, "env": env}}
    if patch:
        k += "patches:\n- path: p.yaml\n"
        files["p.yaml"] = patch
    files["kustomization.yaml"] = k
    oracle.assert_same(files)


def test_json_patch_writes_every_null_out(oracle):
    """After a JSON patch, kustomize's nulls are all written out: a later merge keeps them."""
    oracle.assert_same({
        "kustomization.yaml": """\
resources: [r.yaml]
patches:
- target: {kind: ConfigMap}
  patch: '[{"op": "add", "path": "/data/q", "value": "1"}]'
- patch: |
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: c}
    data: {z: "2"}
""",
        "r.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n"
                  "data:\n  a:\n  b: null\nother:\n  x:\n"})


def test_list_items_nulls_are_written_out(oracle):
    oracle.assert_same({
        "kustomization.yaml": "resources: [r.yaml]\npatches:\n- path: p.yaml\n",
        "r.yaml": "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n"
                  "  metadata:\n    name: c\n    labels:\n  data:\n    a:\n",
        "p.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  b: x\n"})


@pytest.mark.parametrize("value", [
    "", "null", "{}", "[]", "foo", '"  "', "5", "{a: }", "{a: {b: c}}", "{a: [1]}",
])
@pytest.mark.parametrize("overlay", ["", "namePrefix: p-\n", "commonAnnotations: {x: z}\n",
                                     "patches:\n- target: {kind: ConfigMap}\n  patch: "
                                     "'[{\"op\": \"add\", \"path\": \"/data\", \"value\": {}}]'\n"])
def test_annotations_as_kustomize_prints_them(oracle, value, overlay):
    files = {"kustomization.yaml": "resources: [r.yaml]\n" + overlay,
             "r.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\n"
                       "  annotations: %s\n" % value}
    if "commonAnnotations" in overlay and value in ("foo", '"  "', "5", "[]"):
        oracle.assert_both_fail(files)      # a scalar where a map is expected
    else:
        oracle.assert_same(files)


@pytest.mark.parametrize("overlay", ["", "namePrefix: p-\n", "commonAnnotations: {x: z}\n"])
def test_annotation_values_keep_their_text(oracle, overlay):
    oracle.assert_same({
        "kustomization.yaml": "resources: [r.yaml]\n" + overlay,
        "r.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\n  annotations: "
                  "{a: ~, b: null, c: 1.50, d: 0x1F, e: true, f: 2001-12-14, g: 1e3, h: }\n"})


def test_annotations_sequence_read_as_pairs(oracle):
    """kyaml reads a sequence's content as key/value pairs (kubectl panics on it once a
    transformer touches the resource, so only the plain build is compared)."""
    oracle.assert_same({
        "kustomization.yaml": "resources: [r.yaml]\n",
        "r.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\n"
                  "  annotations: [a, b]\n"})


def test_annotations_from_patches(oracle):
    oracle.assert_same({
        "kustomization.yaml": """\
resources: [r.yaml]
patches:
- patch: |
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: d
      annotations: {b: null, c: "0x10", d: {}, f: null, g: 5}
- target: {kind: ConfigMap}
  patch: '[{"op": "add", "path": "/metadata/annotations/e", "value": 1.50}]'
""",
        "r.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\n"
                  "  annotations: {a: 1, b: 2}\n"})


QUOTED = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: "3"
  paused: 'true'
  template:
    spec:
      containers:
      - name: c
        image: i
        env:
        - name: A
          value: "8080"
        - name: B
          value: plain
"""


@pytest.mark.parametrize("patch_values", [
    ("5", "false", "0x10", "7"), ("1.50", "true", "9090", "8"), ('"7"', "no", '"x"', "1e3"),
    ("null", "~", "''", "-1"), ("5", "1", "2", "3"),
])
def test_quoting_copied_onto_patch_value(oracle, patch_values):
    """kyaml's FieldSetter gives a new scalar the quoting of the one it replaces, so a
    number patched over a quoted "3" prints as the string of its text ("5", "1.50")."""
    r, pz, a, b = patch_values
    oracle.assert_same({
        "kustomization.yaml": "resources: [r.yaml]\npatches:\n- path: p.yaml\n",
        "r.yaml": QUOTED,
        "p.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
                  "  replicas: %s\n  paused: %s\n  template:\n    spec:\n      containers:\n"
                  "      - name: c\n        env:\n        - name: A\n          value: %s\n"
                  "        - name: B\n          value: %s\n" % (r, pz, a, b)})
