"""Minimal trees reduced from differences the real-world corpus (scripts/realworld.py) found
between the engine and `kubectl kustomize`; each is compared with kubectl byte for byte."""
from __future__ import annotations

# (apiVersion, kind): kustomize looks a resource's scope up by its exact apiVersion in kyaml's
# bundled 1.21 OpenAPI, so only some of these are cluster-scoped. (ValidatingAdmissionPolicy
# v1 is left out: the engine follows kustomize after v5.8.1 there, see engine/resource.py.)
SCOPE_TYPES = [
    ("v1", "Namespace"), ("v1", "PersistentVolume"),
    ("storage.k8s.io/v1", "StorageClass"), ("storage.k8s.io/v1beta1", "VolumeAttributesClass"),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
    ("policy/v1beta1", "PodSecurityPolicy"), ("extensions/v1beta1", "PodSecurityPolicy"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1alpha1", "ClusterRole"),
    ("scheduling.k8s.io/v1", "PriorityClass"),
    ("admissionregistration.k8s.io/v1beta1", "ValidatingAdmissionPolicy"),
    ("admissionregistration.k8s.io/v1alpha1", "MutatingAdmissionPolicy"),
    ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"),
    ("authentication.k8s.io/v1", "TokenReview"),
    ("certificates.k8s.io/v1alpha1", "ClusterTrustBundle"),
    ("flowcontrol.apiserver.k8s.io/v1", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io/v1beta3", "PriorityLevelConfiguration"),
    ("networking.k8s.io/v1", "IngressClass"), ("networking.k8s.io/v1beta1", "IPAddress"),
    ("node.k8s.io/v1", "RuntimeClass"), ("resource.k8s.io/v1beta1", "DeviceClass"),
]


def test_cluster_scope_follows_the_exact_api_version(oracle):
    """kubernetes-sigs/kueue config/visibility-apf: a FlowSchema of flowcontrol v1 gets the
    overlay's namespace in kustomize (only v1beta1 is cluster-scoped in its schema)."""
    docs = "".join("---\napiVersion: %s\nkind: %s\nmetadata:\n  name: n%d\n" % (av, k, i)
                   for i, (av, k) in enumerate(SCOPE_TYPES))
    out = oracle.assert_same({"kustomization.yaml": "namespace: x\nresources:\n- r.yaml\n",
                              "r.yaml": docs})
    assert out.count("namespace: x") == 11   # the oracle's own count, as a sanity check


def test_cluster_scope_of_a_newer_version_in_name_references(oracle):
    """A RoleBinding's roleRef to a ClusterRole keeps following the renamed role whatever
    the scope verdict; prefix and namespace together, compared with kubectl."""
    oracle.assert_same({
        "kustomization.yaml": "namespace: x\nnamePrefix: p-\nresources:\n- r.yaml\n",
        "r.yaml": """\
            apiVersion: rbac.authorization.k8s.io/v1alpha1
            kind: ClusterRole
            metadata:
              name: role
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata:
              name: rb
            roleRef:
              apiGroup: rbac.authorization.k8s.io
              kind: ClusterRole
              name: role
            subjects:
            - kind: ServiceAccount
              name: sa
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata:
              name: sa
            ---
            apiVersion: flowcontrol.apiserver.k8s.io/v1
            kind: FlowSchema
            metadata:
              name: fs
            spec:
              priorityLevelConfiguration:
                name: plc
            ---
            apiVersion: flowcontrol.apiserver.k8s.io/v1
            kind: PriorityLevelConfiguration
            metadata:
              name: plc
            """})
