"""The fast printer: documents whose every key and scalar prints plain (no quoting,
escaping or folding question) are written directly, in go-yaml v2's layout and key order;
anything else returns False and goes through yamlemit's libyaml emitter."""
from __future__ import annotations

import functools
import re

from .yamlemit import v2_sorted_keys
from .yamlscalar import int_text, v2_is_plain_string

_SAFE_PLAIN = re.compile(r"[A-Za-z0-9_./=+()$][A-Za-z0-9_./:=+()$ -]*")   # fullmatch: no "\n"


@functools.lru_cache(maxsize=65536)
def _plain(s: str) -> bool:
    """Strings the fast path may print plain: no quoting, escaping or folding questions."""
    # (a leading "..." is a document end marker to the emitter: it quotes the string)
    if not _SAFE_PLAIN.fullmatch(s) or s.endswith((" ", ":")) or ": " in s or " #" in s \
            or s.startswith("..."):
        return False
    return v2_is_plain_string(s)


@functools.lru_cache(maxsize=65536)
def _quoted(s: str) -> str | None:
    """go-yaml v2 double-quotes a string that would read back as another type ("0", "yes",
    "1.5"); made only of the safe characters, it needs no escapes."""
    if _SAFE_PLAIN.fullmatch(s) and not v2_is_plain_string(s):
        return '"' + s + '"'
    return None


def _scalar(v) -> str | None:
    if isinstance(v, str):
        return v if _plain(v) else _quoted(v)
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    if isinstance(v, int):
        return int_text(v)
    return None



def fast_map(d: dict, indent: int, first: str | None, out: list) -> bool:
    keys = list(d.keys())
    if not all(isinstance(k, str) for k in keys):
        return False
    pad = " " * indent
    for i, k in enumerate(v2_sorted_keys(keys)):
        if not _plain(k) or len(k) > 128:     # (go-yaml v2 writes a longer key as "? key")
            return False
        head = (first if (i == 0 and first is not None) else pad) + k + ":"
        v = d[k]
        if isinstance(v, dict):
            if not v:
                out.append(head + " {}\n")
            else:
                out.append(head + "\n")
                if not fast_map(v, indent + 2, None, out):
                    return False
        elif isinstance(v, list):
            if not v:
                out.append(head + " []\n")
            else:
                out.append(head + "\n")
                if not fast_seq(v, indent, out):
                    return False
        elif isinstance(v, str) and "\n" in v:
            block = _literal(v, indent + 2)
            if block is None:
                return False
            out.append(head + block)
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
    """A literal block for simple multi-line text (`` |`` with one final line break, clip
    chomping; `` |-`` without, strip chomping: kubebuilder's CRD descriptions), header
    included, or None."""
    if s.endswith("\n\n"):
        return None
    if s.endswith("\n"):
        header, lines = " |\n", s[:-1].split("\n")
    else:
        header, lines = " |-\n", s.split("\n")
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
    return header + "".join(out)


def fast_seq(lst: list, indent: int, out: list) -> bool:
    pad = " " * indent
    for v in lst:
        if isinstance(v, dict):
            if not v:
                out.append(pad + "- {}\n")
            elif not fast_map(v, indent + 2, pad + "- ", out):
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


