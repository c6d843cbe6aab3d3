"""What a validation found, per resource, in terms a user can act on."""
from __future__ import annotations

from dataclasses import dataclass, field

VALID = "valid"
INVALID = "invalid"
ERROR = "error"        # the resource could not be checked (no schema when required, bad schema)
SKIPPED = "skipped"    # no schema (ignored) or a kind the user skipped


@dataclass(frozen=True)
class FieldError:
    """One violated constraint: the JSON pointer of the field (``/spec/replicas``) and why."""
    path: str
    message: str

    def dotted(self) -> str:
        """``spec.replicas`` style (list indexes as numbers: ``spec.containers.0.image``)."""
        return ".".join(p for p in self.path.split("/") if p) or "(root)"


@dataclass
class ResourceResult:
    """The verdict on one resource: its id, status, field errors, the file it came from."""
    resource_id: str
    status: str
    errors: list = field(default_factory=list)      # FieldError, leaf errors only
    message: str = ""                                # for ERROR/SKIPPED: why
    source: str = ""                                 # the file the resource came from
    provenance: dict = field(default_factory=dict)   # error path -> where its value was set
    api_version: str = ""
    kind: str = ""
    name: str = ""
    namespace: str = ""

    def lines(self) -> list:
        """One line per problem: id, field path, message, source file."""
        where = " (%s)" % self.source if self.source else ""
        if self.status == INVALID:
            out = []
            for e in self.errors or [FieldError("", self.message or "invalid")]:
                prov = self.provenance.get(e.path)
                out.append("%s: %s: %s%s%s" % (self.resource_id, e.dotted(), e.message, where,
                                               "; %s" % prov if prov else ""))
            return out
        return ["%s: %s: %s%s" % (self.resource_id, self.status, self.message, where)]


@dataclass
class Report:
    """Results of validating one render (in resource order) and the validator that ran."""
    results: list
    validator: str            # "kubeconform" or "jsonschema"
    kubernetes_version: str
    strict: bool = False

    @property
    def invalid(self) -> list:
        return [r for r in self.results if r.status in (INVALID, ERROR)]

    @property
    def skipped(self) -> list:
        return [r for r in self.results if r.status == SKIPPED]

    @property
    def ok(self) -> bool:
        return not self.invalid

    def __bool__(self) -> bool:
        return self.ok

    def verdicts(self) -> list:
        """(resource id, status) pairs: what two validators must agree on."""
        return [(r.resource_id, r.status) for r in self.results]

    def format(self) -> str:
        lines = []
        for r in self.invalid:
            lines.extend(r.lines())
        for r in self.skipped:
            lines.extend("warning: " + ln for ln in r.lines())
        return "\n".join(lines)

    def summary(self) -> str:
        counts = {}
        for r in self.results:
            counts[r.status] = counts.get(r.status, 0) + 1
        return "%d resources: %s (%s, Kubernetes %s%s)" % (
            len(self.results), ", ".join("%d %s" % (counts[s], s) for s in
                                         (VALID, INVALID, ERROR, SKIPPED) if s in counts)
            or "nothing to check", self.validator, self.kubernetes_version,
            ", strict" if self.strict else "")
