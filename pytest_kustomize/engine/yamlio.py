"""Kustomize-compatible YAML: read like kyaml (go-yaml v3 scalar rules), print like
``kustomize build`` (every resource goes through JSON, then sigs.k8s.io/yaml's go-yaml v2
emitter: sorted keys in v2's natural order, v2's quoting rules, 80-column folding).

PyYAML (its libyaml C binding when present) does the tokenising and emitting; this module
supplies the resolvers, constructors and representers that give kustomize's semantics.
"""
from __future__ import annotations

import datetime
import functools
import math
import re
from decimal import Decimal
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ..errors import YamlError
from . import yamlread

try:  # libyaml's parser and emitter (go-yaml v2, whose output kustomize prints, is a port of it)
    from yaml._yaml import CEmitter as _CEmitter, CParser as _CLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CLoader = _CEmitter = None

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
MERGE = "tag:yaml.org,2002:merge"
MAP = "tag:yaml.org,2002:map"
SEQ = "tag:yaml.org,2002:seq"
BINARY = "tag:yaml.org,2002:binary"

# ---------------------------------------------------------------------------------------
# go-yaml v3 plain-scalar resolution (what kustomize reads)
# ---------------------------------------------------------------------------------------
_V3_MAP = {
    "true": (BOOL, True), "True": (BOOL, True), "TRUE": (BOOL, True),
    "false": (BOOL, False), "False": (BOOL, False), "FALSE": (BOOL, False),
    "": (NULL, None), "~": (NULL, None), "null": (NULL, None), "Null": (NULL, None),
    "NULL": (NULL, None),
    ".nan": (FLOAT, math.nan), ".NaN": (FLOAT, math.nan), ".NAN": (FLOAT, math.nan),
    ".inf": (FLOAT, math.inf), ".Inf": (FLOAT, math.inf), ".INF": (FLOAT, math.inf),
    "+.inf": (FLOAT, math.inf), "+.Inf": (FLOAT, math.inf), "+.INF": (FLOAT, math.inf),
    "-.inf": (FLOAT, -math.inf), "-.Inf": (FLOAT, -math.inf), "-.INF": (FLOAT, -math.inf),
    "<<": (MERGE, "<<"),
}
_YAML_STYLE_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_GO_INT = re.compile(r"^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$")
_TS = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})"
                 r"(?:(?:[Tt]|[ ])(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?"
                 r"(Z|[-+]\d{2}:\d{2})?)?$")
_D = r"\d(?:_?\d)*"      # Go's strconv: an underscore only between two digits
_GO_FLOAT_LITERAL = re.compile(r"^[-+]?(%s\.?(?:%s)?([eE][-+]?%s)?|\.%s([eE][-+]?%s)?|"
                               r"[iI][nN][fF]([iI][nN][iI][tT][yY])?|[nN][aA][nN])$"
                               % (_D, _D, _D, _D, _D))


def _go_parse_int(s: str):
    """strconv.ParseInt/ParseUint(s, 0, 64) after underscores were removed; None if invalid."""
    if not _GO_INT.match(s):
        return None
    sign = -1 if s[0] == "-" else 1
    body = s[1:] if s[0] in "+-" else s
    low = body.lower()
    if low.startswith("0x"):
        v = int(body[2:], 16)
    elif low.startswith("0o"):
        v = int(body[2:], 8)
    elif low.startswith("0b"):
        v = int(body[2:], 2)
    elif len(body) > 1 and body[0] == "0":
        v = int(body[1:], 8)
    else:
        v = int(body)
    v *= sign
    if -(1 << 63) <= v < (1 << 64) and not (sign < 0 and v < -(1 << 63)):
        return v
    return None


def _timestamp(s: str):
    m = _TS.match(s)
    if not m:
        return None
    y, mo, d, hh, mm, ss, frac, tz = m.groups()
    # go's layouts: date only; date T time zone (zone required); date space time (no zone)
    sep = s[len(m.group(1)) + len(mo) + len(d) + 2:][:1] if hh else ""
    if hh and sep in ("T", "t") and tz is None:
        return None
    if hh and sep == " " and tz is not None:
        return None
    try:
        datetime.date(int(y), int(mo), int(d))
        if hh and (int(hh) > 23 or int(mm) > 59 or int(ss) > 59):
            return None
    except ValueError:
        return None
    return m


def v3_resolve(value: str):
    """(tag, python value) for a plain scalar, as go-yaml v3 decodes it."""
    hit = _V3_MAP.get(value)
    if hit is not None:
        return hit
    if not value:
        return (NULL, None)
    c = value[0]
    if c == ".":
        if _GO_FLOAT_LITERAL.match(value):
            try:
                f = float(value)
            except ValueError:
                f = None
            if f is not None and not math.isinf(f):     # Go: an overflow is an error
                return (FLOAT, f)
        return (STR, value)
    if c in "+-0123456789":
        if c.isdigit() and _timestamp(value):
            return (TIMESTAMP, value)
        plain = value.replace("_", "")
        iv = _go_parse_int(plain)
        if iv is not None:
            return (INT, iv)
        if _YAML_STYLE_FLOAT.match(plain):
            try:
                f = float(plain)
            except ValueError:
                f = None
            if f is not None and not math.isinf(f):     # Go: an overflow is an error
                return (FLOAT, f)
        return (STR, value)
    return (STR, value)


def _rfc3339(value: str) -> str:
    m = _timestamp(value)
    y, mo, d, hh, mm, ss, frac, tz = m.groups()
    date = "%04d-%02d-%02d" % (int(y), int(mo), int(d))
    if not hh:
        return date + "T00:00:00Z"
    t = "%02d:%02d:%02d" % (int(hh), int(mm), int(ss))
    if frac:
        frac = frac.rstrip("0")
        if frac:
            t += "." + frac
    zone = "Z" if tz in (None, "Z", "+00:00") else tz
    if tz == "-00:00":
        zone = "Z"
    return "%sT%s%s" % (date, t, zone)


class _V3Resolver(yaml.resolver.BaseResolver):
    def resolve(self, kind, value, implicit):
        if kind is ScalarNode and implicit[0]:
            return v3_resolve(value)[0]
        if kind is ScalarNode:
            return STR
        if kind is SequenceNode:
            return SEQ
        return MAP


def _annotations_as_text(root) -> None:
    """kustomize reads a resource's annotations as strings of their source text: ``+1``,
    ``0x1F``, ``2001-12-14`` and an empty value stay as written (measured with kubectl),
    so those plain scalars are constructed as strings."""
    objs = [root]
    items = _child(root, "items")
    if isinstance(items, SequenceNode):
        objs.extend(items.value)
    for obj in objs:
        anns = _child(_child(obj, "metadata"), "annotations")
        if isinstance(anns, MappingNode):
            for _, v in anns.value:
                if isinstance(v, ScalarNode) and v.tag in (INT, FLOAT, BOOL, TIMESTAMP):
                    v.tag = STR


def _child(node, key: str):
    if isinstance(node, MappingNode):
        for k, v in node.value:
            if isinstance(k, ScalarNode) and k.value == key:
                return v
    return None


class _Constructor(yaml.constructor.SafeConstructor):
    allow_duplicate_keys = False
    check_aliases = False

    def construct_document(self, node):
        if self.check_aliases:
            total, distinct = expanded_size(node)
            if total > ALIAS_BUDGET and total > 10 * distinct:
                raise yaml.constructor.ConstructorError(
                    None, None, "document expands to %d nodes through aliases (limit %d): "
                    "an alias bomb?" % (total, ALIAS_BUDGET), node.start_mark)
        _annotations_as_text(node)
        return super().construct_document(node)

    def construct_mapping(self, node, deep=False):
        if isinstance(node, MappingNode) and any(
                isinstance(k, ScalarNode) and k.value == "<<" and k.tag != MERGE
                for k, _ in node.value):
            # kustomize drops a quoted "<<" key with its value (measured with kubectl and
            # v5.8.1); a plain << is a merge key as in YAML 1.1
            node.value = [(k, v) for k, v in node.value
                          if not (isinstance(k, ScalarNode) and k.value == "<<"
                                  and k.tag != MERGE)]
        if isinstance(node, MappingNode) and not self.allow_duplicate_keys:
            seen = {}
            for key_node, _ in node.value:
                if key_node.tag == MERGE:
                    continue
                k = key_node.value if isinstance(key_node, ScalarNode) else None
                if k is not None:
                    if k in seen:
                        raise yaml.constructor.ConstructorError(
                            None, None, 'mapping key "%s" already defined at line %d'
                            % (k, seen[k] + 1), key_node.start_mark)
                    seen[k] = key_node.start_mark.line
        mapping = super().construct_mapping(node, deep=deep)
        out = {}
        for k, v in mapping.items():
            out[_key_str(k)] = v
        return out


def _key_str(k) -> str:
    if isinstance(k, str):
        return k
    if isinstance(k, bool):
        return "true" if k else "false"
    if k is None:
        return "null"
    if isinstance(k, float):
        return _go_float(k)
    return str(k)


def _construct_int(loader, node):
    v = v3_resolve(node.value.strip())
    if v[0] == INT:
        return v[1]
    iv = _go_parse_int(node.value.replace("_", ""))
    if iv is None:
        raise yaml.constructor.ConstructorError(None, None, "cannot decode %r as an int"
                                                % node.value, node.start_mark)
    return iv


def _construct_float(loader, node):
    v = v3_resolve(node.value)
    f = v[1] if v[0] in (FLOAT, INT) else None
    if f is None:
        try:
            f = float(node.value.replace("_", ""))
        except ValueError:
            raise yaml.constructor.ConstructorError(None, None, "cannot decode %r as a float"
                                                    % node.value, node.start_mark) from None
    f = float(f)
    if math.isinf(f) or math.isnan(f):
        raise yaml.constructor.ConstructorError(
            None, None, "json: unsupported value: %s" % ("NaN" if math.isnan(f) else
                                                       ("+Inf" if f > 0 else "-Inf")),
            node.start_mark)
    return _json_number(f)


def _json_number(f: float):
    """What a float becomes after kustomize's JSON round trip (integral -> int)."""
    if f == int(f) and abs(f) < 1e21:
        return int(f)
    return f


def _construct_bool(loader, node):
    return v3_resolve(node.value)[1] if node.value in _V3_MAP else node.value.lower() == "true"


def _construct_null(loader, node):
    return None


def _construct_timestamp(loader, node):
    if _timestamp(node.value):
        return _rfc3339(node.value)
    return node.value


def _construct_binary(loader, node):
    return node.value.replace("\n", "").replace(" ", "")


def _construct_undefined(loader, node):
    if isinstance(node, ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


for _tag, _fn in ((INT, _construct_int), (FLOAT, _construct_float), (BOOL, _construct_bool),
                  (NULL, _construct_null), (TIMESTAMP, _construct_timestamp),
                  (BINARY, _construct_binary), (None, _construct_undefined)):
    _Constructor.add_constructor(_tag, _fn)
_Constructor.add_constructor(MAP, _Constructor.construct_yaml_map)
_Constructor.add_constructor(STR, yaml.constructor.SafeConstructor.construct_yaml_str)


if _CLoader is not None:
    class _Loader(_CLoader, _Constructor, _V3Resolver):
        def __init__(self, stream):
            _CLoader.__init__(self, stream)
            _Constructor.__init__(self)
            _V3Resolver.__init__(self)
else:  # pragma: no cover - pure Python fallback
    class _Loader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
                  yaml.composer.Composer, _Constructor, _V3Resolver):
        def __init__(self, stream):
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _Constructor.__init__(self)
            _V3Resolver.__init__(self)


class _LenientLoader(_Loader):
    """For kustomization files: sigs.k8s.io/yaml lets a repeated key override the earlier."""
    allow_duplicate_keys = True


def _yaml_error(e: Exception, path: str | None) -> YamlError:
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    problem = getattr(e, "problem", None) or str(e)
    line = mark.line + 1 if mark is not None else None
    msg = "malformed YAML: %s" % problem
    if line is not None:
        msg += " (line %d, column %d)" % (line, mark.column + 1)
    return YamlError(msg, file=path)


def _prepare(text) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "surrogateescape")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def load_documents(text, path: str | None = None, *, allow_duplicate_keys: bool = False,
                   kyaml: str = "", null_paths: list | None = None) -> list:
    """All non-empty documents of a YAML stream as plain JSON-like values. ``kyaml``:
    "resource" or "patch", a stream read with kyaml's changes (see yamlread); then
    ``null_paths`` receives, per returned document, the paths of its empty nulls."""
    text = _prepare(text)
    cls = _LenientLoader if allow_duplicate_keys else _Loader
    walk = bool(kyaml) and yamlread.needs_walk(text)
    # kio splits the stream itself: one piece means a List's items are read as nodes
    single = yamlread.one_piece(text)
    try:
        aliases = "*" in text
        try:
            docs = yamlread.load_nodes(cls(text), walk, single, kyaml == "patch", aliases,
                                       _typed)
        except yaml.composer.ComposerError as e:
            if "duplicate anchor" not in str(e):
                raise
            # go-yaml lets an anchor be defined again; libyaml refuses: rename and replay
            events = list(yamlread.renamed_events(yaml.parse(text, Loader=_ParserOnly)))
            docs = yamlread.load_nodes(_event_loader(cls)(events), walk, single,
                                       kyaml == "patch", aliases, _typed)
        if len(text) > MAX_DEPTH:
            for d, _ in docs:
                _check_depth(d, path)
    except yaml.YAMLError as e:
        raise _yaml_error(e, path) from None
    except UnicodeEncodeError as e:           # bytes that are not UTF-8 (kept as surrogates)
        line = text.count("\n", 0, e.start) + 1
        bad = text[e.start].encode("utf-8", "surrogateescape")[0]
        raise YamlError("malformed YAML: invalid UTF-8 byte 0x%02x (line %d)" % (bad, line),
                        file=path) from None
    except RecursionError:
        raise YamlError("document nested too deeply", file=path) from None
    if null_paths is not None:
        null_paths.extend(p for _, p in docs)
    return [d for d, _ in docs]


def _typed(text: str) -> bool:
    return v3_resolve(text)[0] != STR


_ParserOnly = _CLoader if _CLoader is not None else yaml.parser.Parser  # events only


@functools.lru_cache(maxsize=None)
def _event_loader(base):
    return yamlread.event_loader(base, _Constructor, _V3Resolver)


# kubectl fails beyond this many nested collections ("yaml: exceeded max depth of 10000")
MAX_DEPTH = 10_000
# an alias bomb: a document whose aliases expand it past this many nodes, and 10 times
# past its own size, is refused before anything walks it (a 5 MB CRD has ~300,000 nodes)
ALIAS_BUDGET = 2_000_000


def _check_depth(doc, path) -> None:
    """YamlError when collections nest deeper than MAX_DEPTH (iterative: no recursion)."""
    stack = [(doc, 1)]
    while stack:
        v, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise YamlError("yaml: exceeded max depth of %d" % MAX_DEPTH, file=path)
        if isinstance(v, dict):
            stack.extend((x, depth + 1) for x in v.values() if isinstance(x, (dict, list)))
        elif isinstance(v, list):
            stack.extend((x, depth + 1) for x in v if isinstance(x, (dict, list)))


def expanded_size(root) -> tuple:
    """(nodes once every alias is expanded, distinct nodes) of a composed YAML node graph,
    counted without expanding anything."""
    size: dict = {}
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in size and not done:
            continue
        kids = [] if isinstance(node, ScalarNode) else \
            [x for kv in node.value for x in kv] if isinstance(node, MappingNode) else node.value
        if done:
            size[id(node)] = 1 + sum(size[id(k)] for k in kids)
            continue
        stack.append((node, True))
        stack.extend((k, False) for k in kids if id(k) not in size)
    return size[id(root)], len(size)


def load_document(text, path: str | None = None, *, allow_duplicate_keys: bool = False) -> Any:
    """Exactly one document (None for an empty one)."""
    docs = load_documents(text, path, allow_duplicate_keys=allow_duplicate_keys)
    if not docs:
        return None
    if len(docs) > 1:
        raise YamlError("expected one YAML document, found %d" % len(docs), file=path)
    return docs[0]


# ---------------------------------------------------------------------------------------
# go-yaml v2 output (what kustomize prints)
# ---------------------------------------------------------------------------------------
_V2_BOOL_NULL = {"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True",
                 "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
                 "", "~", "null", "Null", "NULL", ".inf", ".Inf", ".INF", "+.inf", "+.Inf",
                 "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN"}
# ("<<" resolves to the merge tag, yet kustomize prints it plain: measured with kubectl)
_BASE60 = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")


def _v2_is_plain_string(s: str) -> bool:
    """True when go-yaml v2 would read the plain scalar ``s`` back as a string."""
    if s in _V2_BOOL_NULL:
        return False
    c = s[0]
    if c == ".":            # go-yaml: strconv.ParseFloat; an overflow is an error: a string
        return not (_GO_FLOAT_LITERAL.match(s) and not math.isinf(float(s.replace("_", ""))))
    if c in "+-0123456789":
        if c.isdigit() and _timestamp(s):
            return False
        plain = s.replace("_", "")
        if _go_parse_int(plain) is not None:
            return False
        if _YAML_STYLE_FLOAT.match(plain) and not math.isinf(float(plain)):
            return False        # (a literal beyond float64 fails Go's ParseFloat: a string)
        if _BASE60.match(s):
            return False
    return True


def _v2_key_less(a: str, b: str) -> bool:
    """go-yaml v2's keyList.Less for two string keys (letters after non-letters, digit runs
    compared as numbers)."""
    ar, br = a, b
    n = min(len(ar), len(br))
    for i in range(n):
        if ar[i] == br[i]:
            continue
        al, bl = ar[i].isalpha(), br[i].isalpha()
        if al and bl:
            return ar[i] < br[i]
        if al or bl:
            return bl
        an = bn = 0
        if ar[i] == "0" or br[i] == "0":
            j = i - 1
            while j >= 0 and ar[j].isdigit():
                if ar[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(ar) and ar[ai].isdigit():
            an = an * 10 + int(ar[ai])
            ai += 1
        bi = i
        while bi < len(br) and br[bi].isdigit():
            bn = bn * 10 + int(br[bi])
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return ar[i] < br[i]
    return len(ar) < len(br)


class _V2Key:
    __slots__ = ("s",)

    def __init__(self, s):
        self.s = s

    def __lt__(self, other):
        return _v2_key_less(self.s, other.s)


_SIMPLE_KEY = re.compile(r"^[A-Za-z0-9]*$")


def v2_sorted_keys(keys) -> list:
    return _sorted_keys(tuple(keys))


@functools.lru_cache(maxsize=16384)
def _sorted_keys(keys: tuple) -> list:
    keys = list(keys)
    if all(_SIMPLE_KEY.match(k) and not any(ch.isdigit() for ch in k) for k in keys):
        return sorted(keys)
    return sorted(keys, key=_V2Key)


def _go_float(f: float) -> str:
    """strconv.FormatFloat(f, 'g', -1, 64)."""
    if f == 0:
        return "-0" if math.copysign(1, f) < 0 else "0"
    r = repr(f)
    d = Decimal(r)
    sign, digits, exp = d.as_tuple()
    ds = "".join(map(str, digits)).rstrip("0") or "0"
    dp = len(digits) + exp           # position of the decimal point
    x = dp - 1
    neg = "-" if sign else ""
    if x < -4 or x >= 6:
        mant = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
        return "%s%se%s%02d" % (neg, mant, "-" if x < 0 else "+", abs(x))
    if dp <= 0:
        return neg + "0." + "0" * (-dp) + ds
    if dp >= len(ds):
        return neg + ds + "0" * (dp - len(ds))
    return neg + ds[:dp] + "." + ds[dp:]


class _V2Resolver(yaml.resolver.BaseResolver):
    def resolve(self, kind, value, implicit):
        if kind is ScalarNode:
            if implicit[0] and value and not _v2_is_plain_string(value):
                if value in ("true", "false"):
                    return BOOL
                if value == "null":
                    return NULL
                return FLOAT
            return STR
        if kind is SequenceNode:
            return SEQ
        return MAP


class _Representer(yaml.representer.SafeRepresenter):
    def ignore_aliases(self, data):
        return True    # kustomize prints every shared node in full, never &anchors

    def represent_str(self, data):
        if "\n" in data:
            style = "|"
        elif data and not _v2_is_plain_string(data):
            style = '"'
        elif not data:
            style = '"'
        else:
            style = None
        return self.represent_scalar(STR, data, style=style)

    def represent_bool(self, data):
        return self.represent_scalar(BOOL, "true" if data else "false")

    def represent_none(self, data):
        return self.represent_scalar(NULL, "null")

    def represent_int(self, data):
        return self.represent_scalar(FLOAT, _int_text(data))

    def represent_float(self, data):
        if math.isinf(data) or math.isnan(data):
            raise YamlError("json: unsupported value: %s" % data)
        data = _json_number(data)
        return self.represent_scalar(FLOAT, str(data) if isinstance(data, int)
                                     else _go_float(data))

    def represent_dict(self, data):
        keys = [_key_str(k) for k in data.keys()]
        values = dict(zip(keys, data.values()))
        items = [(k, values[k]) for k in v2_sorted_keys(keys)]
        return self.represent_mapping(MAP, items, flow_style=False if items else True)

    def represent_list(self, data):
        return self.represent_sequence(SEQ, data, flow_style=False if data else True)


_Representer.add_representer(str, _Representer.represent_str)
_Representer.add_representer(bool, _Representer.represent_bool)
_Representer.add_representer(type(None), _Representer.represent_none)
_Representer.add_representer(int, _Representer.represent_int)
_Representer.add_representer(float, _Representer.represent_float)
_Representer.add_representer(dict, _Representer.represent_dict)
_Representer.add_representer(list, _Representer.represent_list)
_Representer.add_representer(tuple, _Representer.represent_list)

if _CEmitter is not None:
    class _Dumper(_CEmitter, _Representer, _V2Resolver):
        def __init__(self, stream, **kw):
            _CEmitter.__init__(self, stream, canonical=False, indent=2, width=80,
                               allow_unicode=True, line_break="\n",
                               explicit_start=False, explicit_end=False)
            _Representer.__init__(self, default_style=None, default_flow_style=False,
                                  sort_keys=False)
            _V2Resolver.__init__(self)
else:  # pragma: no cover
    class _Dumper(yaml.emitter.Emitter, yaml.serializer.Serializer, _Representer,
                  _V2Resolver):
        def __init__(self, stream, **kw):
            yaml.emitter.Emitter.__init__(self, stream, canonical=False, indent=2, width=80,
                                          allow_unicode=True, line_break="\n")
            yaml.serializer.Serializer.__init__(self, explicit_start=False,
                                                explicit_end=False)
            _Representer.__init__(self, default_style=None, default_flow_style=False,
                                  sort_keys=False)
            _V2Resolver.__init__(self)


_SAFE_PLAIN = re.compile(r"^[A-Za-z0-9_./=+()$][A-Za-z0-9_./:=+()$ -]*$")


@functools.lru_cache(maxsize=65536)
def _plain(s: str) -> bool:
    """Strings the fast path may print plain: no quoting, escaping or folding questions."""
    if not _SAFE_PLAIN.match(s) or s.endswith((" ", ":")) or ": " in s or " #" in s:
        return False
    return _v2_is_plain_string(s)


def _scalar(v) -> str | None:
    if isinstance(v, str):
        return v if _plain(v) else None
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    if isinstance(v, int):
        return _int_text(v)
    return None


def _int_text(v: int) -> str:
    """An integer as kustomize prints it: beyond int64/uint64 go-yaml v3 reads the JSON
    number back as a float64 (kubectl prints 10**20 as 1e+20; found by scripts/fuzz.py)."""
    if -(1 << 63) <= v < (1 << 64):
        return str(v)
    return _go_float(float(v))


def _fast_map(d: dict, indent: int, first: str | None, out: list) -> bool:
    keys = list(d.keys())
    if not all(isinstance(k, str) for k in keys):
        return False
    pad = " " * indent
    for i, k in enumerate(v2_sorted_keys(keys)):
        if not _plain(k):
            return False
        head = (first if (i == 0 and first is not None) else pad) + k + ":"
        v = d[k]
        if isinstance(v, dict):
            if not v:
                out.append(head + " {}\n")
            else:
                out.append(head + "\n")
                if not _fast_map(v, indent + 2, None, out):
                    return False
        elif isinstance(v, list):
            if not v:
                out.append(head + " []\n")
            else:
                out.append(head + "\n")
                if not _fast_seq(v, indent, out):
                    return False
        elif isinstance(v, str) and "\n" in v:
            block = _literal(v, indent + 2)
            if block is None:
                return False
            out.append(head + " |\n" + block)
        else:
            text = _scalar(v)
            if text is None:
                return False
            line = head + " " + text
            if len(line) > 80 and " " in text:
                return False
            out.append(line + "\n")
    return True


_LITERAL_LINE = re.compile(r"^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$")


def _literal(s: str, indent: int) -> str | None:
    """A literal block (``|``, clip chomping) for simple multi-line text, or None."""
    if not s.endswith("\n") or s.endswith("\n\n"):
        return None
    lines = s[:-1].split("\n")
    if not lines[0] or lines[0][0] == " ":
        return None
    pad = " " * indent
    out = []
    for line in lines:
        if line == "":
            out.append("\n")
        elif _LITERAL_LINE.match(line.lstrip(" ")) and not line.endswith(" "):
            out.append(pad + line + "\n")
        else:
            return None
    return "".join(out)


def _fast_seq(lst: list, indent: int, out: list) -> bool:
    pad = " " * indent
    for v in lst:
        if isinstance(v, dict):
            if not v:
                out.append(pad + "- {}\n")
            elif not _fast_map(v, indent + 2, pad + "- ", out):
                return False
        elif isinstance(v, list):
            return False
        else:
            text = _scalar(v)
            if text is None:
                return False
            line = pad + "- " + text
            if len(line) > 80 and " " in text:
                return False
            out.append(line + "\n")
    return True


def dump_document(obj, *, fast: bool = True) -> str:
    """One document exactly as kustomize prints it. Plain documents take a direct path;
    anything needing quoting, folding or block scalars goes through libyaml's emitter."""
    if fast and isinstance(obj, dict) and obj:
        out: list = []
        if _fast_map(obj, 0, None, out):
            return "".join(out)
    boms: list = []
    obj = _hide_bom_strings(obj, boms)
    text = yaml.dump(obj, Dumper=_Dumper)
    if text.endswith("\n...\n"):
        # newer libyaml closes an open-ended scalar (|+) with "..."; go-yaml v2 does not
        text = text[:-4]
    for i, value in enumerate(boms):
        text = text.replace(_BOM_TOKEN % i, _v2_bom_scalar(value), 1)
    return text


# go-yaml v2's double-quoted writer tests for a byte-order mark at the start of the value
# instead of at the current character, so a value starting with U+FEFF has every character
# escaped ("\uFEFF\x62\x6F\x6D"). libyaml does not do that: such values are swapped for a
# plain token before emitting and written here afterwards.
_BOM_TOKEN = "pytest-kustomize-bom-value-%d"
_V2_ESCAPES = {0x00: "0", 0x07: "a", 0x08: "b", 0x09: "t", 0x0A: "n", 0x0B: "v", 0x0C: "f",
               0x0D: "r", 0x1B: "e", 0x22: '"', 0x5C: "\\", 0x85: "N", 0xA0: "_",
               0x2028: "L", 0x2029: "P"}


def _v2_bom_scalar(value: str) -> str:
    out = ['"']
    for ch in value:
        o = ord(ch)
        if o in _V2_ESCAPES:
            out.append("\\" + _V2_ESCAPES[o])
        elif o <= 0xFF:
            out.append("\\x%02X" % o)
        elif o <= 0xFFFF:
            out.append("\\u%04X" % o)
        else:
            out.append("\\U%08X" % o)
    out.append('"')
    return "".join(out)


def _hide_bom_strings(node, found: list):
    """``node`` with BOM-led strings swapped for tokens; copies only along changed paths."""
    if isinstance(node, str):
        if node.startswith("\ufeff"):
            found.append(node)
            return _BOM_TOKEN % (len(found) - 1)
        return node
    if isinstance(node, dict):
        out = None
        for k, v in node.items():
            nv = _hide_bom_strings(v, found)
            if nv is not v:
                out = dict(node) if out is None else out
                out[k] = nv
        return node if out is None else out
    if isinstance(node, list):
        new = [_hide_bom_strings(v, found) for v in node]
        return node if all(a is b for a, b in zip(new, node)) else new
    return node


def dump_documents(objs) -> str:
    """A stream of documents joined by ``---`` lines, as ``kustomize build`` prints it."""
    return "---\n".join(dump_document(o) for o in objs)


def scalar_to_string(v) -> str:
    """A scalar as kustomize's string-typed fields see it."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return ""
    if isinstance(v, float):
        return _go_float(v)
    return str(v)
