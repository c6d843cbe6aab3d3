"""Reading YAML like kyaml (go-yaml v3 scalar rules): resolver, constructors and loaders on
PyYAML (its libyaml parser when present), the duplicate-key, depth and alias-bomb limits,
and errors naming the file and line. What kyaml changes in a resource document between
reading and printing is in yamlread."""
from __future__ import annotations

import functools
import math
import os
import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ..errors import YamlError
from . import yamlread
from .yamlscalar import (BINARY, BOOL, FLOAT, INT, MAP, MERGE, NULL, SEQ, STR, TIMESTAMP,
                         V3_MAP, go_parse_int, json_number, key_str, timestamp, v3_resolve)

try:  # libyaml's parser
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    CParser = None

try:  # the native reader (engine/_yamlload.c), built when libyaml's headers are present
    from . import _yamlload
except ImportError:
    _yamlload = None

def _rfc3339(value: str) -> str:
    m = timestamp(value)
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


# an alias (``*name``) and an anchor (``&name``) where a node may start: after whitespace,
# a flow indicator or the start of the text (a "*" in prose, like a CRD description's
# "* means any", is not one); only then can a document expand through aliases
_ALIAS = re.compile(r"(?:^|[\s\[{,])\*[^\s,\[\]{}]")
_ANCHOR = re.compile(r"(?:^|[\s\[{,])&[^\s,\[\]{}]")


def may_have_aliases(text: str) -> bool:
    return "*" in text and _ALIAS.search(text) is not None and _ANCHOR.search(text) is not None


class _Constructor(yaml.constructor.SafeConstructor):
    allow_duplicate_keys = False
    check_aliases = False
    string_keys = False         # a resource or patch: every key must read as a string

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
                if self.string_keys and key_node.tag != STR and isinstance(key_node,
                                                                           ScalarNode):
                    # kyaml decodes the object into a map with this key typed (an int, a
                    # boolean, null...), which JSON cannot hold: kubectl fails
                    raise yaml.constructor.ConstructorError(
                        None, None, "mapping key %s is not a string (%s): kustomize cannot "
                        "convert the object to JSON (json: unsupported type: "
                        "map[interface {}]interface {}); quote it"
                        % (key_node.value or '""', key_node.tag.rpartition(":")[2]),
                        key_node.start_mark)
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
            out[key_str(k)] = v
        return out



def _construct_int(loader, node):
    v = v3_resolve(node.value.strip())
    if v[0] == INT:
        return v[1]
    iv = go_parse_int(node.value.replace("_", ""))
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
    return json_number(f)



def _construct_bool(loader, node):
    return v3_resolve(node.value)[1] if node.value in V3_MAP else node.value.lower() == "true"


def _construct_null(loader, node):
    return None


def _construct_timestamp(loader, node):
    if timestamp(node.value):
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


if CParser is not None:
    class V3Loader(CParser, _Constructor, _V3Resolver):
        def __init__(self, stream):
            CParser.__init__(self, stream)
            _Constructor.__init__(self)
            _V3Resolver.__init__(self)
else:  # pragma: no cover - pure Python fallback
    class V3Loader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
                  yaml.composer.Composer, _Constructor, _V3Resolver):
        def __init__(self, stream):
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _Constructor.__init__(self)
            _V3Resolver.__init__(self)


class _LenientLoader(V3Loader):
    """For kustomization files: sigs.k8s.io/yaml lets a repeated key override the earlier."""
    allow_duplicate_keys = True


def yaml_error(e: Exception, path: str | None) -> YamlError:
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    problem = getattr(e, "problem", None) or str(e)
    line = mark.line + 1 if mark is not None else None
    msg = "malformed YAML: %s" % problem
    if line is not None:
        msg += " (line %d, column %d)" % (line, mark.column + 1)
    return YamlError(msg, file=path)


def prepare_text(text) -> str:
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
    text = prepare_text(text)
    cls = _LenientLoader if allow_duplicate_keys else V3Loader
    walk = bool(kyaml) and yamlread.needs_walk(text)
    docs = None
    if NATIVE_READER is not None and not allow_duplicate_keys and kyaml != "patch":
        docs = NATIVE_READER.load(text, walk)
        if docs is not None and not all(_native_took(d) for d, _ in docs):
            docs = None
    if docs is None:
        docs = _python_load(text, path, cls, walk, kyaml)
    if null_paths is not None:
        null_paths.extend(p for _, p in docs)
    return [d for d, _ in docs]


def _python_load(text: str, path, cls, walk: bool, kyaml: str) -> list:
    """(document, read records) pairs read by PyYAML's composer and constructor."""
    # kio splits the stream itself: one piece means a List's items are read as nodes
    single = yamlread.one_piece(text)
    try:
        aliases = may_have_aliases(text)
        try:
            docs = yamlread.load_nodes(_loader(cls, text, kyaml), walk, single,
                                       kyaml == "patch", aliases, _typed)
        except yaml.composer.ComposerError as e:
            if "duplicate anchor" not in str(e):
                raise
            # go-yaml lets an anchor be defined again; libyaml refuses: rename and replay
            events = list(yamlread.renamed_events(yaml.parse(text, Loader=_ParserOnly)))
            docs = yamlread.load_nodes(_loader(_event_loader(cls), events, kyaml), walk,
                                       single, kyaml == "patch", aliases, _typed)
        if len(text) > MAX_DEPTH:
            for d, _ in docs:
                _check_depth(d, path)
    except yaml.YAMLError as e:
        raise yaml_error(e, path) from None
    except UnicodeEncodeError as e:           # bytes that are not UTF-8 (kept as surrogates)
        line = text.count("\n", 0, e.start) + 1
        bad = text[e.start].encode("utf-8", "surrogateescape")[0]
        raise YamlError("malformed YAML: invalid UTF-8 byte 0x%02x (line %d)" % (bad, line),
                        file=path) from None
    except RecursionError:
        raise YamlError("document nested too deeply", file=path) from None
    return docs


def _loader(cls, source, kyaml: str):
    loader = cls(source)
    loader.string_keys = bool(kyaml)
    return loader


def _native_plain(text: str):
    """For the native reader: (code, value) of a plain scalar that may be a number or a
    timestamp -- 0 a string, 1 a value, 2 a timestamp (its RFC 3339 text), 3 null, 4 none
    it can hold (an infinite or NaN float, a merge key)."""
    tag, v = v3_resolve(text)
    if tag == STR:
        return (0, None)
    if tag == NULL:
        return (3, None)
    if tag in (INT, BOOL):
        return (1, v)
    if tag == FLOAT:
        f = float(v)
        return (4, None) if math.isinf(f) or math.isnan(f) else (1, json_number(f))
    if tag == TIMESTAMP:
        return (2, _rfc3339(text) if timestamp(text) else text)
    return (4, None)


def _native_took(d) -> bool:
    """Are the native reader's records complete for this document? Not for a document
    with ``items`` (a List's items get the annotation rules and their own records), nor
    for an apiVersion or metadata.name that is not a string (their text is recorded)."""
    if not isinstance(d, dict):
        return True
    if isinstance(d.get("items"), list) or ("apiVersion" in d
                                              and not isinstance(d["apiVersion"], str)):
        return False
    md = d.get("metadata")
    return not (isinstance(md, dict) and "name" in md and not isinstance(md["name"], str))


def _load_native_reader():
    if _yamlload is None or os.environ.get("PYTEST_KUSTOMIZE_NATIVE", "1") == "0":
        return None
    _yamlload.configure(_native_plain, yamlread.v3_folded_round_trip, yamlread.QUOTED,
                        yamlread.ANNOTATION_TEXT, yamlread.FLOW_NULL)
    return _yamlload


NATIVE_READER = _load_native_reader()


def _typed(text: str) -> bool:
    return v3_resolve(text)[0] != STR


_ParserOnly = CParser if CParser is not None else yaml.parser.Parser  # events only


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


