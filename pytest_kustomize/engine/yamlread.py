"""What kyaml does to a resource document between reading it and printing it, applied at
read time on PyYAML's node tree (yamlio builds the loaders from these pieces):

- an anchor defined twice in one document: go-yaml v3 lets the later definition win for
  the aliases after it (libyaml refuses the document), so the anchors are renamed in the
  event stream before composing;
- a folded (``>``) block scalar: kustomize prints a resource by encoding its nodes with
  go-yaml v3 and decoding them again, and v3's folded writer tests for "next line starts
  with a blank" at the start of the value instead of at the current line, so it writes an
  extra line break before every more-indented line (and keeps the style); the value read
  back is what kubectl prints;
- ``metadata.annotations``: kustomize rewrites the map early as text values (the scalar as
  written: ``1.50`` stays ``1.50``, ``~`` stays ``~``; a nested value is ``""``);
- empty plain nulls (``key:`` with no value): kyaml's merge keeps a null it meets in the
  target only when it was written out (``null``, ``~``), so the paths of the empty ones
  are recorded for the strategic-merge walker.

A ``kind: …List`` document is none of this: kustomize decodes its items and re-reads them
from JSON.
"""
from __future__ import annotations

import re

import yaml
from yaml.events import AliasEvent, DocumentStartEvent, NodeEvent
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

STR = "tag:yaml.org,2002:str"
NULL = "tag:yaml.org,2002:null"
MERGE = "tag:yaml.org,2002:merge"
TIMESTAMP = "tag:yaml.org,2002:timestamp"

_BREAKS = "\n\r\x85\u2028\u2029"


# -- anchors defined twice ------------------------------------------------------------------
def renamed_events(events):
    """The events with every redefinition of an anchor given a fresh name, and each alias
    pointing at the definition in force where it stands (anchors are per document)."""
    current: dict = {}
    count = 0
    for ev in events:
        if isinstance(ev, DocumentStartEvent):
            current = {}
        elif isinstance(ev, AliasEvent):
            ev.anchor = current.get(ev.anchor, ev.anchor)
        elif isinstance(ev, NodeEvent) and ev.anchor is not None:
            if ev.anchor in current:
                count += 1
                name = "%s\x00%d" % (ev.anchor, count)   # NUL cannot occur in a real anchor
            else:
                name = ev.anchor
            current[ev.anchor] = name
            ev.anchor = name
        yield ev


class EventParser:
    """The parser half of a loader that replays a list of events."""

    def __init__(self, events):
        self._events = list(events)
        self._pos = 0

    def check_event(self, *choices):
        if self._pos >= len(self._events):
            return False
        if not choices:
            return True
        return isinstance(self._events[self._pos], choices)

    def peek_event(self):
        return self._events[self._pos] if self._pos < len(self._events) else None

    def get_event(self):
        ev = self.peek_event()
        self._pos += 1
        return ev

    def dispose(self):
        pass


# -- folded scalars -------------------------------------------------------------------------
def _go_printable(c: str) -> bool:
    o = ord(c)
    return (c == "\n" or 0x20 <= o <= 0x7E or 0xA0 <= o <= 0xD7FF
            or (0xE000 <= o <= 0xFFFD and o != 0xFEFF))


def _block_allowed(value: str) -> bool:
    """go-yaml v3's analysis: may the value be written as a block scalar?"""
    if not value or value.endswith(" "):
        return False
    for i, c in enumerate(value):
        if c == " " and i + 1 < len(value) and value[i + 1] in _BREAKS:
            return False                          # a space before a line break
        if c != "\t" and not _go_printable(c):
            return False
    return True


def _chomp_hint(value: str) -> str:
    if value[-1] not in _BREAKS:
        return "-"
    if len(value) == 1 or value[-2] in _BREAKS:
        return "+"
    return ""


def v3_folded_round_trip(value: str) -> str:
    """The value after go-yaml v3 writes it as a folded scalar and reads it back."""
    if not _block_allowed(value):
        return value                  # written double-quoted: nothing changes
    k = 0
    while k < len(value) and value[k] in _BREAKS:
        k += 1
    extra = k < len(value) and value[k] not in " \t"   # v3 looks here, not at the next line
    hints = ("2" if value[0] == " " or value[0] in _BREAKS else "") + _chomp_hint(value)
    out = ["k: >", hints, "\n"]
    breaks, leading_spaces = True, True
    for c in value:
        if c in _BREAKS:
            if not breaks and not leading_spaces and c == "\n" and extra:
                out.append("\n")
            out.append(c)
            breaks = True
        else:
            if breaks:
                out.append("  ")
                leading_spaces = c in " \t"
            out.append(c)
            breaks = False
    back = yaml.load("".join(out), Loader=_PlainLoader)
    return back["k"] if isinstance(back, dict) and isinstance(back.get("k"), str) else value


_PlainLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# -- the document walk ----------------------------------------------------------------------
_MAYBE_EMPTY = re.compile(r"(?::|^[ \t]*-)[ \t]*(?:#.*)?$|:[ \t]*[,}\]]", re.M)
#: an apiVersion or name that may not be a string (null, ~, a boolean, a number, a collection)
_ODD_API_VERSION = re.compile(r"^[ \t-]*(?:apiVersion|name):[ \t]*(?:[~+.\-0-9\[{!&*]|(?:null|Null|NULL"
                              r"|true|True|TRUE|false|False|FALSE)[ \t]*(?:#.*)?$)", re.M)


def needs_walk(text: str) -> bool:
    """Cheap test: can the text hold a folded scalar, an annotation, an empty null or an
    apiVersion that is not a string?"""
    return ">" in text or "annotations" in text or _MAYBE_EMPTY.search(text) is not None \
        or _ODD_API_VERSION.search(text) is not None


def _get(node: MappingNode, key: str):
    for k, v in node.value:
        if isinstance(k, ScalarNode) and k.value == key:
            return v
    return None


def _is_list_document(root: MappingNode) -> bool:
    kind = _get(root, "kind")
    return (isinstance(kind, ScalarNode) and kind.value.endswith("List")
            and _get(root, "items") is not None)


ANNOTATION_TEXT = "\x00annotation-text"    # marks (ANNOTATION_TEXT, key, text) records
QUOTED = "\x00quoted"                       # (QUOTED, *path): a quoted number-like scalar
PATCH_TEXT = "\x00patch-text"               # (PATCH_TEXT, *path, text): a plain patch scalar
API_VERSION_TEXT = "\x00apiversion-text"    # (API_VERSION_TEXT, text): a non-string apiVersion
NAME_TEXT = "\x00name-text"                 # (NAME_TEXT, text): a non-string metadata.name
FLOW_NULL = "\x00flow-null"                 # (FLOW_NULL, *path): an empty value in {...}
_TYPED = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool")


def _annotations_as_text(md, patch: bool, prefix: tuple, records: list) -> None:
    """A patch's annotation scalars become their text (a null stays: it deletes the entry).
    A resource keeps its typed values until kustomize rewrites them (JSON round trip or end
    of build); the text each scalar was written with is recorded for the end."""
    anns = _get(md, "annotations") if isinstance(md, MappingNode) else None
    if isinstance(anns, SequenceNode) and anns.value and len(anns.value) % 2 == 0 and all(
            isinstance(n, ScalarNode) for n in anns.value):
        # kyaml reads a sequence's content as key/value pairs
        anns.__class__ = MappingNode
        anns.tag = "tag:yaml.org,2002:map"
        anns.value = [(anns.value[i], anns.value[i + 1]) for i in range(0, len(anns.value), 2)]
    if not isinstance(anns, MappingNode) or any(k.tag == MERGE for k, _ in anns.value):
        return
    if not patch:
        anns.value = [(k, ScalarNode(STR, v.value, v.start_mark, v.end_mark, style='"')
                       if isinstance(v, ScalarNode) and v.tag == TIMESTAMP else v)
                      for k, v in anns.value]      # (a date would be printed RFC 3339)
        records.extend(prefix + (ANNOTATION_TEXT, k.value, v.value) for k, v in anns.value
                       if isinstance(k, ScalarNode) and isinstance(v, ScalarNode)
                       and v.tag != STR and v.value != "")
        return
    anns.value = [(k, v if isinstance(v, ScalarNode) and v.tag == NULL else
                   ScalarNode(STR, v.value if isinstance(v, ScalarNode) else "",
                              v.start_mark, v.end_mark, style='"'))
                  for k, v in anns.value]


def prepare_document(root, null_paths: list, single: bool = True, patch: bool = False,
                     typed=None) -> None:
    """Apply kyaml's read-to-print changes to one document's node tree in place and append
    the paths of its empty plain nulls to ``null_paths`` (``patch``: a patch document,
    whose annotation nulls stay nulls). ``single``: the stream is one
    document, so kio hands the items of a ``kind: List`` on as nodes (the paths of theirs
    start with ``items, i``); other lists are re-read from JSON, untouched here.
    ``typed(text)``: would the text, unquoted, be a number, boolean or null?"""
    if not isinstance(root, MappingNode):
        return
    if not _is_list_document(root):
        _prepare_object(root, (), null_paths, patch, typed)
        return
    kind = _get(root, "kind").value
    items = _get(root, "items")
    if single and kind in ("List", "ResourceList") and isinstance(items, SequenceNode):
        for i, item in enumerate(items.value):
            if isinstance(item, MappingNode) and not _is_list_document(item):
                _prepare_object(item, ("items", i), null_paths, patch, typed)


def _prepare_object(root: MappingNode, prefix: tuple, null_paths: list, patch: bool,
                    typed) -> None:
    _annotations_as_text(_get(root, "metadata"), patch, prefix, null_paths)
    av = _get(root, "apiVersion")
    if isinstance(av, ScalarNode) and av.tag != STR and av.value:
        # kyaml's resource id reads the node's text: `null` sorts as "null", `true` as "true"
        null_paths.append(prefix + (API_VERSION_TEXT, av.value))
    md = _get(root, "metadata")
    name = _get(md, "name") if isinstance(md, MappingNode) else None
    if isinstance(name, ScalarNode) and name.tag not in (STR, NULL) and name.value:
        null_paths.append(prefix + (NAME_TEXT, name.value))     # a prefix joins this text
    seen: set = set()
    stack = [(root, prefix, False)]
    while stack:
        node, path, in_flow = stack.pop()
        if id(node) in seen:
            continue                      # an alias: its content was visited once
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            if node.style in ("|", ">") and node.value[:1] == "\t" \
                    and _block_allowed(node.value):
                # v3 writes it back as a block scalar without an indentation indicator,
                # then cannot read its own output (kubectl fails the same way)
                raise yaml.scanner.ScannerError(
                    "while writing a block scalar that starts with a tab", node.start_mark,
                    "found a tab character where an indentation space is expected",
                    node.start_mark)
            if node.style == ">":
                node.value = v3_folded_round_trip(node.value)
            elif node.tag == NULL and node.value == "" and not node.style and path:
                null_paths.append(path)
                if in_flow and not patch:
                    # v3 writes an empty plain scalar in a flow mapping as '' (a plain
                    # empty one cannot stand there): kustomize prints it as ""
                    null_paths.append(prefix + (FLOW_NULL,) + path[len(prefix):])
            elif path and patch and not node.style and node.tag in _TYPED:
                null_paths.append(prefix + (PATCH_TEXT,) + path[len(prefix):] + (node.value,))
            elif path and not patch and node.style in ("'", '"') and typed is not None \
                    and typed(node.value):
                null_paths.append(prefix + (QUOTED,) + path[len(prefix):])
        elif isinstance(node, MappingNode):
            plain = path is not None and not any(k.tag == MERGE for k, _ in node.value)
            flow = bool(node.flow_style)
            for k, v in node.value:
                ok = plain and isinstance(k, ScalarNode) and k.tag == STR
                stack.append((v, path + (k.value,) if ok else None, flow))
        elif isinstance(node, SequenceNode):
            for i, v in enumerate(node.value):
                stack.append((v, None if path is None else path + (i,), False))


# -- loading ---------------------------------------------------------------------------------
_SEPARATOR = re.compile(r"\n---.*\n")


def one_piece(text: str) -> bool:
    """kio splits a stream itself: one piece means a List's items are read as nodes."""
    return _SEPARATOR.search(text.replace("\r\n", "\n")) is None


def load_nodes(loader, walk: bool, single: bool, patch: bool, aliases: bool, typed) -> list:
    """(document, read records) for every non-null document the loader composes."""
    loader.check_aliases = aliases
    out = []
    try:
        while loader.check_node():
            node = loader.get_node()
            records: list = []
            if walk and node is not None:
                prepare_document(node, records, single, patch, typed)
            d = loader.construct_document(node) if node is not None else None
            if d is not None:
                out.append((d, tuple(records)))
    finally:
        loader.dispose()
    return out


def event_loader(base, constructor, resolver):
    """A loader class like ``base`` that composes a list of events (see renamed_events)."""
    class _EventLoader(EventParser, yaml.composer.Composer, constructor, resolver):
        allow_duplicate_keys = base.allow_duplicate_keys

        def __init__(self, events):
            EventParser.__init__(self, events)
            yaml.composer.Composer.__init__(self)
            constructor.__init__(self)
            resolver.__init__(self)
    return _EventLoader
