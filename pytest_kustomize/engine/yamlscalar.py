"""go-yaml's scalar rules, shared by reading (yamlv3) and printing (yamlemit, yamlfast):
the YAML tags, how go-yaml v3 resolves a plain scalar, whether go-yaml v2 would read one
back as a string, and Go's number formatting (strconv, encoding/json)."""
from __future__ import annotations

import datetime
import math
import re
from decimal import Decimal

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
V3_MAP = {
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
_YAML_STYLE_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_GO_INT = re.compile(r"^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)\Z")
_TS = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})"
                 r"(?:(?:[Tt]|[ ])(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?"
                 r"(Z|[-+]\d{2}:\d{2})?)?\Z")
_D = r"\d(?:_?\d)*"      # Go's strconv: an underscore only between two digits
_GO_FLOAT_LITERAL = re.compile(r"^[-+]?(%s\.?(?:%s)?([eE][-+]?%s)?|\.%s([eE][-+]?%s)?|"
                               r"[iI][nN][fF]([iI][nN][iI][tT][yY])?|[nN][aA][nN])\Z"
                               % (_D, _D, _D, _D, _D))


def go_parse_int(s: str):
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


def timestamp(s: str):
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
    hit = V3_MAP.get(value)
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
        if c.isdigit() and timestamp(value):
            return (TIMESTAMP, value)
        plain = value.replace("_", "")
        iv = go_parse_int(plain)
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


def key_str(k, float_text=None) -> str:
    """A mapping key as text (``float_text`` formats a float key; default go_float)."""
    if isinstance(k, str):
        return k
    if isinstance(k, bool):
        return "true" if k else "false"
    if k is None:
        return "null"
    if isinstance(k, float):
        return (float_text or go_float)(k)
    return str(k)


def json_number(f: float):
    """What a float becomes after kustomize's JSON round trip (integral -> int)."""
    if f == int(f) and abs(f) < 1e21:
        return int(f)
    return f


# ---------------------------------------------------------------------------------------
_V2_BOOL_NULL = {"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True",
                 "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
                 "", "~", "null", "Null", "NULL", ".inf", ".Inf", ".INF", "+.inf", "+.Inf",
                 "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN"}
# ("<<" resolves to the merge tag, yet kustomize prints it plain: measured with kubectl)
_BASE60 = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z")


def v2_is_plain_string(s: str) -> bool:
    """True when go-yaml v2 would read the plain scalar ``s`` back as a string."""
    if s in _V2_BOOL_NULL:
        return False
    c = s[0]
    if c == ".":            # go-yaml: strconv.ParseFloat; an overflow is an error: a string
        return not (_GO_FLOAT_LITERAL.match(s) and not math.isinf(float(s.replace("_", ""))))
    if c in "+-0123456789":
        if c.isdigit() and timestamp(s):
            return False
        plain = s.replace("_", "")
        if go_parse_int(plain) is not None:
            return False
        if _YAML_STYLE_FLOAT.match(plain) and not math.isinf(float(plain)):
            return False        # (a literal beyond float64 fails Go's ParseFloat: a string)
        if _BASE60.match(s):
            return False
    return True


def go_float(f: float) -> str:
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


def int_text(v: int) -> str:
    """An integer as kustomize prints it: beyond int64/uint64 go-yaml v3 reads the JSON
    number back as a float64 (kubectl prints 10**20 as 1e+20; found by scripts/fuzz.py)."""
    if -(1 << 63) <= v < (1 << 64):
        return str(v)
    return go_float(float(v))


def scalar_to_string(v) -> str:
    """A scalar as kustomize's string-typed fields see it (the one stringifier of the
    engine: ``None`` is ``""``, booleans ``true``/``false``, floats as Go formats them)."""
    if v.__class__ is str:
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return ""
    if isinstance(v, float):
        return go_float(v)
    return str(v)
