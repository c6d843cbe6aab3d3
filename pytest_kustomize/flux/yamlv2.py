"""Read YAML as sigs.k8s.io/yaml's ``YAMLToJSON`` does (go-yaml v2, YAML 1.1 scalars).

Flux reads its own objects (``k8s.io/apimachinery``'s YAML decoder) and re-reads every
resource after postBuild substitution this way, so ``yes``/``on``/``y`` are booleans, ``0777``
is octal, ``1e3`` a number — also as mapping keys (a ``postBuild.substitute`` key ``n`` becomes
``"false"``) — and timestamps stay strings.
"""
from __future__ import annotations

import math
import re

import yaml
from yaml.nodes import ScalarNode, SequenceNode

from ..engine import yamlscalar
from ..errors import YamlError

try:
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML without libyaml
    _Parser = None

STR, INT, FLOAT = yamlscalar.STR, yamlscalar.INT, yamlscalar.FLOAT
BOOL, NULL, MERGE = yamlscalar.BOOL, yamlscalar.NULL, yamlscalar.MERGE

_MAP = {}
for _v, _tag, _words in ((True, BOOL, "y Y yes Yes YES true True TRUE on On ON"),
                         (False, BOOL, "n N no No NO false False FALSE off Off OFF"),
                         (None, NULL, "~ null Null NULL"),
                         (math.nan, FLOAT, ".nan .NaN .NAN"),
                         (math.inf, FLOAT, ".inf .Inf .INF +.inf +.Inf +.INF"),
                         (-math.inf, FLOAT, "-.inf -.Inf -.INF"),
                         ("<<", MERGE, "<<")):
    for _w in _words.split():
        _MAP[_w] = (_tag, _v)
_MAP[""] = (NULL, None)

_INT = re.compile(r"^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_GO_FLOAT = re.compile(r"^[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|"
                       r"[iI][nN][fF]([iI][nN][iI][tT][yY])?|[nN][aA][nN])$")


def _parse_int(plain: str):
    if not _INT.match(plain):
        return None
    sign = -1 if plain[0] == "-" else 1
    body = plain.lstrip("+-")
    if body[:2] in ("0x", "0X"):
        v = int(body[2:], 16)
    elif body[:2] in ("0o", "0O"):
        v = int(body[2:], 8)
    elif body[:2] in ("0b", "0B"):
        v = int(body[2:], 2)
    elif len(body) > 1 and body[0] == "0":
        v = int(body[1:], 8)
    else:
        v = int(body)
    v *= sign
    if -(1 << 63) <= v < (1 << 63):
        return v
    if plain[0] not in "+-" and v < (1 << 64):          # strconv.ParseUint
        return v
    return None


def resolve(value: str):
    """(tag, value) of a plain scalar as go-yaml v2's ``resolve("", value)``."""
    hit = _MAP.get(value)
    if hit is not None:
        return hit
    c = value[0]
    if c == ".":
        if _GO_FLOAT.match(value):
            f = float(value)
            if not math.isinf(f):
                return (FLOAT, f)
        return (STR, value)
    if c in "+-0123456789":
        plain = value.replace("_", "")
        iv = _parse_int(plain)
        if iv is not None:
            return (INT, iv)
        if _FLOAT.match(plain):
            f = float(plain)
            if not math.isinf(f):
                return (FLOAT, f)
        if plain.startswith("-0b") and re.match(r"^-0b[01]+$", plain):
            v = -int(plain[3:], 2)
            if v >= -(1 << 63):
                return (INT, v)
    return (STR, value)


class _Resolver(yaml.resolver.BaseResolver):
    def resolve(self, kind, value, implicit):
        if kind is ScalarNode:
            return resolve(value)[0] if implicit[0] else STR
        return yamlscalar.SEQ if kind is SequenceNode else yamlscalar.MAP


class _Constructor(yaml.constructor.SafeConstructor):
    def construct_mapping(self, node, deep=False):
        self.flatten_mapping(node)
        out = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            out[_json_key(key)] = self.construct_object(value_node, deep=deep)
        return out


def _json_key(k) -> str:
    """A non-string key as sigs.k8s.io/yaml turns it into a JSON key (floats as float32)."""
    return yamlscalar.key_str(k, _format_float32)


def _format_float32(f: float) -> str:
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    if math.isnan(f):
        return "NaN"
    return yamlscalar.go_float(float("%.8g" % f))


def _scalar(loader, node):
    tag, value = resolve(node.value) if node.tag != STR else (STR, node.value)
    if node.tag not in (INT, FLOAT, BOOL, NULL, MERGE, STR):
        return node.value
    if node.tag != tag:         # an explicit tag that does not fit the text
        if node.tag == FLOAT and tag == INT:
            return float(value)
        if node.tag == STR:
            return node.value
        raise yaml.constructor.ConstructorError(
            None, None, "cannot decode %r as a %s" % (node.value, node.tag.rsplit(":", 1)[-1]),
            node.start_mark)
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        raise yaml.constructor.ConstructorError(
            None, None, "json: unsupported value: %s" % node.value, node.start_mark)
    if isinstance(value, float) and value == int(value) and abs(value) < 1e21:
        return int(value)           # what the JSON round trip makes of an integral float
    return value


for _t in (INT, FLOAT, BOOL, NULL, STR):
    _Constructor.add_constructor(_t, _scalar)
_Constructor.add_constructor(yamlscalar.MAP, _Constructor.construct_mapping)
_Constructor.add_constructor(
    None, lambda loader, node: (_scalar(loader, node) if isinstance(node, ScalarNode) else
                                loader.construct_sequence(node, deep=True)
                                if isinstance(node, SequenceNode) else
                                loader.construct_mapping(node, deep=True)))

if _Parser is not None:
    class _Loader(_Parser, _Constructor, _Resolver):
        def __init__(self, stream):
            _Parser.__init__(self, stream)
            _Constructor.__init__(self)
            _Resolver.__init__(self)
else:  # pragma: no cover
    class _Loader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
                  yaml.composer.Composer, _Constructor, _Resolver):
        def __init__(self, stream):
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _Constructor.__init__(self)
            _Resolver.__init__(self)


def load_documents(text: str, path: str | None = None) -> list:
    """Every non-empty document of ``text`` as JSON-like values (v2 semantics)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        docs = list(yaml.load_all(text, Loader=_Loader))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = " (line %d)" % (mark.line + 1) if mark is not None else ""
        raise YamlError("YAMLToJSON: %s%s" % (getattr(e, "problem", None) or e, where),
                        file=path) from None
    return [d for d in docs if d is not None]


def load_document(text: str, path: str | None = None):
    docs = load_documents(text, path)
    if len(docs) > 1:
        raise YamlError("expected one YAML document, found %d" % len(docs), file=path)
    return docs[0] if docs else None
