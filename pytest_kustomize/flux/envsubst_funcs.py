"""The string functions of fluxcd/pkg ``envsubst`` on UTF-8 bytes, as Go computes them.

``apply(op, value, args)`` returns what ``lookupFunc(op, len(args))(value, args…)`` returns;
``match`` is envsubst's copy of Go's ``path.Match`` (used by ``#``, ``##``, ``%``, ``%%``).
"""
from __future__ import annotations

RUNE_ERROR = 0xFFFD


class BadPattern(Exception):
    pass


def decode_rune(b: bytes, i: int = 0) -> tuple[int, int]:
    """Go's utf8.DecodeRune at offset ``i``: (rune, width); invalid input gives (U+FFFD, 1)."""
    if i >= len(b):
        return RUNE_ERROR, 0
    c = b[i]
    if c < 0x80:
        return c, 1
    for n in (2, 3, 4):
        chunk = b[i:i + n]
        if len(chunk) < n:
            break
        try:
            s = chunk.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if len(s) == 1:
            return ord(s), n
    return RUNE_ERROR, 1


def _runes(b: bytes) -> list[int]:
    out, i = [], 0
    while i < len(b):
        r, n = decode_rune(b, i)
        out.append(r)
        i += n
    return out


def _encode(runes) -> bytes:
    return "".join(chr(r) for r in runes).encode("utf-8", "surrogatepass")


def _go_atoi(b: bytes) -> int | None:
    s = b.decode("latin-1")
    body = s[1:] if s[:1] in "+-" and s else s
    if not body or not body.isascii() or not body.isdigit():
        return None
    v = int(s)
    if not -(1 << 63) <= v < (1 << 63):
        return None
    return v


def _simple_case(r: int, upper: bool) -> int:
    """unicode.ToUpper/ToLower of one rune (simple mapping: one rune to one rune)."""
    c = chr(r)
    m = c.upper() if upper else c.lower()
    if len(m) == 1:
        return ord(m)
    if c == "\u0130" and not upper:   # İ: Go's simple lower mapping is 'i'
        return ord("i")
    return r


def _map_case(b: bytes, upper: bool) -> bytes:
    if b.isascii():
        return b.upper() if upper else b.lower()
    return _encode(_simple_case(r, upper) for r in _runes(b))


def _first_case(b: bytes, upper: bool) -> bytes:
    if not b:
        return b
    r, n = decode_rune(b)
    return _encode([_simple_case(r, upper)]) + b[n:]


def _substr(s: bytes, args: list[bytes]) -> bytes:
    if not args:
        return s
    pos = _go_atoi(args[0])
    if pos is None:
        return s
    if pos < 0:
        pos = max(len(s) + pos, 0)
    if len(args) == 1:
        return s[pos:] if pos < len(s) else b""
    length = _go_atoi(args[1])
    if length is None:
        return s
    if pos + length >= len(s):
        return s[pos:] if pos < len(s) else b""
    if length < 0:
        # Go would panic on s[pos:pos+length] with pos+length < pos
        raise ValueError("slice bounds out of range")
    return s[pos:pos + length]


def _replace(s: bytes, args: list[bytes], count: int) -> bytes:
    if not args:
        return s
    new = args[1] if len(args) > 1 else b""
    return _go_replace(s, args[0], new, count)


def _go_replace(s: bytes, old: bytes, new: bytes, n: int) -> bytes:
    """strings.Replace: an empty ``old`` matches before every rune and at the end."""
    if old == new or n == 0:
        return s
    if old:
        return s.replace(old, new, n) if n > 0 else s.replace(old, new)
    out, i, done = [], 0, 0
    while n < 0 or done < n:
        out.append(new)
        done += 1
        if i >= len(s):
            break
        _, w = decode_rune(s, i)
        out.append(s[i:i + w])
        i += w
    out.append(s[i:])
    return b"".join(out)


def _reverse(b: bytes) -> bytes:
    return _encode(reversed(_runes(b)))


def _trim_shortest(s: bytes, arg: bytes) -> bytes:
    shortest = b""
    for i in range(len(s)):
        try:
            ok = match(arg, s[:len(s) - i])
        except BadPattern:
            return s
        if ok:
            shortest = s[:len(s) - i]
    if shortest:
        return s[len(shortest):] if s.startswith(shortest) else s
    return s


def _trim_longest(s: bytes, arg: bytes) -> bytes:
    for i in range(len(s)):
        try:
            ok = match(arg, s[:len(s) - i])
        except BadPattern:
            return s
        if ok:
            return s[len(s) - i:]
    return s


def apply(op: str, v: bytes, args: list[bytes]) -> bytes:
    if op == ",":
        return _first_case(v, False)
    if op == ",,":
        return _map_case(v, False)
    if op == "^":
        return _first_case(v, True)
    if op == "^^":
        return _map_case(v, True)
    if op == "#":
        if not args:
            return str(len(v)).encode()
        return _trim_shortest(v, args[0])
    if op == "##":
        return _trim_longest(v, args[0]) if args else v
    if op == "%":
        return _reverse(_trim_shortest(_reverse(v), _reverse(args[0]))) if args else v
    if op == "%%":
        return _reverse(_trim_longest(_reverse(v), _reverse(args[0]))) if args else v
    if op == ":":
        return _substr(v, args)
    if op == "/#":
        if len(args) != 2:
            return v
        return _go_replace(v, args[0], args[1], 1) if v.startswith(args[0]) else v
    if op == "/%":
        if len(args) != 2:
            return v
        if v.endswith(args[0]):
            v = v[:len(v) - len(args[0])] if args[0] else v
            v = v + args[1]
        return v
    if op == "/":
        return _replace(v, args, 1)
    if op == "//":
        return _replace(v, args, -1)
    # "", "=", ":=", ":-", "-", "+", "?", ":?", ":+" and anything else: toDefault
    if not v and args:
        return b"".join(args)
    return v


# -- path.Match ------------------------------------------------------------------------------

def match(pattern: bytes, name: bytes) -> bool:
    """envsubst's path.Match (a copy of Go's, which it mirrors)."""
    while pattern:
        star, chunk, pattern = _scan_chunk(pattern)
        if star and not chunk:
            return True
        t, ok = _match_chunk(chunk, name)
        if ok and (not t or pattern):
            name = t
            continue
        if star:
            found = False
            for i in range(len(name)):
                t, ok = _match_chunk(chunk, name[i + 1:])
                if ok:
                    if not pattern and t:
                        continue
                    name = t
                    found = True
                    break
            if found:
                continue
        return False
    return not name


def _scan_chunk(pattern: bytes) -> tuple[bool, bytes, bytes]:
    star = False
    while pattern[:1] == b"*":
        pattern = pattern[1:]
        star = True
    inrange = False
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == 0x5C:          # backslash
            if i + 1 < len(pattern):
                i += 1
        elif c == 0x5B:        # [
            inrange = True
        elif c == 0x5D:        # ]
            inrange = False
        elif c == 0x2A and not inrange:
            break
        i += 1
    return star, pattern[:i], pattern[i:]


def _match_chunk(chunk: bytes, s: bytes) -> tuple[bytes, bool]:
    """(rest, ok); raises BadPattern where Go returns ErrBadPattern."""
    while chunk:
        if not s:
            return b"", False
        c = chunk[0]
        if c == 0x5B:
            r, n = decode_rune(s)
            s = s[n:]
            chunk = chunk[1:]
            negated = chunk[:1] == b"^"
            if negated:
                chunk = chunk[1:]
            matched = False
            nrange = 0
            while True:
                if chunk[:1] == b"]" and nrange > 0:
                    chunk = chunk[1:]
                    break
                lo, chunk = _get_esc(chunk)
                hi = lo
                if chunk[:1] == b"-":
                    hi, chunk = _get_esc(chunk[1:])
                if lo <= r <= hi:
                    matched = True
                nrange += 1
            if matched == negated:
                return b"", False
        elif c == 0x3F:        # ?
            _, n = decode_rune(s)
            s = s[n:]
            chunk = chunk[1:]
        else:
            if c == 0x5C:
                chunk = chunk[1:]
                if not chunk:
                    raise BadPattern()
            if chunk[0] != s[0]:
                return b"", False
            s = s[1:]
            chunk = chunk[1:]
    return s, True


def _get_esc(chunk: bytes) -> tuple[int, bytes]:
    if not chunk or chunk[:1] in (b"-", b"]"):
        raise BadPattern()
    if chunk[:1] == b"\\":
        chunk = chunk[1:]
        if not chunk:
            raise BadPattern()
    r, n = decode_rune(chunk)
    if r == RUNE_ERROR and n == 1:
        raise BadPattern()
    rest = chunk[n:]
    if not rest:
        raise BadPattern()
    return r, rest
