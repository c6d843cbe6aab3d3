"""What the package knows about Kubernetes workloads: where pod specs live by kind, and
the containers and images of an object."""
from __future__ import annotations

from .query import get_field

# where pod specs live, by kind
POD_SPEC_PATHS = {
    "Pod": "spec",
    "Deployment": "spec.template.spec",
    "StatefulSet": "spec.template.spec",
    "DaemonSet": "spec.template.spec",
    "ReplicaSet": "spec.template.spec",
    "ReplicationController": "spec.template.spec",
    "Job": "spec.template.spec",
    "PodTemplate": "template.spec",
    "CronJob": "spec.jobTemplate.spec.template.spec",
}

def containers(r, include_init: bool = True) -> list:
    """(field path, container dict) for every container of a workload."""
    base = POD_SPEC_PATHS.get(r.kind)
    if base is None:
        return []
    spec = get_field(r.data, base, None)
    out = []
    if isinstance(spec, dict):
        for key in ("containers", "initContainers") if include_init else ("containers",):
            for i, c in enumerate(spec.get(key) or []):
                if isinstance(c, dict):
                    out.append(("%s.%s[%d]" % (base, key, i), c))
    return out


def all_images(r) -> list:
    """(field path, image) of every container anywhere in the object, custom resources
    included (any ``containers``/``initContainers`` list, as kustomize's images do)."""
    out = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                p = "%s.%s" % (path, k) if path else k
                if k in ("containers", "initContainers") and isinstance(v, list):
                    for i, c in enumerate(v):
                        if isinstance(c, dict) and isinstance(c.get("image"), str):
                            out.append(("%s[%d].image" % (p, i), c["image"]))
                walk(v, p)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, "%s[%d]" % (path, i))
    walk(r.data, "")
    return out


def helm_values_images(r) -> list:
    """(field path, image, explicit) of every image a HelmRelease's inline ``spec.values``
    sets: an ``image:`` string, or a mapping with ``repository`` (and optional ``registry``,
    ``tag``, ``digest``) under ``image`` or any other key. ``explicit`` is False where the
    values leave the tag to the chart (a repository without ``tag`` or ``digest``)."""
    if r.kind != "HelmRelease":
        return []
    values = get_field(r.data, "spec.values", None)
    out = []

    def walk(node, path):
        if isinstance(node, dict):
            repo = node.get("repository")
            if isinstance(repo, str) and repo:
                reg = node.get("registry")
                name = "%s/%s" % (reg, repo) if isinstance(reg, str) and reg else repo
                tag, digest = node.get("tag"), node.get("digest")
                image = name + (":%s" % tag if tag not in (None, "") else "") + \
                    ("@%s" % digest if isinstance(digest, str) and digest else "")
                key = "tag" if "tag" in node else "repository"
                out.append(("%s.%s" % (path, key), image,
                            "tag" in node or bool(isinstance(digest, str) and digest)))
            for k, v in node.items():
                p = "%s.%s" % (path, k)
                if k == "image" and isinstance(v, str) and v:
                    out.append((p, v, True))
                else:
                    walk(v, p)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, "%s[%d]" % (path, i))
    walk(values, "spec.values")
    return out

