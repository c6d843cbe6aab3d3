"""The generated kustomization and the build around it, against the Go oracle."""
from __future__ import annotations

import os

from flux_oracle import ks

DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: %s
spec:
  template:
    spec:
      containers:
      - name: c
        image: nginx:1.0
"""
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\ndata:\n  k: v\n"


def test_directory_without_kustomization_lists_every_manifest(flux):
    flux.assert_same({
        "ks.yaml": ks(),
        "app/b.yaml": CM % "b",
        "app/a.yml": CM % "a",
        "app/notes.txt": "not yaml",
        "app/README.md": "# no",
        "app/sub/deep/c.yaml": CM % "c",
        "app/sub/z.yaml": CM % "z" + "---\n" + CM % "z2",
        "app/withk/kustomization.yaml": "resources: [d.yaml]\nnamePrefix: k-\n",
        "app/withk/d.yaml": DEPLOY % "d",
        "app/withk/ignored-by-its-kustomization.yaml": CM % "never",
    })


def test_empty_directory_builds(flux):
    out = flux.assert_same({"ks.yaml": ks(), "app": None})
    assert out == ""


def test_sourceignore_and_ignore_paths(flux):
    files = {
        "ks.yaml": ks(),
        "app/.sourceignore": "# comment\nskip-*.yaml\n/local/\n!skip-keep.yaml\n",
        "app/skip-me.yaml": CM % "skip-me",
        "app/skip-keep.yaml": CM % "skip-keep",
        "app/local/x.yaml": CM % "x",
        "app/nested/.sourceignore": "drop.yaml\n",
        "app/nested/drop.yaml": CM % "drop",
        "app/nested/keep.yaml": CM % "keep",
        "app/extra/e.yaml": CM % "e",
        "app/.sops.yaml": "creation_rules: []\n",
        "app/.github/workflow.yaml": "on: push\n",
    }
    out = flux.assert_same(files)
    assert "skip-keep" in out and "skip-me" not in out and "drop" not in out
    out = flux.assert_same(ignore="extra/,keep.yaml")
    assert "name: e\n" not in out


def test_existing_kustomization_is_reread_and_spec_fields_apply(flux):
    flux.assert_same({
        "ks.yaml": ks(spec="""\
            targetNamespace: prod
            namePrefix: flux-
            nameSuffix: -v2
            images:
            - name: nginx
              newTag: "2.0"
            - name: redis
              newName: registry.local/redis
            patches:
            - patch: |
                - op: replace
                  path: /spec/replicas
                  value: 5
              target:
                kind: Deployment
            - patch: |
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: cm
                data:
                  extra: "1"
            buildMetadata: [originAnnotations]
            commonMetadata:
              labels: {team: shop}
              annotations: {owner: me}
            """),
        "app/kustomization.yaml": """\
            namespace: ignored
            namePrefix: base-
            resources: [deploy.yaml, cm.yaml, ../shared/cm.yaml]
            images:
            - name: nginx
              newTag: "1.5"
              digest: sha256:0000000000000000000000000000000000000000000000000000000000000000
            patches:
            - patch: |
                - op: add
                  path: /spec/replicas
                  value: 2
              target: {kind: Deployment}
            """,
        "app/deploy.yaml": DEPLOY % "web",
        "app/cm.yaml": CM % "cm",
        "shared/cm.yaml": CM % "shared",
    })


def test_kustomization_without_resources_gets_origin_annotations(flux):
    out = flux.assert_same({
        "ks.yaml": ks(),
        "app/kustomization.yaml": "configMapGenerator:\n- name: gen\n  literals: [a=b]\n",
    })
    assert "config.kubernetes.io/origin" in out


def test_components_and_ignore_missing(flux):
    files = {
        "ks.yaml": ks(spec="components: [../comp, ../missing]\nignoreMissingComponents: true\n"),
        "app/kustomization.yaml": "resources: [cm.yaml]\n",
        "app/cm.yaml": CM % "cm",
        "comp/kustomization.yaml": ("apiVersion: kustomize.config.k8s.io/v1alpha1\n"
                                    "kind: Component\ncommonLabels: {comp: yes-it-is}\n"),
    }
    out = flux.assert_same(files)
    assert "comp: yes-it-is" in out
    flux.write({"ks.yaml": ks(spec="components: [../comp, ../missing]\n")})
    flux.assert_both_fail()
    flux.write({"ks.yaml": ks(spec="components: [https://example.com/comp]\n")})
    flux.assert_both_fail(contains="must be local and relative")


def test_files_outside_the_source_root_are_refused(flux, tmp_path):
    outside = tmp_path.parent / ("outside-" + tmp_path.name)
    outside.mkdir(exist_ok=True)
    (outside / "cm.yaml").write_text(CM % "outside")
    flux.write({"ks.yaml": ks(),
                "app/kustomization.yaml": "resources: [../../%s/cm.yaml]\n" % outside.name})
    flux.assert_both_fail()
    os.symlink(str(outside / "cm.yaml"), os.path.join(flux.root, "app", "link.yaml"))
    flux.write({"app/kustomization.yaml": "resources: [link.yaml]\n"})
    flux.assert_both_fail()


def test_invalid_manifest_in_generated_directory_fails(flux):
    flux.assert_both_fail({"ks.yaml": ks(), "app/values.yaml": "replicaCount: 1\n",
                           "app/cm.yaml": CM % "cm"}, contains="failed to decode Kubernetes")


def test_resource_without_name_fails(flux):
    flux.assert_both_fail({"ks.yaml": ks(), "app/kustomization.yaml": "resources: [x.yaml]\n",
                           "app/x.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                                         "  labels: {a: b}\n"})


def test_kustomization_file_without_namespace_and_yaml11_keys(flux):
    # the Kustomization is read with go-yaml v2 rules: the substitute key `y` is "true"
    out = flux.assert_same({
        "ks.yaml": ks(namespace="", spec="postBuild:\n  substitute:\n    y: 'set'\n"
                                         "    ok: fine\n"),
        "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
                       "data:\n  a: ${ok}\n  b: x${y}x\n  c: ${true}\n",
    })
    assert "kustomize.toolkit.fluxcd.io/namespace: \"\"" in out
    assert "b: xx" in out and "c: set" in out


def test_name_and_namespace_selection(flux):
    flux.write({"ks.yaml": ks(name="other") + "---\n" + ks(name="app", namespace="apps"),
                "app/cm.yaml": CM % "cm"})
    flux.assert_same(namespace="apps")
    flux.assert_both_fail(namespace="flux-system", contains="failed find kustomization")


def test_base_with_an_empty_resources_list_builds(flux):
    # kustomize's CheckEmpty compares with a zero Kustomization: `resources: []` is not empty
    flux.assert_same({"ks.yaml": ks(),
                      "app/kustomization.yaml": "resources: [cm.yaml, empty]\n",
                      "app/cm.yaml": CM % "cm",
                      "app/empty/kustomization.yaml": "---\napiVersion: kustomize.config.k8s.io"
                                                      "/v1beta1\nkind: Kustomization\n"
                                                      "resources: []\n"})


def test_gitrepository_artifact_rules(flux):
    # as source-controller archives a GitRepository: spec.ignore and .sourceignore at the
    # root, VCS patterns, no symlinks (the tree builds GitRepository sources this way)
    flux.write({"ks.yaml": ks(),
                "app/a.yaml": CM % "a", "app/skip/b.yaml": CM % "b",
                "app/c.png.yaml": CM % "c", "app/.github/w.yaml": CM % "w",
                ".sourceignore": "app/d.yaml\n", "app/d.yaml": CM % "d",
                "elsewhere/e.yaml": CM % "e"})
    os.symlink(os.path.join(flux.root, "elsewhere", "e.yaml"),
               os.path.join(flux.root, "app", "link.yaml"))
    out = flux.assert_same(artifact=True, artifact_ignore="/app/skip/\n")
    assert "name: a\n" in out and "name: b\n" not in out and "name: d\n" not in out
    assert "name: e\n" not in out and "name: w\n" in out       # spec.ignore replaces defaults
    out = flux.assert_same(artifact=True)      # .sourceignore is a pattern: no default excludes
    assert "name: w\n" in out and "name: b\n" in out and "name: d\n" not in out
    os.remove(os.path.join(flux.root, ".sourceignore"))
    out = flux.assert_same(artifact=True)      # no pattern at all: Flux's default excludes
    assert "name: w\n" not in out and "name: d\n" in out
