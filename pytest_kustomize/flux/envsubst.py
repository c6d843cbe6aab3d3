"""Bash-style variable substitution as fluxcd/pkg ``envsubst`` (v1.7.0) evaluates it.

Only the braced form ``${…}`` is recognised; ``$$`` escapes a dollar. The scanner and parser
follow envsubst's ``parse`` package step by step (its quirks included: ``$$`` is an escape
only in plain text and replacement patterns, a default may nest ``${…}``); string functions
work on UTF-8 bytes as Go's do (``${#v}`` counts bytes, ``${v:1:2}`` slices bytes).

``evaluate(text, lookup)``: ``lookup(name)`` returns ``(value, exists)``; a missing variable
used without a default operator fails with :class:`EnvsubstError` ("variable not set
(strict mode)").
"""
from __future__ import annotations

import unicodedata
from typing import Callable

from ..errors import SubstitutionError
from . import envsubst_funcs

EOF = "\x00"   # Go's scanner uses rune 0 for the end (a NUL in the text ends it too)

# scanner modes
_IDENT, _LBRACK, _RBRACK, _ESCAPE = 1, 2, 4, 8
# escape characters
_DOLLAR, _BACKSLASH = 1, 2


class EnvsubstError(SubstitutionError):
    """The text is not a valid template, or a strict lookup found a variable unset."""


BAD_SUBSTITUTION = "bad substitution"
MISSING_CLOSING_BRACE = "missing closing brace"
PARSE_VARIABLE_NAME = "unable to parse variable name"
PARSE_FUNC_SUBSTITUTION = "unable to parse substitution within function"
PARSE_DEFAULT_FUNCTION = "unable to parse default function"


def _is_ident(r: str) -> bool:
    return r.isalpha() or _is_digit(r) or r == "_"


def _is_digit(r: str) -> bool:
    return unicodedata.category(r) == "Nd"   # Go's unicode.IsDigit


_ACCEPT = {
    "rune": lambda r, i: True,
    "ident": lambda r, i: _is_ident(r),
    "colon": lambda r, i: r == ":",
    "one_hash": lambda r, i: r == "#" and i == 1,
    "not_closing": lambda r, i: r != "}",
    "hash_func": lambda r, i: r == "#" and i < 3,
    "percent_func": lambda r, i: r == "%" and i < 3,
    "default_func": lambda r, i: (i == 1 and r == ":") or (i == 2 and r in "=-?+"),
    "replace_func": lambda r, i: (i == 1 and r == "/") or (i == 2 and r in "/#%"),
    "one_equal": lambda r, i: i == 1 and r == "=",
    "one_colon": lambda r, i: i == 1 and r == ":",
    "reject_colon_close": lambda r, i: r not in (":", "}"),
    "slash": lambda r, i: r == "/",
    "not_slash": lambda r, i: r != "/",
    "casing_func": lambda r, i: r in (",", "^") and i < 3,
}


class _Scanner:
    def __init__(self, buf: str):
        self.buf = buf
        self.pos = 0
        self.start = 0
        self.width = 0
        self.mode = 0
        self.escape_chars = 0
        self.accept = _ACCEPT["rune"]

    def read(self) -> str:
        if self.pos >= len(self.buf):
            self.width = 0
            return EOF
        r = self.buf[self.pos]
        self.width = 1
        self.pos += 1
        return r

    def unread(self) -> None:
        self.pos -= self.width

    def skip(self) -> None:
        self.buf = self.buf[:self.pos - 1] + self.buf[self.pos:]

    def peek(self) -> str:
        r = self.read()
        self.unread()
        return r

    def string(self) -> str:
        return self.buf[self.start:self.pos]

    def scan(self) -> str:
        self.start = self.pos
        r = self.read()
        if r == EOF:
            return "eof"
        if self._lbrack(r):
            return "lbrack"
        if self._rbrack(r):
            return "rbrack"
        if self._ident(r):
            return "ident"
        return "illegal"

    def _ident(self, r: str) -> bool:
        if not self.mode & _IDENT:
            return False
        if self._escaped(r):
            self.skip()
        elif not self.accept(r, self.pos - self.start):
            return False
        while True:
            r = self.read()
            if r == EOF:
                self.unread()
                break
            if self._lbrack(r):
                self.unread()
                self.unread()
                break
            if self._escaped(r):
                self.skip()
                continue
            if not self.accept(r, self.pos - self.start):
                self.unread()
                break
        return True

    def _lbrack(self, r: str) -> bool:
        if not self.mode & _LBRACK:
            return False
        if r == "$":
            if self.read() == "{":
                return True
            self.unread()
        return False

    def _rbrack(self, r: str) -> bool:
        return bool(self.mode & _RBRACK) and r == "}"

    def _escaped(self, r: str) -> bool:
        if not self.mode & _ESCAPE:
            return False
        if r == "$" and self.escape_chars & _DOLLAR and self.peek() == "$":
            return True
        if r == "\\" and self.escape_chars & _BACKSLASH:
            return self.peek() in ("/", "\\") and self.peek() != EOF
        return False


# nodes: str (text), ("func", param, name, args), ("list", [nodes])
class _Parser:
    def __init__(self, text: str):
        self.s = _Scanner(text)

    def fail(self, msg: str):
        raise EnvsubstError(msg)

    def parse_any(self):
        s = self.s
        s.accept = _ACCEPT["rune"]
        s.mode = _IDENT | _LBRACK | _ESCAPE
        s.escape_chars = _DOLLAR
        tok = s.scan()
        if tok == "ident":
            left = s.string()
        elif tok == "eof":
            return None
        elif tok == "lbrack":
            left = self.parse_func()
        else:
            self.fail(BAD_SUBSTITUTION)
        right = self.parse_any()
        if right is None:
            return left
        return ("list", [left, right])

    def parse_func(self):
        s = self.s
        s.escape_chars = _DOLLAR | _BACKSLASH
        if s.peek() == "#":
            return self.parse_len()
        s.accept = _ACCEPT["ident"]
        s.mode = _IDENT
        if s.scan() != "ident":
            self.fail(PARSE_VARIABLE_NAME)
        name = s.string()
        p = s.peek()
        if p == ":":
            return self.parse_default_or_substr(name)
        if p == "=":
            return self.parse_default(name)
        if p in (",", "^"):
            return self.parse_casing(name)
        if p == "/":
            return self.parse_replace(name)
        if p == "#":
            return self.parse_remove(name, "hash_func")
        if p == "%":
            return self.parse_remove(name, "percent_func")
        s.accept = _ACCEPT["ident"]
        s.mode = _RBRACK
        if s.scan() != "rbrack":
            self.fail(MISSING_CLOSING_BRACE)
        return ("func", name, "", [])

    def parse_param(self, accept: str, mode: int):
        s = self.s
        s.accept = _ACCEPT[accept]
        s.mode = mode | _LBRACK
        tok = s.scan()
        if tok == "lbrack":
            return self.parse_func()
        if tok in ("ident", "rbrack"):
            return s.string()
        self.fail(PARSE_FUNC_SUBSTITUTION)

    def _op(self, accept: str, error: str = BAD_SUBSTITUTION) -> str:
        s = self.s
        s.accept = _ACCEPT[accept]
        s.mode = _IDENT
        if s.scan() != "ident":
            self.fail(error)
        return s.string()

    def parse_default_or_substr(self, name: str):
        s = self.s
        s.read()
        r = s.peek()
        s.unread()
        if r in ("=", "-", "?", "+") and r != EOF:
            return self.parse_default(name)
        return self.parse_substr(name)

    def parse_substr(self, name: str):
        s = self.s
        op = self._op("one_colon")
        args = [self.parse_param("reject_colon_close", _IDENT)]
        s.accept = _ACCEPT["colon"]
        s.mode = _IDENT | _RBRACK
        tok = s.scan()
        if tok == "rbrack":
            return ("func", name, op, args)
        if tok != "ident":
            self.fail(BAD_SUBSTITUTION)
        args.append(self.parse_param("not_closing", _IDENT))
        self.consume_rbrack()
        return ("func", name, op, args)

    def parse_remove(self, name: str, accept: str):
        op = self._op(accept)
        args = [self.parse_param("not_closing", _IDENT)]
        self.consume_rbrack()
        return ("func", name, op, args)

    def parse_replace(self, name: str):
        s = self.s
        op = self._op("replace_func")
        args = [self.parse_param("not_slash", _IDENT | _ESCAPE)]
        self._op("slash")
        if s.peek() == "}":
            self.consume_rbrack()
            return ("func", name, op, args)
        args.append(self.parse_param("not_closing", _IDENT | _ESCAPE))
        self.consume_rbrack()
        return ("func", name, op, args)

    def parse_default(self, name: str):
        s = self.s
        accept = "one_equal" if s.peek() == "=" else "default_func"
        op = self._op(accept, PARSE_DEFAULT_FUNCTION)
        args = []
        while True:
            if s.peek() == "}":
                self.consume_rbrack()
                return ("func", name, op, args)
            args.append(self.parse_param("not_closing", _IDENT))

    def parse_casing(self, name: str):
        op = self._op("casing_func")
        self.consume_rbrack()
        return ("func", name, op, [])

    def parse_len(self):
        op = self._op("one_hash")
        s = self.s
        s.accept = _ACCEPT["ident"]
        s.mode = _IDENT
        if s.scan() != "ident":
            self.fail(BAD_SUBSTITUTION)
        param = s.string()
        self.consume_rbrack()
        return ("func", param, op, [])

    def consume_rbrack(self) -> None:
        self.s.mode = _RBRACK
        if self.s.scan() != "rbrack":
            self.fail(BAD_SUBSTITUTION)


_DEFAULT_OPS = {"-", "+", "=", "?", ":-", ":+", ":=", ":?"}


def parse(text: str):
    """The template tree of ``text`` (raises EnvsubstError as envsubst.Parse)."""
    return _Parser(text).parse_any()


def evaluate(text: str, lookup: Callable[[str], tuple[str, bool]]) -> str:
    """``envsubst.Eval(text, lookup)``."""
    tree = parse(text)
    out: list[bytes] = []
    _eval(tree, lookup, out)
    return b"".join(out).decode("utf-8", "replace")


def _eval(node, lookup, out: list) -> None:
    if node is None:
        return
    if isinstance(node, str):
        out.append(node.encode("utf-8", "surrogatepass"))
        return
    if node[0] == "list":
        for n in node[1]:
            _eval(n, lookup, out)
        return
    _, param, op, arg_nodes = node
    args = []
    for n in arg_nodes:
        buf: list[bytes] = []
        _eval(n, lookup, buf)
        args.append(b"".join(buf))
    value, exists = lookup(param)
    if not exists and op not in _DEFAULT_OPS:
        raise EnvsubstError('variable not set (strict mode): "%s"' % param)
    out.append(envsubst_funcs.apply(op, value.encode("utf-8", "surrogatepass"), args))
