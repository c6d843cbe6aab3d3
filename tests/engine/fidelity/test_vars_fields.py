"""Legacy ``vars`` decode their fields as Go's encoding/json does: ``fieldref.fieldPath``
(camelCase, as kustomize's docs write it), ``FieldPath`` and ``fieldpath`` all select the
field, and so do case variants of ``objref`` keys; compared with kubectl kustomize."""

import pytest

RESOURCES = """\
apiVersion: v1
kind: Service
metadata:
  name: svc
  namespace: ns1
spec:
  ports:
  - port: 8080
    targetPort: 80
---
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: c
    image: i
    command: ["$(A)", "$(B)", "$(C)"]
"""


def _kustomization(fieldpath_key: str, objref_kind_key: str = "kind") -> str:
    return """\
resources: [r.yaml]
vars:
- name: A
  objref: {%(k)s: Service, name: svc, apiVersion: v1}
  fieldref:
    %(f)s: spec.ports[0].port
- name: B
  objref: {%(k)s: Service, name: svc, apiVersion: v1}
  fieldref: {%(f)s: metadata.namespace}
- name: C
  objref: {kind: Service, name: svc, apiVersion: v1}
""" % {"f": fieldpath_key, "k": objref_kind_key}


@pytest.mark.parametrize("key", ["fieldPath", "fieldpath", "FieldPath", "FIELDPATH"])
def test_fieldref_spellings(oracle, key):
    out = oracle.assert_same({"kustomization.yaml": _kustomization(key), "r.yaml": RESOURCES})
    assert "- 8080\n    - ns1\n    - svc\n" in out


def test_objref_key_case_and_both_spellings(oracle):
    k = _kustomization("fieldPath", "Kind").replace(
        "fieldref:\n    fieldPath: spec.ports[0].port",
        "fieldref:\n    fieldPath: metadata.name\n    fieldpath: spec.ports[0].targetPort")
    out = oracle.assert_same({"kustomization.yaml": k, "r.yaml": RESOURCES})
    assert "- 80\n" in out      # of two spellings the later in byte order wins
