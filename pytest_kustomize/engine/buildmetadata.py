"""``buildMetadata``: origin annotations, transformer annotations (the managed-by label is
applied in build.py)."""
from __future__ import annotations


ORIGIN = "config.kubernetes.io/origin"
TRANSFORMATIONS = "alpha.config.kubernetes.io/transformations"
OPTIONS = ("originAnnotations", "transformerAnnotations", "managedByLabel")


def _origin_lines(o: dict, indent: str = "") -> list:
    lines = []
    for key in ("path", "repo", "ref", "configuredIn"):
        if o.get(key):
            lines.append("%s: %s" % (key, o[key]))
    by = o.get("configuredBy")
    if by:
        lines.append("configuredBy:")
        for key in ("apiVersion", "kind", "name", "namespace"):
            if by.get(key):
                lines.append("  %s: %s" % (key, by[key]))
    return lines


def origin_of(res) -> dict:
    o = res.origin
    if o.path:
        return {"path": o.path, "repo": o.repo, "ref": o.ref}
    if o.configured_by:
        return {"repo": o.repo, "ref": o.ref, "configuredIn": o.config_file,
                "configuredBy": o.configured_by}
    return {}


def annotate(resources, options: list, kfile: str) -> None:
    # kustomize ignores values it does not know (measured: kubectl and v5.8.1 render)
    for r in resources:
        anns = None
        if "originAnnotations" in options:
            o = origin_of(r)
            if o:
                anns = r.metadata.setdefault("annotations", {}) if anns is None else anns
                anns[ORIGIN] = "\n".join(_origin_lines(o)) + "\n"
        if "transformerAnnotations" in options and r.origin.applied:
            lines = []
            for t in r.origin.applied:
                sub = _origin_lines(t)
                lines.append("- " + sub[0])
                lines.extend("  " + s for s in sub[1:])
            md = r.metadata
            if not isinstance(md.get("annotations"), dict):
                md["annotations"] = {}
            md["annotations"][TRANSFORMATIONS] = "\n".join(lines) + "\n"
