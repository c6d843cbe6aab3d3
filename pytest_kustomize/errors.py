"""One exception hierarchy; every error carries the file, field and resource id involved."""
from __future__ import annotations


class KustomizeError(Exception):
    """Base of every error raised by pytest_kustomize.

    ``file`` is the kustomization (or resource/patch) file involved, ``field`` the
    kustomization field or resource field path, ``resource`` a resource id string.
    """

    def __init__(self, message: str, *, file: str | None = None, field: str | None = None,
                 resource: str | None = None):
        self.message = message
        self.file = file
        self.field = field
        self.resource = resource
        super().__init__(self.__str__())

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(str(self.file))
        if self.field:
            parts.append("field %s" % self.field)
        if self.resource:
            parts.append("resource %s" % self.resource)
        prefix = ": ".join(parts)
        return "%s: %s" % (prefix, self.message) if prefix else self.message

    def with_context(self, *, file=None, field=None, resource=None) -> "KustomizeError":
        """Fill in context that is still missing and return self (for re-raising)."""
        if file and not self.file:
            self.file = file
        if field and not self.field:
            self.field = field
        if resource and not self.resource:
            self.resource = resource
        self.args = (self.__str__(),)
        return self


class LoadError(KustomizeError):
    """A file or directory could not be read, or is outside the load restrictor's root."""


class YamlError(KustomizeError):
    """A file is not valid YAML, or a document is not a Kubernetes object."""


class FieldPathError(KustomizeError, ValueError):
    """A field path that cannot be read (empty element, unbalanced brackets)."""


class KustomizationError(KustomizeError):
    """The kustomization file itself is invalid (unknown field, wrong type, bad value)."""


class ResourceConflictError(KustomizeError):
    """Two resources share an id where kustomize requires ids to be unique."""


class PatchError(KustomizeError):
    """A patch could not be parsed or applied."""


class TransformerError(KustomizeError):
    """A transformer (labels, namespace, images, name references …) failed."""


class GeneratorError(KustomizeError):
    """A ConfigMap/Secret generator got invalid input."""


class PluginError(KustomizeError):
    """A generator/transformer plugin is unknown or not allowed."""


class FluxError(KustomizeError):
    """A Flux Kustomization cannot be built as kustomize-controller would build it."""


class SubstitutionError(FluxError):
    """postBuild variable substitution failed (bad template, unset variable in strict mode,
    invalid variable name, missing substituteFrom object)."""


class ClusterError(KustomizeError):
    """A cluster could not be started, reached or changed (``resource`` names the object)."""


class ClusterUnavailable(ClusterError):
    """No cluster provider can run on this machine (the message says what to install)."""


class ReconcileError(ClusterError):
    """A reconcile failed: an object was refused, could not be pruned or did not become
    healthy in time (the message names each object)."""
