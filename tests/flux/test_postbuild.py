"""postBuild substitution, against the Go oracle (fluxcd/pkg SubstituteVariables)."""
from __future__ import annotations

import base64

import pytest

from flux_oracle import ks
from pytest_kustomize.flux import varsub

APP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  annotations:
    env: ${cluster_env:=dev}
data:
  region: ${region}
  quoted: "${replicas}"
  flag: ${enabled}
  escaped: $${region} and $region
  upper: ${region^^}
  sub: ${region:0:2}-${#region}
  replace: ${region/-/_}
  trim: ${image%%:*}
  nested: ${missing:-${region}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-${cluster_env:=dev}
spec:
  replicas: ${replicas}
  template:
    spec:
      containers:
      - name: web
        image: ${image}
"""

SOURCES = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: base-vars, namespace: flux-system}
data:
  region: eu-west-1
  replicas: "2"
  image: "nginx:1.0\\n"
---
apiVersion: v1
kind: ConfigMap
metadata: {name: env-vars, namespace: flux-system}
data:
  replicas: "4"
  enabled: "yes"
---
apiVersion: v1
kind: Secret
metadata: {name: secret-vars, namespace: flux-system}
data:
  image: %s
stringData:
  cluster_env: prod
---
apiVersion: v1
kind: ConfigMap
metadata: {name: base-vars, namespace: other}
data:
  region: never-read
""" % base64.b64encode(b"registry.local/web:2.0").decode()

SPEC = """\
postBuild:
  substitute:
    replicas: "3"
  substituteFrom:
  - kind: ConfigMap
    name: base-vars
  - kind: ConfigMap
    name: env-vars
  - kind: Secret
    name: secret-vars
  - kind: ConfigMap
    name: absent
    optional: true
"""


def test_substitute_from_in_order_inline_wins(flux):
    out = flux.assert_same({"ks.yaml": ks(spec=SPEC), "app/app.yaml": APP,
                            "sources.yaml": SOURCES}, sources="sources.yaml")
    # the quotes of "${replicas}" do not survive the re-serialisation: an integer
    assert "replicas: 3\n" in out and "quoted: 3\n" in out
    assert "image: registry.local/web:2.0" in out and "name: web-prod" in out
    assert "flag: true" in out and "escaped: ${region} and $region" in out


def test_strict_and_non_strict(flux):
    flux.write({"ks.yaml": ks(spec=SPEC), "app/app.yaml": APP + "  extra: ${undefined}\n",
                "sources.yaml": SOURCES})
    flux.assert_same(sources="sources.yaml")
    flux.assert_both_fail(sources="sources.yaml", strict=True,
                          contains="variable not set (strict mode)")
    # the defaults are exempt
    flux.write({"app/app.yaml": APP})
    flux.assert_same(sources="sources.yaml", strict=True)


def test_missing_substitute_from_fails_unless_optional(flux):
    flux.write({"ks.yaml": ks(spec="postBuild:\n  substituteFrom:\n  - kind: Secret\n"
                                   "    name: nope\n"),
                "app/app.yaml": APP, "sources.yaml": SOURCES})
    flux.assert_both_fail(sources="sources.yaml", contains="substitute from 'Secret/nope'")
    # dry-run (as `flux build --dry-run`) does not read substituteFrom at all
    flux.assert_same(sources="sources.yaml", dry_run=True)


def test_disabled_label_or_annotation_skips_the_resource(flux):
    flux.assert_same({
        "ks.yaml": ks(spec="postBuild:\n  substitute:\n    v: value\n"),
        "app/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n"
                      "    kustomize.toolkit.fluxcd.io/substitute: disabled\ndata:\n  x: ${v}\n",
        "app/b.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n"
                      "  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\n"
                      "data:\n  x: ${v}\n",
        "app/c.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
                      "  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: Disabled\n"
                      "data:\n  x: ${v}\n",
    })


def test_substitution_runs_only_with_variables_or_always(flux):
    app = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: ${v:=dflt}\n"
    out = flux.assert_same({"ks.yaml": ks(spec="postBuild: {}\n"), "app/a.yaml": app})
    assert "${v:=dflt}" in out
    out = flux.assert_same({"ks.yaml": ks(spec="postBuild:\n  substituteStrategy: Always\n"),
                            "app/a.yaml": app})
    assert "x: dflt" in out


def test_invalid_variable_name_and_bad_template(flux):
    flux.write({"ks.yaml": ks(spec="postBuild:\n  substitute:\n    bad-name: x\n"),
                "app/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"})
    flux.assert_both_fail(contains="var name is invalid")
    flux.write({"ks.yaml": ks(spec="postBuild:\n  substitute:\n    v: x\n"),
                "app/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
                              "data:\n  x: ${v\n"})
    flux.assert_both_fail(contains="missing closing brace")


@pytest.mark.parametrize("value", ["3", "yes", "on", "1e3", "0x1F", "010", "null", "~", "1.50",
                                   "2024-01-02", "[a, b]", "{k: v}", "a: b", "'q'", "-", "#x"])
def test_values_reread_as_yaml11(flux, value):
    flux.write({"ks.yaml": ks(spec="postBuild:\n  substitute:\n    v: %s\n"
                                   % ("'%s'" % value.replace("'", "''"))),
                "app/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
                              "  annotations:\n    plain: ${v}\ndata:\n  plain: ${v}\n"
                              "  quoted: \"${v}\"\n  inside: x${v}x\n"})
    ref = flux.go("app", "app")
    if ref.returncode != 0:
        flux.assert_both_fail()
    else:
        flux.assert_same()


def test_quoting_lost_warning(flux):
    flux.write({"ks.yaml": ks(spec="postBuild:\n  substitute:\n    n: '3'\n    nn: '4'\n"),
                "app/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
                              "data:\n  count: \"${nn}\"\n  other: ${nn}\n  text: \"x${nn}\"\n"})
    flux.assert_same()
    build = flux.py("app", "app")
    assert build.warnings == ["ConfigMap a: data.count: '${nn}' became int 4 (quoted in "
                              "the source; Flux substitutes after re-serialising)"]


def test_variables_helper_drops_newlines():
    vals = varsub.Values.from_objects([{"apiVersion": "v1", "kind": "ConfigMap",
                                        "metadata": {"name": "c", "namespace": "ns"},
                                        "data": {"a": "x\ny\n"}}])
    assert varsub.variables({"substituteFrom": [{"kind": "ConfigMap", "name": "c"}],
                             "substitute": {"b": "1\n2"}}, "ns", vals) == {"a": "xy", "b": "12"}
