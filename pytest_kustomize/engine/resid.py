"""Resource ids as kustomize prints and compares them: group/version/kind, name, namespace,
and which built-in kinds are cluster-scoped."""
from __future__ import annotations

import functools
from dataclasses import dataclass


@dataclass(frozen=True)
class Gvk:
    group: str = ""
    version: str = ""
    kind: str = ""

    @classmethod
    def from_api_version(cls, api_version: str | None, kind: str | None) -> "Gvk":
        return _gvk_cached(api_version or "", kind or "")

    @property
    def api_version(self) -> str:
        return "%s/%s" % (self.group, self.version) if self.group else self.version

    def matches(self, selector: "Gvk") -> bool:
        """True when every non-empty field of ``selector`` equals ours (kustomize's IsSelected)."""
        return ((not selector.group or selector.group == self.group)
                and (not selector.version or selector.version == self.version)
                and (not selector.kind or selector.kind == self.kind))

    def __str__(self) -> str:
        return ".".join((self.kind or "[noKind]", self.version or "[noVer]",
                         self.group or "[noGrp]"))


# The cluster-scoped types of kyaml's bundled OpenAPI (Kubernetes 1.21), by group, version
# and kind: kustomize looks the exact apiVersion up, so any other version of these kinds
# (flowcontrol v1, rbac v1alpha1, extensions/v1beta1 PodSecurityPolicy) and any kind newer
# than 1.21 (MutatingAdmissionPolicy, VolumeAttributesClass) counts as namespaced, as do
# custom resources. Measured with kubectl and kustomize v5.8.1 (same table), but for:
CLUSTER_SCOPED = {
    ("", "v1"): {"Namespace", "Node", "PersistentVolume", "ComponentStatus",
                 "NodeProxyOptions"},
    ("rbac.authorization.k8s.io", "v1"): {"ClusterRole", "ClusterRoleBinding"},
    ("rbac.authorization.k8s.io", "v1beta1"): {"ClusterRole", "ClusterRoleBinding"},
    ("apiextensions.k8s.io", "v1"): {"CustomResourceDefinition"},
    ("apiextensions.k8s.io", "v1beta1"): {"CustomResourceDefinition"},
    # ValidatingAdmissionPolicy(Binding) v1: cluster-scoped in kustomize after v5.8.1 (its
    # conformance case namespaces__TestNamespaceNotAddedToValidatingAdmissionPolicies);
    # kubectl's v5.5.0 and v5.8.1 still give them the namespace.
    ("admissionregistration.k8s.io", "v1"): {"MutatingWebhookConfiguration",
                                             "ValidatingWebhookConfiguration",
                                             "ValidatingAdmissionPolicy",
                                             "ValidatingAdmissionPolicyBinding"},
    ("admissionregistration.k8s.io", "v1beta1"): {"MutatingWebhookConfiguration",
                                                  "ValidatingWebhookConfiguration"},
    ("apiregistration.k8s.io", "v1"): {"APIService"},
    ("apiregistration.k8s.io", "v1beta1"): {"APIService"},
    ("certificates.k8s.io", "v1"): {"CertificateSigningRequest"},
    ("certificates.k8s.io", "v1beta1"): {"CertificateSigningRequest"},
    ("flowcontrol.apiserver.k8s.io", "v1beta1"): {"FlowSchema", "PriorityLevelConfiguration"},
    ("networking.k8s.io", "v1"): {"IngressClass"},
    ("networking.k8s.io", "v1beta1"): {"IngressClass"},
    ("node.k8s.io", "v1"): {"RuntimeClass"},
    ("node.k8s.io", "v1beta1"): {"RuntimeClass"},
    ("policy", "v1beta1"): {"PodSecurityPolicy"},
    ("scheduling.k8s.io", "v1"): {"PriorityClass"},
    ("scheduling.k8s.io", "v1beta1"): {"PriorityClass"},
    ("storage.k8s.io", "v1"): {"CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"},
    ("storage.k8s.io", "v1beta1"): {"CSIDriver", "CSINode", "StorageClass",
                                    "VolumeAttachment"},
}
CLUSTER_SCOPED_KINDS = frozenset(k for ks in CLUSTER_SCOPED.values() for k in ks)


@functools.lru_cache(maxsize=4096)
def _gvk_cached(av: str, kind: str) -> Gvk:
    if "/" in av:
        g, v = av.split("/", 1)
    else:
        g, v = "", av
    return Gvk(g, v, kind)


TOTALLY_NOT_A_NAMESPACE = "~X"


@functools.lru_cache(maxsize=65536)
def _resid_cached(gvk: "Gvk", name: str, namespace: str) -> "ResId":
    return ResId(gvk, name, namespace)


def is_cluster_scoped(gvk: Gvk) -> bool:
    return gvk.kind in CLUSTER_SCOPED.get((gvk.group, gvk.version), ())


@dataclass(frozen=True)
class ResId:
    """group/version/kind + name + namespace, printed the way kustomize prints ids."""
    gvk: Gvk
    name: str = ""
    namespace: str = ""

    def __str__(self) -> str:
        ns = self.namespace or "[noNs]"
        return "%s/%s.%s" % (self.gvk, self.name or "[noName]", ns)

    @property
    def effective_namespace(self) -> str:
        if is_cluster_scoped(self.gvk):
            return TOTALLY_NOT_A_NAMESPACE
        return self.namespace or "default"

    @property
    def key(self) -> tuple:
        """(gvk, name, effective namespace): what kustomize compares ids by."""
        return (self.gvk, self.name, self.effective_namespace)

    def equals_ignoring_default_ns(self, other: "ResId") -> bool:
        return (self.gvk == other.gvk and self.name == other.name
                and self.effective_namespace == other.effective_namespace)
