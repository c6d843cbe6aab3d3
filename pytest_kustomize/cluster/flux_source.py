"""A Flux Kustomization (``kustomize.toolkit.fluxcd.io/v1``) as a reconcile source: built
by the flux layer as kustomize-controller builds it (generated kustomization, targetNamespace,
patches, images, postBuild with ``substituteFrom`` read from the live cluster, the
controller's owner labels, commonMetadata), with the reconcile's name, namespace, prune,
wait, timeout and force taken from the object unless the caller gives them."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

from ..errors import ClusterError, KustomizeError
from ..flux import FluxKustomization, Values, build_kustomization
from ..flux.objects import is_flux_kustomization
from ..flux.yamlv2 import load_documents
from .client import KubeClient

_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNIT = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def go_duration(text: str, where: str, file=None) -> float:
    """Seconds of a Go duration string (``"2m"``, ``"1h30m"``, ``"90s"``)."""
    text = str(text).strip()
    pos, total = 0, 0.0
    for m in _DURATION.finditer(text):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNIT[m.group(2)]
        pos = m.end()
    if not text or pos != len(text):
        raise ClusterError("%s: %r is not a Go duration (like 2m or 1h30m)" % (where, text),
                           file=file, field=where)
    return total


@dataclass
class FluxSource:
    """A Flux Kustomization and the directory its ``sourceRef`` artifact holds (``root``)."""
    kustomization: FluxKustomization
    root: str
    source_ignore: str | None = None
    strict: bool = True

    @property
    def name(self) -> str:
        return self.kustomization.name

    @property
    def namespace(self) -> str:
        return self.kustomization.namespace or "flux-system"

    def option(self, key: str, given):
        """``given`` when the caller passed it, else the Kustomization's ``spec.<key>``:
        ``prune``, ``wait``, ``force`` (absent: false, as Go decodes them), ``timeout``
        (seconds; absent: ``spec.interval``, as the controller falls back)."""
        if given is not None:
            return given
        spec = self.kustomization.spec
        if key != "timeout":
            return bool(spec.get(key, False))
        where = "timeout" if spec.get("timeout") else "interval"
        value = spec.get(where)
        if not value:
            raise ClusterError("Flux Kustomization without spec.interval",
                               file=self.kustomization.file, field="spec.interval")
        return go_duration(value, "spec." + where, self.kustomization.file)

    def values(self, client: KubeClient) -> Values:
        """The ConfigMaps and Secrets of ``postBuild.substituteFrom``, read from the live
        cluster in the Kustomization's namespace (as the controller reads them)."""
        values = Values()
        post = self.kustomization.post_build or {}
        for ref in post.get("substituteFrom") or []:
            kind, ref_name = ref.get("kind"), ref.get("name")
            if kind not in ("ConfigMap", "Secret") or not ref_name:
                continue
            obj = client.get("v1", kind, ref_name, self.namespace)
            if obj is not None:
                values.add(obj, "%s/%s/%s" % (kind, self.namespace, ref_name))
        return values

    def objects(self, client: KubeClient | None) -> list:
        """The built objects (dicts), ``substituteFrom`` served by ``client``'s cluster."""
        ks = self.kustomization
        path = os.path.join(self.root, ks.spec.get("path") or ".")
        values = self.values(client) if client is not None else None
        try:
            build = build_kustomization(ks, path, self.root, values=values,
                                        strict=self.strict, dry_run=client is None,
                                        use_ignore=False, artifact=True,
                                        artifact_ignore=self.source_ignore)
        except KustomizeError as e:
            raise ClusterError("Kustomization %s: %s" % (ks.key, e.message), file=e.file,
                               field=e.field, resource=e.resource) from None
        return [r.data for r in build.resources]


def _from_file(path: str, name: str | None, namespace: str | None) -> FluxKustomization:
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
    except OSError as e:
        raise ClusterError("cannot read Flux Kustomization file: %s" % e.strerror,
                           file=path) from None
    found = [o for o in load_documents(text, path) if is_flux_kustomization(o)]
    meta = [o.get("metadata") if isinstance(o.get("metadata"), dict) else {} for o in found]
    pick = [o for o, m in zip(found, meta)
            if (name is None or m.get("name") == name)
            and (namespace is None or (m.get("namespace") or "flux-system") == namespace)]
    if len(pick) != 1:
        have = ", ".join("%s/%s" % (m.get("namespace") or "flux-system", m.get("name"))
                         for m in meta) or "none"
        raise ClusterError("%s Flux Kustomization%s (kustomize.toolkit.fluxcd.io/v1) in "
                           "this file (have: %s)%s" % (
                               "no" if not pick else "more than one", "" if pick else
                               " %s" % (name or ""), have,
                               "; pass name=" if len(pick) > 1 else ""), file=path)
    return FluxKustomization.from_object(pick[0], path)


def _git_root(path: str) -> str | None:
    d = os.path.dirname(os.path.realpath(path))
    while True:
        if os.path.exists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def flux_source(source, *, name: str | None = None, namespace: str | None = None,
                root=None, source_ignore: str | None = None,
                strict: bool = True) -> FluxSource | None:
    """``source`` as a :class:`FluxSource` when it is a Flux Kustomization (a
    :class:`~pytest_kustomize.flux.FluxKustomization`, its dict, or a YAML file holding it
    — ``name``/``namespace`` pick one of several), else ``None``. ``root`` is the source's
    directory (the GitRepository checkout ``spec.path`` is relative to); default: the Git
    work tree holding the file, else the current directory."""
    file = None
    if isinstance(source, FluxKustomization):
        ks = source
    elif isinstance(source, dict) and is_flux_kustomization(source):
        ks = FluxKustomization.from_object(source)
    elif (isinstance(source, os.PathLike) or (isinstance(source, str) and "\n" not in source)) \
            and os.path.isfile(source):
        file = os.fspath(source)
        ks = _from_file(file, name, namespace)
    else:
        return None
    if not ks.name:
        raise ClusterError("Flux Kustomization without metadata.name", file=ks.file or file,
                           field="metadata.name")
    if root is None:
        root = (_git_root(ks.file) if ks.file else None) or os.getcwd()
    root = os.path.realpath(os.fspath(root))
    if not os.path.isdir(root):
        raise ClusterError("source root is not a directory: %s" % root, file=ks.file)
    return FluxSource(ks, root, source_ignore, strict)
