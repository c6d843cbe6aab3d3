"""The assertions of declarative YAML tests (helm-unittest's names and meanings, on rendered
documents). ``SPECS`` says what each assertion takes (it drives the file checker and the JSON
schema); ``check(name, args, docs)`` raises AssertionError when it fails. Every ``notX`` form
is ``X`` negated, as ``not: true`` is."""
from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .assertions import is_subset
from .provenance import provenance, source
from .query import MISSING, get_all


@dataclass(frozen=True)
class Spec:
    """What an assertion takes: ``required`` and ``optional`` parameter names with their
    JSON-schema types; ``documents``: it judges the set of documents, not each one."""
    required: dict
    optional: dict
    documents: bool = False
    extra: tuple = ()             # more JSON-schema keywords for the parameters, as pairs


TYPES = {"string": str, "int": int, "float": float, "float64": float, "bool": bool,
         "map": dict, "map[string]interface {}": dict, "object": dict, "list": list,
         "array": list, "[]interface {}": list, "null": type(None)}
_ANY = {}
_PATH = {"path": {"type": "string"}}
_B64 = {"decodeBase64": {"type": "boolean"}}
_NUM = {"type": ["number", "string"]}
SPECS = {
    "equal": Spec({"value": _ANY}, dict(_PATH, **_B64)),
    "matchRegex": Spec(dict(_PATH, pattern={"type": "string"}), _B64),
    "contains": Spec(dict(_PATH, content=_ANY), {"count": {"type": "integer", "minimum": 0},
                                                 "any": {"type": "boolean"}}),
    "isSubset": Spec({"content": _ANY}, _PATH),
    "exists": Spec(_PATH, {}),
    "isNull": Spec(_PATH, {}),
    "isNullOrEmpty": Spec(_PATH, {}),
    "isEmpty": Spec(_PATH, {}),
    "lengthEqual": Spec({}, dict(_PATH, paths={"type": "array", "items": {"type": "string"},
                                               "minItems": 1},
                                 count={"type": "integer", "minimum": 0}),
                        extra=(("anyOf", [{"required": ["path", "count"]},
                                          {"required": ["paths"]}]),)),
    "greaterOrEqual": Spec(dict(_PATH, value=_NUM), {}),
    "lessOrEqual": Spec(dict(_PATH, value=_NUM), {}),
    "isType": Spec(dict(_PATH, type={"type": "string", "enum": list(TYPES)}), {}),
    "isKind": Spec({"of": {"type": "string"}}, {}),
    "isAPIVersion": Spec({"of": {"type": "string"}}, {}),
    "hasDocuments": Spec({"count": {"type": "integer", "minimum": 0}},
                         {"filterAware": {"type": "boolean"}}, documents=True),
    "containsDocument": Spec({"kind": {"type": "string"}, "apiVersion": {"type": "string"}},
                             {"name": {"type": "string"}, "namespace": {"type": "string"},
                              "any": {"type": "boolean"}}, documents=True),
    "failedRender": Spec({}, {"errorMessage": {"type": "string"},
                              "errorPattern": {"type": "string"}}, documents=True),
    "matchSnapshot": Spec({}, _PATH),
}
# negated forms: name -> the assertion it negates
NEGATIONS = {
    "notEqual": "equal", "notMatchRegex": "matchRegex", "notContains": "contains",
    "isNotSubset": "isSubset", "notExists": "exists", "isNotNull": "isNull",
    "isNotNullOrEmpty": "isNullOrEmpty", "isNotEmpty": "isEmpty",
    "notLengthEqual": "lengthEqual", "notGreaterOrEqual": "greaterOrEqual",
    "notLessOrEqual": "lessOrEqual", "isNotType": "isType", "isNotKind": "isKind",
    "isNotAPIVersion": "isAPIVersion", "notContainsDocument": "containsDocument",
    "notFailedRender": "failedRender",
}
NAMES = tuple(SPECS) + tuple(NEGATIONS)


def spec_of(name: str) -> tuple:
    """(Spec, negated) of an assertion name (``notEqual`` -> equal's Spec, True)."""
    base = NEGATIONS.get(name, name)
    return SPECS[base], base != name


def helm_path(path: str) -> str:
    """helm-unittest's ``a["b.c"]`` key syntax as the engine's ``a.[b.c]``."""
    return re.sub(r"\.?\[([\"'])(.*?)\1\]", r".[\2]", path).lstrip(".")


# -- values ----------------------------------------------------------------------------------
_QUANTITY = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)"
                       r"|[eE]([+-]?\d+))?$")
_SUFFIX = {"m": Decimal("0.001"), "k": Decimal(10) ** 3, "M": Decimal(10) ** 6,
           "G": Decimal(10) ** 9, "T": Decimal(10) ** 12, "P": Decimal(10) ** 15,
           "E": Decimal(10) ** 18, "Ki": Decimal(2) ** 10, "Mi": Decimal(2) ** 20,
           "Gi": Decimal(2) ** 30, "Ti": Decimal(2) ** 40, "Pi": Decimal(2) ** 50,
           "Ei": Decimal(2) ** 60}


def number(v):
    """A number or a Kubernetes quantity (``500m``, ``1Gi``, ``2e3``) as a Decimal; None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return Decimal(str(v))
    if isinstance(v, str):
        m = _QUANTITY.match(v.strip())
        if m:
            try:
                n = Decimal(m.group(1))
            except InvalidOperation:
                return None
            if m.group(2):
                return n * _SUFFIX[m.group(2)]
            return n * (Decimal(10) ** int(m.group(3))) if m.group(3) else n
    return None


def _compare(actual, expected) -> int | None:
    """-1/0/1 comparing two numbers, quantities or strings; None when they do not compare."""
    a, b = number(actual), number(expected)
    if a is None or b is None:
        if isinstance(actual, str) and isinstance(expected, str):
            a, b = actual, expected
        else:
            return None
    return (a > b) - (a < b)


def _empty(v) -> bool:
    return v is MISSING or v is None or v is False or (
        not isinstance(v, bool) and v in ("", 0, [], {}))


def _b64(v, d, path):
    if not isinstance(v, str):
        return v
    try:
        return base64.b64decode(v, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise AssertionError("%s: %s is not base64 (decodeBase64 is set): %r"
                             % (d.id, path, v)) from None


def _shown(v):
    return "missing" if v is MISSING else repr(v)


# -- checks -----------------------------------------------------------------------------------
def check(name: str, args: dict, docs: list, *, negate: bool = False, all_docs=None,
          error=None, snapshot=None) -> None:
    """Raise AssertionError when assertion ``name`` (negated by ``negate``) fails on
    ``docs``. ``all_docs``: the documents before documentSelector/documentIndex (for
    ``hasDocuments`` without filterAware, and ``containsDocument``); ``error``: the render's
    error, if it failed; ``snapshot(text, name)``: compares a snapshot."""
    spec, negated = spec_of(name)
    base = NEGATIONS.get(name, name)
    negate = negate != negated
    if base == "failedRender":
        return _failed_render(args, error, negate, len(docs))
    if error is not None:
        raise AssertionError("the overlay failed to render: %s" % error)
    if base == "matchSnapshot":
        if negate:
            raise AssertionError("matchSnapshot cannot be negated")
        path = helm_path(args.get("path") or "")
        values = [(get_all(d.data, path) or [None])[0] if path else d.data for d in docs]
        return snapshot(values)
    if spec.documents:
        ok, why = _documents(base, args, docs, all_docs if all_docs is not None else docs)
        if ok == negate:
            raise AssertionError(why if not negate else "not expected: " + why)
        return
    if not docs:
        raise AssertionError("no document selected")
    path = helm_path(args.get("path") or "")
    for d in docs:
        ok, got, want = _one(base, args, d)
        if ok == negate:
            where = "%s: %s" % (d.id, path or "(document)")
            present = bool(path) and bool(get_all(d.data, path))
            prov = provenance(d, path) if present else "from " + source(d)
            raise AssertionError("%s %s, expected %s%s — %s" % (
                where, got, "not " if negate else "", want, prov))


def _failed_render(args: dict, error, negate: bool, n: int) -> None:
    msg, pattern = args.get("errorMessage"), args.get("errorPattern")
    if error is None:
        if not negate:
            raise AssertionError("the overlay rendered (%d document(s)); expected it to fail%s"
                                 % (n, " with %r" % msg if msg else
                                    " matching /%s/" % pattern if pattern else ""))
        return
    text = str(error)
    matched = (msg is None or msg in text) and (pattern is None or re.search(pattern, text))
    if negate:
        raise AssertionError("the overlay failed to render: %s" % text)
    if not matched:
        raise AssertionError("the overlay failed, but with %r; expected %s" % (
            text, "a message containing %r" % msg if msg is not None and msg not in text
            else "a message matching /%s/" % pattern))


def _documents(name: str, args: dict, docs: list, all_docs: list) -> tuple:
    if name == "hasDocuments":
        counted = docs if args.get("filterAware") else all_docs
        ids = ", ".join(str(d.id) for d in counted) or "none"
        return len(counted) == args["count"], "expected %s document(s), found %d: %s" % (
            args["count"], len(counted), ids)
    want = {"kind": args["kind"], "apiVersion": args["apiVersion"]}
    for k in ("name", "namespace"):
        if args.get(k) is not None:
            want[k] = args[k]
    hits = [d for d in all_docs if d.kind == want["kind"]
            and d.data.get("apiVersion") == want["apiVersion"]
            and want.get("name", d.name) == d.name
            and want.get("namespace", d.namespace) == d.namespace]
    shown = ", ".join("%s: %s" % (k, v) for k, v in want.items())
    if hits:
        return True, "a document with %s is rendered: %s" % (
            shown, ", ".join(str(d.id) for d in hits))
    return False, "no document with %s among %s" % (
        shown, ", ".join(str(d.id) for d in all_docs) or "no documents")


def _one(name: str, args: dict, d) -> tuple:
    """(ok, what the value is, what was expected) for one document."""
    path = helm_path(args.get("path") or "")
    vals = get_all(d.data, path) if path else [d.data]
    val = vals[0] if vals else MISSING
    if args.get("decodeBase64") and val is not MISSING:
        val = _b64(val, d, path)
    got = "is " + _shown(val) if val is not MISSING else "is missing"
    if name == "equal":
        return val is not MISSING and val == args["value"], got, repr(args["value"])
    if name == "matchRegex":
        ok = isinstance(val, str) and re.search(args["pattern"], val) is not None
        return ok, got, "a match of /%s/" % args["pattern"]
    if name == "contains":
        content = args["content"]
        n = sum(1 for a in val if is_subset(a, content)) if isinstance(val, list) else 0
        if "count" in args:
            return n == args["count"], "%s (%d matching)" % (got, n), \
                "%d element(s) containing %r" % (args["count"], content)
        return n > 0, got, "a list containing %r" % (content,)
    if name == "isSubset":
        return val is not MISSING and is_subset(val, args["content"]), got, \
            "a superset of %r" % (args["content"],)
    if name == "exists":
        return val is not MISSING, got, "to exist"
    if name == "isNull":
        return val is None or val is MISSING, got, "null"
    if name in ("isNullOrEmpty", "isEmpty"):
        return _empty(val), got, "null or empty"
    if name == "lengthEqual":
        return _length(args, d, path, val)
    if name in ("greaterOrEqual", "lessOrEqual"):
        c = _compare(val, args["value"])
        if c is None:
            raise AssertionError("%s: %s %s, which does not compare with %r" % (
                d.id, path, got, args["value"]))
        ok = c >= 0 if name == "greaterOrEqual" else c <= 0
        return ok, got, "%s %r" % (">=" if name == "greaterOrEqual" else "<=", args["value"])
    if name == "isType":
        t = TYPES.get(args["type"])
        if t is None:
            raise AssertionError("isType: unknown type %r (known: %s)"
                                 % (args["type"], ", ".join(TYPES)))
        ok = val is not MISSING and isinstance(val, t) and not (
            t in (int, float) and isinstance(val, bool))
        return ok, "%s (a %s)" % (got, type(val).__name__), "a %s" % args["type"]
    if name == "isKind":
        return d.kind == args["of"], "is a %s" % d.kind, "kind %s" % args["of"]
    if name == "isAPIVersion":
        v = d.data.get("apiVersion")
        return v == args["of"], "has apiVersion %s" % v, "apiVersion %s" % args["of"]
    raise AssertionError("unknown assertion %r" % name)


def _length(args: dict, d, path: str, val) -> tuple:
    paths = [helm_path(p) for p in args.get("paths") or []] or [path]
    lengths = []
    for p in paths:
        v = (get_all(d.data, p) or [MISSING])[0] if p != path else val
        lengths.append(len(v) if isinstance(v, (list, dict, str)) else None)
    shown = ", ".join("%shas length %s" % ("" if p == path else p + " ",
                                            "n/a" if n is None else n)
                      for p, n in zip(paths, lengths))
    if "count" in args:
        return all(n == args["count"] for n in lengths), shown, "length %s" % args["count"]
    return None not in lengths and len(set(lengths)) == 1, shown, "equal lengths"
