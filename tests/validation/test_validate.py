"""Valid and invalid manifests, each through kubeconform and the in-process validator
(the `both` fixture asserts they agree); expected verdicts come from the Kubernetes API
rules the manifests break."""
from __future__ import annotations

import os
import textwrap

import pytest

import pytest_kustomize
from pytest_kustomize.validation import SchemaError, available_versions, validate

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80{extra}
"""


def deployment(replicas="2", extra=""):
    return DEPLOYMENT.format(replicas=replicas, extra=extra)


def statuses(report):
    return [(r.kind, r.status, sorted({e.path for e in r.errors})) for r in report.results]


def test_a_valid_deployment(both):
    rep = both(deployment())
    assert rep.ok and statuses(rep) == [("Deployment", "valid", [])]


def test_wrong_type(both):
    rep = both(deployment(replicas='"two"'))
    assert statuses(rep) == [("Deployment", "invalid", ["/spec/replicas"])]
    assert not rep.ok


def test_unknown_field_only_in_strict_mode(both):
    text = deployment(extra="\n          protocl: TCP")
    assert statuses(both(text)) == [("Deployment", "valid", [])]
    assert statuses(both(text, strict=True)) == [
        ("Deployment", "invalid", ["/spec/template/spec/containers/0/ports/0"])]
    line = both(text, strict=True).format()
    assert "protocl" in line and "spec.template.spec.containers.0.ports.0" in line


def test_missing_required_fields(both):
    no_name = deployment().replace("      - name: web\n        image", "      - image")
    assert statuses(both(no_name)) == [
        ("Deployment", "invalid", ["/spec/template/spec/containers/0"])]
    no_selector = deployment().replace("  selector:\n    matchLabels: {app: web}\n", "")
    assert statuses(both(no_selector)) == [("Deployment", "invalid", ["/spec"])]


def test_int_or_string_and_quantities(both):
    svc = textwrap.dedent("""\
        apiVersion: v1
        kind: Service
        metadata: {name: s}
        spec:
          ports:
          - {port: 80, targetPort: http}
          - {port: 81, targetPort: 8081}
          - {port: 82, targetPort: [1]}
        """)
    assert statuses(both(svc)) == [("Service", "invalid", ["/spec/ports/2/targetPort"])]


def test_unknown_kinds_are_skipped_with_a_warning_or_errors_on_request(both):
    cr = "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\nspec: {size: 1}\n"
    rep = both(cr)
    assert rep.ok and statuses(rep) == [("Gadget", "skipped", [])]
    assert rep.format().startswith("warning: Gadget g: skipped: no schema for "
                                    "example.com/v1 Gadget")
    rep = both(cr, ignore_missing_schemas=False)
    assert not rep.ok and statuses(rep) == [("Gadget", "error", [])]


def test_skip_kinds(both):
    text = deployment(replicas='"x"') + "---\n" + deployment(replicas='"y"').replace(
        "apps/v1", "apps/v1").replace("name: web\n  namespace", "name: other\n  namespace")
    rep = both(text, skip_kinds=["apps/v1/Deployment"])
    assert rep.ok and [r.status for r in rep.results] == ["skipped", "skipped"]
    assert both(text, skip_kinds=["Deployment"]).ok
    assert not both(text, skip_kinds=["Service"]).ok


CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: integer, minimum: 1}
              port: {x-kubernetes-int-or-string: true}
              note: {type: string, nullable: true}
              extra:
                type: object
                x-kubernetes-preserve-unknown-fields: true
"""


def widget(spec):
    return "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: %s\n" % spec


@pytest.mark.parametrize("spec,strict,status,paths", [
    ("{size: 3, port: http, note: null, extra: {anything: 1}}", True, "valid", []),
    ("{size: 3, port: 8080}", True, "valid", []),
    ("{size: big}", False, "invalid", ["/spec/size"]),
    ("{size: 0}", False, "invalid", ["/spec/size"]),
    ("{port: 1}", False, "invalid", ["/spec"]),
    ("{size: 1, port: [1]}", False, "invalid", ["/spec/port"]),
    ("{size: 1, colour: red}", False, "valid", []),
    ("{size: 1, colour: red}", True, "invalid", ["/spec"]),
])
def test_custom_resources_against_the_crd_of_the_render(both, spec, strict, status, paths):
    rep = both(CRD + "---\n" + widget(spec), strict=strict)
    assert statuses(rep) == [("CustomResourceDefinition", "valid", []),
                             ("Widget", status, paths)]


def test_crd_files_given_by_the_user(both, tmp_path):
    (tmp_path / "crds").mkdir()
    (tmp_path / "crds" / "widget.yaml").write_text(CRD)
    rep = both(widget("{size: big}"), crds=[str(tmp_path / "crds")])
    assert statuses(rep) == [("Widget", "invalid", ["/spec/size"])]
    with pytest.raises(SchemaError, match="CRD file or directory does not exist"):
        validate(widget("{}"), crds=[str(tmp_path / "nope")])


def test_kubernetes_version_selects_the_schema_set(both):
    fs = textwrap.dedent("""\
        apiVersion: flowcontrol.apiserver.k8s.io/v1beta2
        kind: FlowSchema
        metadata: {name: f}
        spec:
          priorityLevelConfiguration: {name: global-default}
        """)
    assert statuses(both(fs, kubernetes_version="1.28")) == [("FlowSchema", "valid", [])]
    # flowcontrol v1beta2 was removed in Kubernetes 1.29
    assert statuses(both(fs, kubernetes_version="1.29")) == [("FlowSchema", "skipped", [])]
    assert both(fs, kubernetes_version="v1.28.7").kubernetes_version == "1.28.0"


def test_versions_and_locations_that_cannot_be_used():
    assert available_versions()[0] == "1.25.0"
    for bad, msg in (("1.12", "no offline schemas for Kubernetes 1.12"),
                     ("9.1", "no offline schemas"), ("latest", "invalid Kubernetes version")):
        with pytest.raises(SchemaError, match=msg):
            validate(deployment(), kubernetes_version=bad)
    with pytest.raises(SchemaError, match="not a local path: validation runs offline"):
        validate(deployment(), schema_locations=["https://example.com/{{ .ResourceKind }}.json"])
    for missing in ("/no/such/schemas", "/no/such/schemas/{{ .ResourceKind }}.json",
                    "file:///no/such/schemas"):
        with pytest.raises(SchemaError, match="/no/such/schemas does not exist"):
            validate(deployment(), schema_locations=[missing])
    with pytest.raises(SchemaError, match="unknown validator"):
        validate(deployment(), validator="kubeval")


def test_extra_schema_locations_come_first(both, tmp_path):
    # a stricter house schema for ConfigMaps: data must be present
    d = tmp_path / "schemas"
    d.mkdir()
    (d / "configmap-v1.json").write_text(
        '{"type": "object", "required": ["data"], "properties": {"data": {"type": "object"}}}')
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
    assert both(cm).ok
    rep = both(cm, schema_locations=[str(d / "{{ .ResourceKind }}{{ .KindSuffix }}.json")])
    assert statuses(rep) == [("ConfigMap", "invalid", [""])]


def test_same_name_in_two_namespaces_gets_separate_verdicts(both):
    good = deployment()
    bad = deployment(replicas='"x"').replace("namespace: shop", "namespace: other")
    rep = both(good + "---\n" + bad)
    assert [(r.namespace, r.status) for r in rep.results] == [("shop", "valid"),
                                                               ("other", "invalid")]


def test_the_failure_names_the_patch_that_set_the_bad_value(both, tmp_path):
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "deployment.yaml").write_text(deployment())
    (tmp_path / "base" / "kustomization.yaml").write_text("resources: [deployment.yaml]\n")
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [base]\npatches:\n- path: scale.yaml\n")
    (tmp_path / "scale.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n"
        "spec:\n  replicas: lots\n")
    rep = both(pytest_kustomize.build(str(tmp_path)))
    (line,) = rep.format().splitlines()
    assert line.startswith("Deployment.v1.apps/web.shop: spec.replicas: got string, want "
                           "null or integer (%s); set by " % (tmp_path / "base" / "deployment.yaml"))
    assert line.endswith("scale.yaml (PatchTransformer in %s)" % (tmp_path / "kustomization.yaml"))


def test_inputs_resources_dicts_and_text(both):
    res = pytest_kustomize.build(os.path.join(os.path.dirname(__file__), "..", "..",
                                              "examples", "overlays", "production"))
    assert both(res).ok
    assert both(list(res)).ok
    assert both([r.data for r in res]).ok
    assert both(res.to_yaml()).ok
    with pytest.raises(TypeError):
        validate([42])


def test_a_document_without_kind_is_an_error(both):
    rep = both("apiVersion: v1\nmetadata: {name: x}\n")
    assert [r.status for r in rep.results] == ["error"]
