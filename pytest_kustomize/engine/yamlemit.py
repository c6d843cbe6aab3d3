"""Printing like ``kustomize build``: sigs.k8s.io/yaml's go-yaml v2 emitter, reproduced
on libyaml's emitter (go-yaml v2 is a port of libyaml): v2's key order, v2's quoting
rules, 80-column folding, no anchors, and v2's escaping of a value led by a byte-order
mark. yamlfast prints the plain documents without the emitter."""
from __future__ import annotations

import functools
import io
import math
import re

import yaml
from yaml.nodes import ScalarNode, SequenceNode

from ..errors import YamlError
from .yamlscalar import (BOOL, FLOAT, MAP, NULL, SEQ, STR, go_float, int_text, json_number,
                         key_str, v2_is_plain_string)

try:  # libyaml's emitter
    from yaml._yaml import CEmitter
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    CEmitter = None

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


def float_text(data: float) -> str:
    """A float as kustomize prints it (after its JSON round trip: integral floats are ints)."""
    if math.isinf(data) or math.isnan(data):
        raise YamlError("json: unsupported value: %s" % data)
    data = json_number(data)
    return str(data) if isinstance(data, int) else go_float(data)


class _V2Resolver(yaml.resolver.BaseResolver):
    def resolve(self, kind, value, implicit):
        if kind is ScalarNode:
            if implicit[0] and value and not v2_is_plain_string(value):
                if value in ("true", "false"):
                    return BOOL
                if value == "null":
                    return NULL
                return FLOAT
            return STR
        if kind is SequenceNode:
            return SEQ
        return MAP


# kustomize passes every resource through JSON, which writes these characters raw, and
# reads the JSON back as YAML, whose reader refuses them (measured with kubectl)
_JSON_RAW_CONTROL = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")


def fold_nel(s: str) -> str:
    """A value holding NEL (U+0085) as kustomize prints it: JSON writes NEL raw, and the YAML
    reader that reads the JSON back takes it for a line break inside a double-quoted
    scalar and folds it: spaces around the break go, one break becomes a space, n > 1
    breaks become n - 1 newlines (the only raw blank beside it is a space; JSON escapes
    tabs and every other break)."""
    out, i, n = [], 0, len(s)
    while i < n:
        j = i
        while j < n and s[j] not in " \x85":
            j += 1
        out.append(s[i:j])
        i = j
        if i >= n:
            break
        spaces, breaks = 0, 0
        while i < n and s[i] in " \x85":
            if s[i] == "\x85":
                breaks += 1
            elif not breaks:
                spaces += 1
            i += 1
        out.append(("\n" * (breaks - 1) or " ") if breaks else " " * spaces)
    return "".join(out)


def json_round_trip(node):
    """``node`` with its strings as kustomize's JSON round trip leaves them (NEL folded in
    values; a key holding NEL is an error, as kubectl's); copies only changed paths."""
    if isinstance(node, str):
        return fold_nel(node) if "\x85" in node else node
    if isinstance(node, dict):
        out = None
        for k, v in node.items():
            if isinstance(k, str) and "\x85" in k:
                raise YamlError("yaml: did not find expected ',' or '}' (the key %r holds "
                                "U+0085, which kustomize's JSON round trip reads as a line "
                                "break)" % k[:60])
            nv = json_round_trip(v)
            if nv is not v:
                out = dict(node) if out is None else out
                out[k] = nv
        return node if out is None else out
    if isinstance(node, list):
        new = [json_round_trip(v) for v in node]
        return node if all(a is b for a, b in zip(new, node)) else new
    return node


class _Representer(yaml.representer.SafeRepresenter):
    def ignore_aliases(self, data):
        return True    # kustomize prints every shared node in full, never &anchors

    boms: list = []

    def represent_str(self, data):
        bad = _JSON_RAW_CONTROL.search(data)
        if bad:
            raise YamlError("yaml: control characters are not allowed (U+%04X in %r)"
                            % (ord(bad.group()), data[:60]))
        if data.startswith("\ufeff"):       # a key or value: written after emitting
            self.boms.append(data)
            data = _BOM_TOKEN % (len(self.boms) - 1)
        if "\n" in data:
            style = "|"
        elif data and not v2_is_plain_string(data):
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
        return self.represent_scalar(FLOAT, int_text(data))

    def represent_float(self, data):
        return self.represent_scalar(FLOAT, float_text(data))

    def represent_dict(self, data):
        keys = [key_str(k) for k in data.keys()]
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

if CEmitter is not None:
    class _Dumper(CEmitter, _Representer, _V2Resolver):
        def __init__(self, stream, **kw):
            CEmitter.__init__(self, stream, canonical=False, indent=2, width=80,
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


def emit_document(obj) -> str:
    """One document through the emitter (any value kustomize can print)."""
    stream = io.StringIO()
    dumper = _Dumper(stream)
    try:
        dumper.boms = boms = []
        dumper.open()
        dumper.represent(json_round_trip(obj))
        dumper.close()
    finally:
        dumper.dispose()
    text = stream.getvalue()
    if text.endswith("\n...\n"):
        # newer libyaml closes an open-ended scalar (|+) with "..."; go-yaml v2 does not
        text = text[:-4]
    for i, value in enumerate(boms):
        text = text.replace(_BOM_TOKEN % i, _v2_bom_scalar(value), 1)
    return text


# go-yaml v2's double-quoted writer tests for a byte-order mark at the start of the value
# instead of at the current character, so a key or value starting with U+FEFF has every
# character escaped ("\uFEFF\x62\x6F\x6D"). libyaml does not do that: the representer swaps
# such strings for a plain token (after the keys were sorted) and they are written here.
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
