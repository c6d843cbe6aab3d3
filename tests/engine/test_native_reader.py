"""The native reader (engine/_yamlload.c): kyaml's reading rules on libyaml's events. Where
it answers it must return what the Python path (PyYAML's composer and constructor with the
engine's resolver and yamlread's records) returns, on the corpora and on random hostile
text; where the Python path refuses a stream it must not answer; builds through it must
print what kubectl prints."""
import json
import os
import random

import pytest

from pytest_kustomize.engine import reader, records, yamlread, yamlv3

NATIVE = yamlv3.NATIVE_READER
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFORMANCE = os.environ.get("KUSTOMIZE_CONFORMANCE_DIR",
                             os.path.join(ROOT, "..", "shared", "conformance"))


def _python(text: str, walk: bool):
    return yamlv3._python_load(text, None, yamlv3.V3Loader, walk, "resource")


def _native(text: str, walk: bool):
    got = NATIVE.load(text, walk)
    if got is not None and not all(yamlv3._native_took(d) for d, _ in got):
        return None
    return got


def _same(got, ref, where):
    # repr tells 1 from 1.0 and True; records are sets to their readers (order is free)
    assert repr([d for d, _ in got]) == repr([d for d, _ in ref]), where
    assert [sorted(map(repr, r)) for _, r in got] == [sorted(map(repr, r)) for _, r in ref], \
        where


def _compare(text: str, where: str) -> int:
    """1 when the native reader answered (and agreed), 0 when it left the text to Python."""
    answered = 0
    for walk in (True, False):
        try:
            ref = _python(text, walk)
        except Exception:               # noqa: BLE001 - refused: the native reader must too
            ref = None
        got = _native(text, walk)
        if got is None:
            continue
        assert ref is not None, "native reader accepted what the Python path refuses: %s" \
            % where
        _same(got, ref, where)
        answered = 1
    return answered


def test_the_native_reader_is_built_and_used():
    assert NATIVE is not None, (
        "pytest_kustomize/engine/_yamlload.c was not compiled: pip install -e . needs a C "
        "compiler, Python's headers and libyaml's (Debian: libyaml-dev)")
    assert reader.fast_copy is NATIVE.copy
    assert records.FIND_PATHS is NATIVE.find_paths
    assert NATIVE.load("a: 1\n", False) == [({"a": 1}, ())]


def test_every_yaml_file_of_the_corpus_reads_as_the_python_path_reads_it():
    """kustomize's own test trees (the conformance corpus) and the examples: every YAML
    file, with and without yamlread's walk."""
    files = []
    for top in (CONFORMANCE, os.path.join(ROOT, "examples")):
        for d, _dirs, names in os.walk(top):
            files += [os.path.join(d, n) for n in names if n.endswith((".yaml", ".yml"))]
    assert len(files) > 1000, CONFORMANCE
    answered = sum(_compare(yamlv3.prepare_text(open(f, "rb").read()), f) for f in files)
    assert answered > 0.9 * len(files)


# -- random hostile text --------------------------------------------------------------------
ATOMS = ["a", "b", " ", "-", ":", "#", "'", '"', "1", "0", ".", "|", ">", "\t", "\\", "?",
         "*", "&", "!", "%", "@", "{", "}", "[", "]", ",", "~", "e", "x", "_", "+", "\u00e9",
         "\u0085", "\u2028", "\ufeff", "\U0001F600", "\x07"]
WORDS = ["", "~", "null", "Null", "true", "False", "yes", "on", "0", "07", "0x1F", "0o17",
         "1_000", "-5", "+3", "1.50", "1e3", ".5", "-.inf", ".nan", "1e400", "2001-12-14",
         "2001-12-14t21:59:43.10-05:00", "12:30:45", "<<", "0b101", "123456789012345678901",
         "3.", "-0", "00", "1:2", "x" * 90, "ab cd " * 20]
KEYS = ["k", "spec", "a1", "name", "metadata", "annotations", "labels", "items", "kind",
        "apiVersion", "1", "true", "~", "<<", "x y", "-k", "k:"]


SAFE = ["a", "b", "Z", "1", "0", "e", "x", "_", "-", ".", "\u00e9", "\U0001F600", "a b"]


def _text(rnd, n=8, atoms=ATOMS) -> str:
    if rnd.random() < 0.4:
        return rnd.choice(WORDS)
    return "".join(rnd.choice(atoms) for _ in range(rnd.randint(0, n)))


def _scalar(rnd, indent: int) -> str:
    """A scalar in a random style (written carelessly: some of it will not parse)."""
    style = rnd.random()
    t = _text(rnd, atoms=SAFE if style < 0.4 and rnd.random() < 0.9 else ATOMS)
    if not 0.55 <= style < 0.7:
        t = t.replace("\x07", "")            # raw, only a double-quoted escape may hold it
    if style < 0.4:
        return " " + t
    if style < 0.55:
        return " '%s'" % t.replace("'", "''")
    if style < 0.7:
        return " " + json.dumps(t, ensure_ascii=False)
    if style < 0.85:
        pad = " " * (indent + 2)
        lines = [_text(rnd).replace("\x07", "") for _ in range(rnd.randint(1, 4))]
        return " %s%s\n" % (rnd.choice(["|", ">", "|-", ">+", ">2", "|+"]), "") + "".join(
            pad + line + "\n" for line in lines).rstrip("\n")
    if style < 0.9:
        return " " + rnd.choice(["&a x", "*a", "!!str 1", "!t v", "[1, '2', ~]",
                                 "{a: 1, b: }", "[]", "{}"])
    return ""


def _key(rnd) -> str:
    k = rnd.choice(KEYS) if rnd.random() < 0.8 else _text(rnd, 4, SAFE)
    r = rnd.random()
    return k if r < 0.7 else "'%s'" % k.replace("'", "''") if r < 0.85 else json.dumps(k)


def _block(rnd, indent: int, depth: int) -> list:
    pad = " " * indent
    lines = []
    if rnd.random() < 0.3 and depth < 4:
        for _ in range(rnd.randint(1, 3)):
            if rnd.random() < 0.5 and depth < 3:
                lines.append(pad + "-")
                lines += _block(rnd, indent + 2, depth + 1)
            else:
                lines.append(pad + "-" + _scalar(rnd, indent))
        return lines
    for _ in range(rnd.randint(1, 4)):
        k = _key(rnd)
        if rnd.random() < 0.35 and depth < 3:
            lines.append(pad + k + ":")
            lines += _block(rnd, indent + 2, depth + 1)
        else:
            lines.append(pad + k + ":" + _scalar(rnd, indent))
    return lines


def _document(rnd, i: int) -> str:
    """A resource whose metadata has annotations and labels of every kind of scalar."""
    ann = ["    a%d:%s" % (j, _scalar(rnd, 4)) for j in range(rnd.randint(0, 4))]
    lines = ["apiVersion: example.com/v1", "kind: Thing", "metadata:", "  name: t%03d" % i]
    if ann or rnd.random() < 0.3:
        lines += ["  annotations:"] + ann if ann else ["  annotations:" + _scalar(rnd, 2)]
    lines += ["spec:"] + _block(rnd, 2, 0)
    return "\n".join(lines) + "\n"


def test_random_hostile_text_reads_as_the_python_path_reads_it():
    """10,000 random streams of one to three documents: typed, quoted, block, empty and
    anchored scalars, annotations, merge and duplicate keys, tabs and odd characters."""
    rnd = random.Random(11)
    answered = 0
    for n in range(10000):
        text = "---\n".join(_document(rnd, i) for i in range(rnd.randint(1, 3)))
        answered += _compare(text, repr(text))
    assert answered > 800, answered          # the native reader took a good share


def test_builds_through_it_print_as_kubectl_prints_them(oracle):
    """Random resources the Python path reads, and a strategic-merge patch over each (the
    records decide what the merge keeps: empty nulls, quoted numbers, annotation texts):
    one kubectl run."""
    rnd = random.Random(12)
    docs, native = [], 0
    while len(docs) < 60:
        text = _document(rnd, len(docs))
        try:
            _python(text, True)
        except Exception:               # noqa: BLE001 - not YAML kubectl would read either
            continue
        if "&" in text or "*" in text or "!" in text or "\n  annotations: " in text:
            # anchors and tags are the Python path's (tested elsewhere); annotations that
            # are not a map make the patch fail (kubectl too)
            continue
        native += _native(text, True) is not None
        docs.append(text)
    assert native >= 30, native
    patch = ("apiVersion: example.com/v1\nkind: Thing\nmetadata:\n  name: any\n"
             "  annotations:\n    added: '1'\n  labels:\n    patched: 'true'\n"
             "status:\n  patched: 2\n")
    oracle.assert_same({
        "kustomization.yaml": "resources:\n- things.yaml\npatches:\n- path: patch.yaml\n"
                              "  target:\n    kind: Thing\n",
        "things.yaml": "---\n".join(docs), "patch.yaml": patch})


# -- what it leaves to the Python path ------------------------------------------------------
@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\n",                         # anchors and aliases
    "a: !!str 1\n",                             # an explicit tag
    "a: {b: 1}\n<<: {c: 2}\n",                  # a merge key
    "a: 1\n'<<': 2\n",                          # a quoted "<<" (kustomize drops it)
    "a: 1\na: 2\n",                             # a duplicate key
    "? [a]\n: 1\n",                             # a collection as a key
    "1: a\n", "true: a\n", "~: a\n",            # keys that are not strings
    "a: .inf\n", "a: .nan\n",                   # floats JSON cannot hold
    "apiVersion: v1\nkind: List\nitems:\n- kind: A\n",      # a List's items
    "apiVersion: 1\nkind: A\n",                 # an apiVersion that is not a string
    "kind: A\nmetadata:\n  name: 5\n",          # nor a name
    "metadata:\n  annotations:\n  - a\n  - b\n",            # annotations as pairs
    "metadata:\n  annotations:\n    d: 2001-12-14\n",       # an annotation timestamp
    "a: |\n\tx\n",                              # a block scalar led by a tab
    "a: [\n",                                   # a parse error
    "a: " + "[" * 1001 + "]" * 1001 + "\n",     # deeper than the native stack
    "a: b\udc80\n",                             # bytes that were not UTF-8
])
def test_what_it_leaves_to_the_python_path(text):
    walk = yamlread.needs_walk(text)
    assert _native(text, walk) is None


def test_copy_and_find_paths_agree_with_their_python_versions():
    rnd = random.Random(13)

    def tree(depth=0):
        r = rnd.random()
        if depth > 4 or r < 0.4:
            return rnd.choice([None, "s", 1, 2.5, True, ""])
        if r < 0.75:
            return {rnd.choice("abcde"): tree(depth + 1) for _ in range(rnd.randint(0, 4))}
        return [tree(depth + 1) for _ in range(rnd.randint(0, 4))]

    for _ in range(2000):
        t = {"root": tree()}
        c = NATIVE.copy(t)
        assert c == reader.py_fast_copy(t) and repr(c) == repr(t)
        assert c is not t and (c["root"] is not t["root"] or
                               not isinstance(t["root"], (dict, list)))
        stack, ids_none, ids_str = [t], set(), set()
        while stack:                                   # mark a random half of the entries
            node = stack.pop()
            if isinstance(node, dict):
                for k, v in node.items():
                    if rnd.random() < 0.5:
                        ids_none.add((id(node), k))
                        ids_str.add((id(node), k))
                    if isinstance(v, (dict, list)):
                        stack.append(v)
            elif isinstance(node, list):
                stack.extend(x for x in node if isinstance(x, (dict, list)))
        for ids, kind in ((ids_none, None), (ids_str, str)):
            assert sorted(map(repr, NATIVE.find_paths(t, ids, kind))) == \
                sorted(map(repr, records.py_paths_of(t, ids, kind)))
