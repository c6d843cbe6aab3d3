"""Features the conformance corpus covers thinly, against kubectl kustomize (or kustomize
v5.8.1 where kubectl's embedded v5.5 predates the behaviour)."""

APP = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  template:
    spec:
      containers:
      - name: app
        image: app:1
        env:
        - name: DB_HOST
          value: placeholder
        - name: URL
          value: http://host:80/path
        args: ["--name=$(SVC_NAME)", "--port=$(SVC_PORT)"]
---
apiVersion: v1
kind: Service
metadata:
  name: db
  namespace: data
spec:
  ports:
  - port: 5432
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  host: db.data.svc
  port: "5432"
"""


def test_replacements_delimiter_index_create_and_reject(oracle):
    oracle.assert_same({
        "app.yaml": APP,
        "kustomization.yaml": """\
namePrefix: x-
resources:
- app.yaml
replacements:
- source:
    kind: ConfigMap
    name: settings
    fieldPath: data.host
  targets:
  - select:
      kind: Deployment
    fieldPaths:
    - spec.template.spec.containers.[name=app].env.[name=DB_HOST].value
  - select:
      kind: Deployment
    fieldPaths:
    - spec.template.spec.containers.[name=app].env.[name=URL].value
    options:
      delimiter: "/"
      index: 2
  - select:
      kind: ConfigMap
    reject:
    - name: settings
    fieldPaths:
    - data.copied
    options:
      create: true
- source:
    kind: Service
    name: db
    fieldPath: spec.ports.0.port
  targets:
  - select:
      kind: Deployment
      name: app
    fieldPaths:
    - metadata.annotations.db-port
    options:
      create: true
""",
    })


def test_replacements_from_a_file(oracle):
    oracle.assert_same({
        "app.yaml": APP,
        "repl.yaml": "source:\n  kind: Service\n  name: db\n  fieldPath: metadata.namespace\n"
                     "targets:\n- select:\n    kind: ConfigMap\n  fieldPaths:\n  - data.ns\n"
                     "  options:\n    create: true\n",
        "kustomization.yaml": "resources:\n- app.yaml\nreplacements:\n- path: repl.yaml\n",
    })


def test_vars_with_custom_var_reference(oracle):
    oracle.assert_same({
        "app.yaml": APP,
        "varref.yaml": "varReference:\n- path: metadata/annotations\n  kind: Deployment\n",
        "kustomization.yaml": """\
namePrefix: v-
resources:
- app.yaml
configurations:
- varref.yaml
commonAnnotations:
  service: $(SVC_NAME)
vars:
- name: SVC_NAME
  objref:
    kind: Service
    name: db
    apiVersion: v1
- name: SVC_PORT
  objref:
    kind: Service
    name: db
    apiVersion: v1
  fieldref:
    fieldpath: spec.ports[0].port
""",
    })


def test_unresolvable_var_is_an_error(oracle):
    oracle.assert_both_fail({
        "app.yaml": APP,
        "kustomization.yaml": "resources:\n- app.yaml\nvars:\n- name: X\n  objref:\n"
                              "    kind: Service\n    name: nope\n    apiVersion: v1\n",
    })


def test_crds_declare_name_references(oracle):
    oracle.assert_same({
        "kustomization.yaml": "namePrefix: p-\ncrds:\n- crd.json\nresources:\n- cr.yaml\n"
                              "configMapGenerator:\n- name: conf\n  literals: [a=b]\n",
        "crd.json": """{
  "example.com/v1.Widget": {
    "Schema": {
      "properties": {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": {"type": "object"},
        "spec": {"$ref": "example.com/v1.WidgetSpec"}
      }
    }
  },
  "example.com/v1.WidgetSpec": {
    "Schema": {
      "properties": {
        "configRef": {
          "x-kubernetes-object-ref-api-version": "v1",
          "x-kubernetes-object-ref-kind": "ConfigMap",
          "type": "object"
        }
      }
    }
  }
}
""",
        "cr.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"
                   "spec:\n  configRef:\n    name: conf\n",
    })


def test_sort_options_legacy_with_custom_order_and_fifo(oracle):
    res = APP + "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: data\n"
    oracle.assert_same({
        "app.yaml": res,
        "kustomization.yaml": "resources:\n- app.yaml\nsortOptions:\n  order: legacy\n"
                              "  legacySortOptions:\n    orderFirst: [Service]\n"
                              "    orderLast: [Namespace]\n",
    })
    oracle.assert_same({"kustomization.yaml": "resources:\n- app.yaml\nsortOptions:\n"
                                              "  order: fifo\n"})


def test_build_metadata_annotations(oracle):
    files = {
        "base/app.yaml": APP,
        "base/kustomization.yaml": "resources:\n- app.yaml\nnamePrefix: b-\n",
        "overlay/kustomization.yaml": "resources:\n- ../base\ncommonLabels:\n  env: prod\n"
                                      "configMapGenerator:\n- name: gen\n  literals: [a=1]\n"
                                      "buildMetadata: [originAnnotations, "
                                      "transformerAnnotations]\n",
    }
    oracle.assert_same(files, build_dir="overlay")


def test_managed_by_label_names_the_kustomize_version(oracle):
    # kubectl's embedded kustomize calls itself "(devel)"; the CLI v5.8.1 writes its version
    oracle.write({
        "app.yaml": APP,
        "kustomization.yaml": "resources:\n- app.yaml\nbuildMetadata: [managedByLabel]\n",
    })
    ref = oracle.kustomize()
    assert ref.returncode == 0, ref.stderr
    out = oracle.engine()
    assert out == ref.stdout
    assert "app.kubernetes.io/managed-by: kustomize-v5.8.1" in out


def test_exec_and_function_plugins_are_refused_with_a_clear_error(oracle):
    oracle.write({
        "app.yaml": APP,
        "fn.yaml": "apiVersion: example.com/v1\nkind: Mutator\nmetadata:\n  name: m\n"
                   "  annotations:\n    config.kubernetes.io/function: |\n"
                   "      container:\n        image: example.com/mutator:1\n",
        "kustomization.yaml": "resources:\n- app.yaml\ntransformers:\n- fn.yaml\n",
    })
    import pytest
    from pytest_kustomize.errors import PluginError
    import pytest_kustomize
    with pytest.raises(PluginError) as ei:
        pytest_kustomize.build(oracle.root)
    assert "external plugins disabled" in str(ei.value) and "Mutator" in str(ei.value)
    assert ei.value.file.endswith("kustomization.yaml")
    with pytest.raises(PluginError) as ei:
        pytest_kustomize.build(oracle.root, enable_alpha_plugins=True)
    assert "not supported" in str(ei.value)
    assert oracle.kubectl().returncode != 0


def test_replacement_source_is_read_again_after_a_target_changed_it(oracle):
    # the source field is itself the first target: kustomize holds the source node, so the
    # next target fields see the value the first one wrote ("main/main", then "/main/main")
    oracle.assert_same({
        "kustomization.yaml": """\
            resources: [d.yaml, s.yaml]
            replacements:
            - source: {kind: Deployment, name: web, fieldPath: spec.template.spec.containers.0.name}
              targets:
              - select: {kind: Deployment}
                fieldPaths:
                - spec.template.spec.containers.[image=nginx].name
                - spec.template.spec.containers.[name=extra].image
                options: {create: true, delimiter: /, index: 2}
              - select: {kind: Service}
                fieldPaths: [metadata.name]
            """,
        "d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
                  "  template:\n    spec:\n      containers:\n      - name: main\n"
                  "        image: nginx\n",
        "s.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n",
    })


REPLACE_SCALAR = """\
resources: [cm.yaml, t.yaml]
replacements:
- source: {{kind: ConfigMap, fieldPath: data.{src}}}
  targets:
  - select: {{kind: T}}
    fieldPaths: [spec.{dst}]
"""
TYPED = {
    "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: src\ndata:\n  s: abc\n"
               "  n: \"0x1F\"\n  f: \"2.5\"\n  i: \"7\"\n",
    "t.yaml": "apiVersion: example.com/v1\nkind: T\nmetadata:\n  name: t\nspec:\n  i: 1\n"
              "  b: true\n  f: 1.5\n",
}


def test_replacement_keeps_the_type_of_the_field_it_replaces(oracle):
    # the text is decoded as the target's type: "0x1F" into an int field is 31, "7" into a
    # float field is 7
    for src, dst in (("n", "i"), ("i", "f"), ("f", "f")):
        oracle.assert_same(dict(TYPED, **{"kustomization.yaml": REPLACE_SCALAR.format(
            src=src, dst=dst)}))


def test_replacement_text_that_does_not_fit_the_field_type_is_an_error(oracle):
    for src, dst, want in (("s", "i", "cannot decode !!str `abc` as a !!int"),
                           ("f", "i", "cannot decode !!float `2.5` as a !!int"),
                           ("i", "b", "cannot decode !!int `7` as a !!bool")):
        err = oracle.assert_both_fail(dict(TYPED, **{
            "kustomization.yaml": REPLACE_SCALAR.format(src=src, dst=dst)}), contains=want)
        assert err.field == "replacements"
