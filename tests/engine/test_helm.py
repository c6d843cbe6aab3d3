"""helmCharts inflated with the real helm binary, compared on a local chart (no network)
with kustomize v5.8.1 (kubectl's v5.5 still put helm output into the kustomization's
namespace; v5.8 leaves it to helm) and, where they agree, with kubectl kustomize."""
import subprocess

from pytest_kustomize.tools import require_tool

CHART = {
    "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\nappVersion: \"1.0\"\n",
    "charts/web/values.yaml": "replicas: 1\nimage: nginx:1.25\nlabels:\n  tier: web\n",
    "charts/web/templates/deployment.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
  namespace: {{ .Release.Namespace }}
  labels:
{{ toYaml .Values.labels | indent 4 }}
spec:
  replicas: {{ .Values.replicas }}
  template:
    spec:
      containers:
      - name: web
        image: {{ .Values.image }}
        envFrom:
        - configMapRef:
            name: {{ .Release.Name }}-config
""",
    "charts/web/templates/configmap.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  mode: {{ .Values.mode | default "normal" | quote }}
""",
}


def test_helm_chart_with_inline_values_namespace_and_prefix(oracle):
    helm = require_tool("helm")
    files = dict(CHART)
    files["kustomization.yaml"] = """\
namespace: shop
namePrefix: p-
helmCharts:
- name: web
  releaseName: rel
  valuesInline:
    replicas: 3
    mode: fast
"""
    oracle.write(files)
    ref = oracle.kustomize(".", "--enable-helm", "--helm-command", helm)
    assert ref.returncode == 0, ref.stderr
    got = oracle.engine(enable_helm=True, helm_command=helm)
    assert got == ref.stdout
    assert "replicas: 3" in got and "name: p-rel-config" in got
    assert "namespace: shop" in got          # from helm's --namespace, on the Deployment


def test_helm_needs_enable_helm(oracle):
    require_tool("helm")
    files = dict(CHART)
    files["kustomization.yaml"] = "helmCharts:\n- name: web\n"
    err = oracle.assert_both_fail(files, contains="must specify --enable-helm")
    assert err.field == "helmCharts"


def test_helm_values_merge_and_values_file(oracle):
    helm = require_tool("helm")
    files = dict(CHART)
    files["my-values.yaml"] = "replicas: 2\nimage: nginx:1.26\nlabels:\n  tier: front\n"
    files["kustomization.yaml"] = """\
helmGlobals:
  chartHome: charts
helmCharts:
- name: web
  releaseName: r2
  namespace: other
  valuesFile: my-values.yaml
  valuesInline:
    labels:
      extra: "yes"
  valuesMerge: merge
"""
    oracle.write(files)
    ref = oracle.kubectl(".", "--enable-helm", "--helm-command", helm)
    assert ref.returncode == 0, ref.stderr
    assert oracle.engine(enable_helm=True, helm_command=helm) == ref.stdout
