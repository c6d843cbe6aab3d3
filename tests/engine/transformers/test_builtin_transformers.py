"""Each builtin transformer against `kubectl kustomize` on a tree of its own."""
from __future__ import annotations

DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      serviceAccountName: web-sa
      containers:
      - name: web
        image: nginx:1.25
        envFrom:
        - configMapRef:
            name: web-config
        volumeMounts:
        - name: cfg
          mountPath: /etc/web
      initContainers:
      - name: init
        image: busybox
      volumes:
      - name: cfg
        configMap:
          name: web-config
      - name: sec
        secret:
          secretName: web-secret
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
"""
OTHERS = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: web-sa
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  a: b
---
apiVersion: v1
kind: Secret
metadata:
  name: web-secret
type: Opaque
data:
  k: dg==
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: web-rb
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: web-role
subjects:
- kind: ServiceAccount
  name: web-sa
- kind: ServiceAccount
  name: default
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: web-role
rules: []
---
apiVersion: v1
kind: Namespace
metadata:
  name: ns1
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web-hpa
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  minReplicas: 1
  maxReplicas: 3
"""
RESOURCES = {"deploy.yaml": DEPLOY, "svc.yaml": SERVICE, "others.yaml": OTHERS}


def tree(kustomization: str) -> dict:
    files = dict(RESOURCES)
    files["kustomization.yaml"] = "resources:\n- deploy.yaml\n- svc.yaml\n- others.yaml\n" \
        + kustomization
    return files


def test_name_prefix_and_suffix_fix_references(oracle):
    out = oracle.assert_same(tree("namePrefix: p-\nnameSuffix: -s\n"))
    assert "name: p-web-config-s" in out


def test_namespace(oracle):
    oracle.assert_same(tree("namespace: prod\n"))


def test_common_labels_reach_selectors(oracle):
    oracle.assert_same(tree("commonLabels:\n  team: a\n  'on': 'yes'\n"))


def test_labels_without_selectors_with_templates(oracle):
    oracle.assert_same(tree("labels:\n- pairs:\n    team: a\n  includeTemplates: true\n"
                            "- pairs:\n    tier: web\n  includeSelectors: true\n"))


def test_labels_custom_fields(oracle):
    oracle.assert_same(tree("labels:\n- pairs:\n    team: a\n  fields:\n  - path: "
                            "spec/template/metadata/annotations\n    kind: Deployment\n"
                            "    create: true\n"))


def test_common_annotations(oracle):
    oracle.assert_same(tree("commonAnnotations:\n  owner: me\n  note: '1'\n"))


def test_images_new_name_tag_and_digest(oracle):
    oracle.assert_same(tree(
        "images:\n- name: nginx\n  newName: registry.example/nginx\n  newTag: '1.26'\n"
        "- name: busybox\n  digest: sha256:24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857"
        "230879ce7d3d3\n"))


def test_images_star_matches_every_image_and_tag_suffix(oracle):
    # "*" compiles in Go's regexp as an optional start anchor: every image matches
    oracle.assert_same(tree(
        "images:\n- name: '*'\n  newName: mirror.example.com/all\n"
        "- name: mirror.example.com/all\n  tagSuffix: -alpine\n"))


def test_replicas(oracle):
    oracle.assert_same(tree("replicas:\n- name: web\n  count: 5\n"))


def test_prefix_with_namespace_and_hpa_reference(oracle):
    out = oracle.assert_same(tree("namePrefix: x-\nnamespace: team\n"))
    assert "name: x-web\n" in out


def test_input_order_option_keeps_file_order(oracle):
    oracle.write(tree(""))
    out = oracle.engine(reorder="none")
    kinds = [line.split(": ")[1] for line in out.splitlines() if line.startswith("kind: ")]
    assert kinds[:3] == ["Deployment", "Service", "ServiceAccount"]


# kustomize gives every field a label transformer creates in one resource the same YAML
# node; a later in-place write to one of them (another label transformer, a strategic-merge
# patch) shows at all of them, while a JSON patch rebuilds the resource and ends the sharing.
SHARED_BASE = {
    "base/kustomization.yaml": "resources: [d.yaml]\ncommonLabels:\n  app: foo\n",
    "base/d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
                   "  selector:\n    matchLabels: {x: '1'}\n  template:\n    metadata:\n"
                   "      labels: {x: '1'}\n    spec:\n      containers:\n      - name: c\n"
                   "        image: nginx\n",
}


def test_overlay_label_without_selectors_follows_a_base_label_into_selectors(oracle):
    out = oracle.assert_same(dict(SHARED_BASE, **{
        "ov/kustomization.yaml": "resources: [../base]\nlabels:\n- pairs:\n    app: bar\n"}),
        build_dir="ov")
    assert "app: foo" not in out        # kubectl moved the selectors too


def test_strategic_merge_patch_of_a_shared_label(oracle):
    oracle.assert_same(dict(SHARED_BASE, **{
        "ov/kustomization.yaml": "resources: [../base]\npatches:\n- patch: |-\n"
                                 "    apiVersion: apps/v1\n    kind: Deployment\n"
                                 "    metadata:\n      name: web\n      labels:\n"
                                 "        app: baz\n"}), build_dir="ov")


def test_json_patch_ends_the_sharing(oracle):
    out = oracle.assert_same(dict(SHARED_BASE, **{
        "ov/kustomization.yaml": "resources: [../base]\npatches:\n- target: {kind: Deployment}\n"
                                 "  patch: |-\n    - op: replace\n      path: /metadata/labels/app\n"
                                 "      value: baz\nlabels:\n- pairs:\n    app: bar\n"}),
        build_dir="ov")
    assert "app: foo" in out


def test_two_label_entries_with_one_key(oracle):
    oracle.assert_same({
        "kustomization.yaml": "resources: [base/d.yaml]\nlabels:\n- pairs: {app: prod}\n"
                              "  includeSelectors: true\n- pairs: {app: 'true'}\n"
                              "  includeSelectors: false\n",
        "base/d.yaml": SHARED_BASE["base/d.yaml"]})
