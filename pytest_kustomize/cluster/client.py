"""The Python side of talking to an API server: the official ``kubernetes`` client's
DynamicClient (chosen over lightkube in docs/cluster.md), wrapped so that every call takes
and returns plain dicts and every failure is a :class:`ClusterError` naming the object."""
from __future__ import annotations

import json
import time

from ..errors import ClusterError

FIELD_MANAGER = "pytest-kustomize"


def object_id(obj: dict) -> str:
    """``Kind/namespace/name``, or ``Kind/name`` for an object without a namespace."""
    md = obj.get("metadata") or {}
    ns = md.get("namespace")
    return "%s/%s/%s" % (obj.get("kind"), ns, md.get("name")) if ns else \
        "%s/%s" % (obj.get("kind"), md.get("name"))


class KubeClient:
    """Server-side apply, get, list, delete and status patches through one connection.

    ``kubernetes`` is imported on first use (it takes ~0.9 s to import)."""

    def __init__(self, kubeconfig: str, context: str | None = None,
                 field_manager: str = FIELD_MANAGER):
        from kubernetes import config, dynamic   # heavy: loaded only when a client is made
        from kubernetes.dynamic import exceptions
        self._exc = exceptions
        try:
            api = config.new_client_from_config(config_file=kubeconfig, context=context)
        except Exception as e:   # kubernetes raises ConfigException and plain errors
            raise ClusterError("cannot read kubeconfig: %s" % e, file=kubeconfig) from None
        self.kubeconfig = kubeconfig
        self.field_manager = field_manager
        try:
            self.dyn = dynamic.DynamicClient(api)
        except Exception as e:
            raise ClusterError("cannot reach the API server: %s" % _reason(e),
                               file=kubeconfig) from None

    # --- discovery --------------------------------------------------------------------
    def resource(self, api_version: str, kind: str, *, what: str = ""):
        """The API resource serving ``kind``; discovery is refreshed once when it is
        unknown (a CRD applied a moment ago)."""
        for attempt in (0, 1):
            try:
                return self.dyn.resources.get(api_version=api_version, kind=kind)
            except self._exc.ResourceNotFoundError:
                if attempt == 0:
                    self.dyn.resources.invalidate_cache()
        raise ClusterError("%sno resource %s in %s on the server (is its "
                           "CustomResourceDefinition applied?)" % (
                               what + ": " if what else "", kind, api_version))

    def namespaced(self, api_version: str, kind: str) -> bool:
        return bool(self.resource(api_version, kind).namespaced)

    # --- reads ------------------------------------------------------------------------
    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None
            ) -> dict | None:
        """The live object, or None when it does not exist."""
        res = self.resource(api_version, kind, what=_id(kind, name, namespace))
        try:
            return res.get(name=name, namespace=namespace if res.namespaced else None
                           ).to_dict()
        except self._exc.NotFoundError:
            return None
        except self._exc.DynamicApiError as e:
            raise ClusterError("get %s failed: %s" % (
                _id(kind, name, namespace), _reason(e))) from None

    def list(self, api_version: str, kind: str, namespace: str | None = None, *,
             selector: str | None = None) -> list:
        res = self.resource(api_version, kind)
        try:
            out = res.get(namespace=namespace, label_selector=selector)
        except self._exc.DynamicApiError as e:
            raise ClusterError("list %s failed: %s" % (kind, _reason(e))) from None
        return [i for i in out.to_dict().get("items", [])]

    # --- writes -----------------------------------------------------------------------
    def apply(self, obj: dict, *, dry_run: bool = False, force: bool = True) -> dict:
        """Server-side apply (``force`` takes over fields other managers own)."""
        md = obj.get("metadata") or {}
        res = self.resource(obj.get("apiVersion", ""), obj.get("kind", ""),
                            what=object_id(obj))
        ns = md.get("namespace") if res.namespaced else None
        if res.namespaced and not ns:
            raise ClusterError("%s namespace not specified" % object_id(obj))
        try:
            return self.dyn.server_side_apply(
                res, body=obj, name=md.get("name"), namespace=ns,
                field_manager=self.field_manager, force_conflicts=force,
                dry_run="All" if dry_run else None).to_dict()
        except self._exc.DynamicApiError as e:
            raise ApplyFailed(obj, e.status, _reason(e), dry_run) from None

    def patch_status(self, obj: dict, status: dict) -> dict:
        """Server-side apply of ``status`` through the status subresource."""
        md = obj["metadata"]
        res = self.resource(obj["apiVersion"], obj["kind"])
        body = {"apiVersion": obj["apiVersion"], "kind": obj["kind"],
                "metadata": {"name": md["name"], "namespace": md.get("namespace")},
                "status": status}
        try:
            return self.dyn.server_side_apply(
                res.subresources["status"], body=body, name=md["name"],
                namespace=md.get("namespace"), field_manager=self.field_manager,
                force_conflicts=True).to_dict()
        except self._exc.DynamicApiError as e:
            raise ClusterError("status of %s: %s" % (object_id(obj), _reason(e))) from None

    def json_patch(self, obj: dict, patch: list) -> dict:
        """Apply a JSON patch (RFC 6902) to the live object."""
        md = obj["metadata"]
        res = self.resource(obj["apiVersion"], obj["kind"])
        try:
            return self.dyn.patch(res, body=patch, name=md["name"],
                                  namespace=md.get("namespace") if res.namespaced else None,
                                  content_type="application/json-patch+json",
                                  field_manager=self.field_manager).to_dict()
        except self._exc.DynamicApiError as e:
            raise ClusterError("patch of %s failed: %s" % (object_id(obj), _reason(e))
                               ) from None

    def wait_gone(self, api_version: str, kind: str, name: str,
                  namespace: str | None = None, *, timeout: float = 60,
                  what: str = "") -> None:
        """Poll until the object is NotFound (finalizers done)."""
        deadline = time.monotonic() + timeout
        while self.get(api_version, kind, name, namespace) is not None:
            if time.monotonic() > deadline:
                raise ClusterError("%s still exists %gs after its deletion"
                                   % (what or _id(kind, name, namespace), timeout))
            time.sleep(0.2)

    def delete(self, api_version: str, kind: str, name: str,
               namespace: str | None = None) -> bool:
        """Delete with background propagation; False when it was already gone."""
        res = self.resource(api_version, kind, what=_id(kind, name, namespace))
        try:
            res.delete(name=name, namespace=namespace if res.namespaced else None,
                       propagation_policy="Background")
        except self._exc.NotFoundError:
            return False
        except self._exc.DynamicApiError as e:
            raise ClusterError("delete %s failed: %s" % (
                _id(kind, name, namespace), _reason(e))) from None
        return True


class ApplyFailed(ClusterError):
    """The API server refused an apply; ``status`` is the HTTP status code."""

    def __init__(self, obj: dict, status, reason: str, dry_run: bool):
        self.status = status
        self.object_id = object_id(obj)
        super().__init__("%s %s failed (%s): %s" % (
            self.object_id, "dry-run" if dry_run else "apply", status, reason))

    @property
    def immutable(self) -> bool:
        """Conflict, Invalid or an 'immutable' message: Flux's cue for force recreate."""
        return self.status in (409, 422) or "immutable" in self.message


def _id(kind, name, namespace) -> str:
    return "%s/%s/%s" % (kind, namespace, name) if namespace else "%s/%s" % (kind, name)


def _reason(e) -> str:
    """The API server's message from a kubernetes client error."""
    body = getattr(e, "body", None) or getattr(e, "summary", None)
    if callable(body):
        body = body()
    try:
        msg = json.loads(body).get("message") if isinstance(body, (str, bytes)) else None
    except ValueError:
        msg = None
    return msg or str(body or e).strip()
