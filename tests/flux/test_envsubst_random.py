"""Seeded random substitution strings: pytest_kustomize.flux.envsubst against fluxcd/pkg
envsubst v1.7.0 (through flux-build envsubst): same output, or the same error."""
from __future__ import annotations

import random

import pytest

from flux_oracle import go_envsubst
from pytest_kustomize.flux import envsubst

VARS = {"a": "hello", "b": "", "path": "/usr/local/bin", "img": "nginx:1.25-alpine",
        "num": "42", "u": "ÄbÇ", "mix": "a-b_c.d-e", "sp": "x y  z"}
NAMES = list(VARS) + ["unset", "x9", "_u"]
OPS = ["", "", "^", "^^", ",", ",,", ":-", "-", ":=", "=", ":", "#", "##", "%", "%%", "/",
       "//", "/#", "/%", "len", "+", ":?", ":+", "?"]
NOISE = ["$", "$$", "{", "}", ":", "/", "\\", "\\/", "#", "%", "-", "=", " ", "x", "é", "\n",
         "$a", "${", "$${a}", "}}", "*", "?", "[a-c]", "[^x]", "\"", "'"]
PATTERNS = ["*", "a", "*/", "/*", "?", "[a-n]*", "l*", "*-", "-*", ".", "b*n", "[", "\\*", ""]


def _expr(rng: random.Random, depth: int) -> str:
    name = rng.choice(NAMES)
    op = rng.choice(OPS)
    if op == "len":
        return "${#%s}" % name
    if op in ("", "^", "^^", ",", ",,"):
        return "${%s%s}" % (name, op)
    if op in (":-", "-", ":=", "=", "+", ":?", ":+", "?"):
        arg = _text(rng, depth + 1) if rng.random() < 0.7 else ""
        return "${%s%s%s}" % (name, op, arg)
    if op == ":":
        a = rng.choice(["0", "1", "-2", "3", "10", "x", "-20", "+1", ""])
        if rng.random() < 0.5:
            return "${%s:%s}" % (name, a)
        return "${%s:%s:%s}" % (name, a, rng.choice(["0", "1", "2", "5", "x", "-1", "100"]))
    if op in ("#", "##", "%", "%%"):
        return "${%s%s%s}" % (name, op, rng.choice(PATTERNS))
    rep = rng.choice(["", "_", "X", "\\/", "${a}", "-"])
    return "${%s%s%s/%s}" % (name, op, rng.choice(["-", "a", "/", "\\/", "l", "", "in"]), rep)


def _text(rng: random.Random, depth: int = 0) -> str:
    parts = []
    for _ in range(rng.randint(1, 4)):
        r = rng.random()
        if r < 0.55 and depth < 3:
            parts.append(_expr(rng, depth))
        elif r < 0.8:
            parts.append(rng.choice(NOISE))
        else:
            parts.append(rng.choice(["plain", "key: ", "- item", "0", "true"]))
    return "".join(parts)


def _python(text: str, strict: bool) -> dict:
    def lookup(n):
        if strict:
            return (VARS[n], True) if n in VARS else ("", False)
        return VARS.get(n, ""), True
    try:
        return {"out": envsubst.evaluate(text, lookup)}
    except envsubst.EnvsubstError as e:
        return {"out": "", "err": e.message}
    except ValueError as e:             # Go panics (slice bounds): the oracle reports it
        return {"out": "", "err": "panic: %s" % e}


@pytest.mark.parametrize("strict", [False, True])
def test_random_substitutions_match_envsubst(strict):
    rng = random.Random(20261201 + strict)
    texts = [_text(rng) for _ in range(400)]
    cases = [{"text": t, "vars": VARS, "strict": strict} for t in texts]
    want = go_envsubst(cases)
    mismatches = []
    for t, w in zip(texts, want):
        got = _python(t, strict)
        if got != {"out": w["out"], **({"err": w["err"]} if w.get("err") else {})}:
            mismatches.append((t, w, got))
    assert not mismatches, "%d of %d differ, first: %r" % (len(mismatches), len(texts),
                                                           mismatches[:3])
    errors = sum(1 for w in want if w.get("err"))
    assert 0 < errors < len(texts) - 100      # the corpus exercises both outcomes
