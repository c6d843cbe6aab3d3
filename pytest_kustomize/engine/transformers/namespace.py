"""namespace (kustomize's NamespaceTransformer)."""
from __future__ import annotations

from ...errors import TransformerError
from .. import fieldspec as fsm
from ..resource import ResourceList, is_cluster_scoped
from .base import record

HELM_GENERATED = "kustomize.config.k8s.io/helm-generated"
_METADATA_NAMESPACE = fsm.FieldSpec(fsm.Gvk(), "metadata/namespace", True)


def apply(resources: ResourceList, namespace: str, specs: list, *, unset_only: bool = False,
          role_binding_subjects: str = "defaultOnly", configured_in: str = "",
          plugin: str = "NamespaceTransformer") -> None:
    if not namespace:
        return
    mode = role_binding_subjects or "defaultOnly"
    if mode not in ("defaultOnly", "none", "allServiceAccounts"):
        raise TransformerError('invalid value "%s" for setRoleBindingSubjects: must be one of '
                               '"defaultOnly", "none" or "allServiceAccounts"' % mode,
                               file=configured_in)

    def setter(parent, key):
        if unset_only and isinstance(parent, dict) and parent.get(key) not in (None, ""):
            return
        if isinstance(parent, dict) and isinstance(parent.get(key), (dict, list)):
            raise TransformerError("namespace field specs must target scalar nodes")
        parent[key] = namespace

    by_gvk: dict = {}
    for r in resources:
        if not r.data:
            continue
        if r.is_helm or r.annotations.get(HELM_GENERATED) == "true":
            continue
        r.remember_id()
        gvk = r.gvk
        fss = by_gvk.get(gvk)
        if fss is None:     # the specs that apply to this kind, once per kind
            av = gvk.api_version
            fss = by_gvk[gvk] = [fs for fs in specs if fs.path != "metadata/namespace"
                                 and not (av != "v1" and fs.path == "metadata/name")
                                 and gvk.matches(fs.gvk)]
        if not is_cluster_scoped(gvk):
            fsm.apply(r.data, _METADATA_NAMESPACE, setter, create_kind=fsm.SCALAR, rid=r,
                      gvk=gvk)
        if gvk.kind in ("RoleBinding", "ClusterRoleBinding"):
            fss = [fs for fs in fss if not (fs.gvk.kind in ("RoleBinding", "ClusterRoleBinding")
                                            and fs.path == "subjects/namespace")]
            subjects = r.data.get("subjects")
            if mode != "none" and isinstance(subjects, list):
                for s in subjects:
                    if not isinstance(s, dict):
                        continue
                    if mode == "defaultOnly" and s.get("name") == "default":
                        setter(s, "namespace")
                    elif mode == "allServiceAccounts" and s.get("kind") == "ServiceAccount":
                        setter(s, "namespace")
        for fs in fss:
            fsm.apply(r.data, fs, setter, create_kind=fsm.SCALAR, rid=r, gvk=gvk)
        record(r, plugin, configured_in, paths=(("metadata", "namespace"),))
    seen = {}
    for r in resources:
        if not r.data:
            continue
        key = r.id.key
        if key in seen:
            raise TransformerError("namespace transformation produces ID conflict: %s"
                                   % r.id, file=configured_in, field="namespace")
        seen[key] = r
