"""The native printer (engine/_yamlprint.c): go-yaml v2's layout in C. It must be built by
the install, print what kubectl prints (random hostile trees, and the characters where
libyaml's emitter and go-yaml v2 part ways), and agree with the libyaml-based printer
everywhere those two agree."""
import json
import random
import re

from pytest_kustomize.engine import yamlemit, yamlio

# characters and runs that exercise every style decision: indicators, quotes, breaks
# (\n, \r, NEL, LS, PS), a byte-order mark, tabs, controls, non-printables, astral
# characters, values that read back as other types, and long words for 80-column folding
ATOMS = ["a", "b", " ", "  ", "\n", "-", ":", "#", "'", '"', "1", ".", "|", ">", "\t", "\r",
         "\u00e9", "\u0085", "\u2028", "\u2029", "\ufeff", "\u00a0", "x" * 30, "word ", "\\",
         "?", "*", "&", "!", "%", "@", "`", "{", "}", "[", "]", ",", "\x00", "\x07",
         "\U0001F600", "yes", "0", "---", "...", "~", "null", "\ud7ff", "\ue000", "\ufffe"]
KEY_NAMES = ["k", "spec", "a1", "a10", "a2", "B", "_x", "x" * 129]
SCALARS = [True, False, None, 0, -5, 2 ** 63, 2 ** 64 + 1, 1.5, 1e21, 3.0, -0.0, 1e-7, 10 ** 25]


def _tree(rnd, atoms, key_atoms, names=KEY_NAMES, depth=0):
    def text(n):
        return "".join(rnd.choice(atoms) for _ in range(rnd.randint(0, n)))
    r = rnd.random()
    if depth > 4 or r < 0.45:
        return text(rnd.choice([3, 14, 40])) if rnd.random() < 0.7 else rnd.choice(SCALARS)
    if r < 0.75:
        return {("".join(rnd.choice(key_atoms) for _ in range(rnd.randint(0, 5)))
                 if rnd.random() < 0.5 else rnd.choice(names)):
                _tree(rnd, atoms, key_atoms, names, depth + 1) for _ in range(rnd.randint(0, 4))}
    return [_tree(rnd, atoms, key_atoms, names, depth + 1) for _ in range(rnd.randint(0, 4))]


def _yaml_flow(doc) -> str:
    """``doc`` as JSON, read as YAML: an astral character as one \\U escape (YAML has no
    surrogate pairs)."""
    return re.sub(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})",
                  lambda m: "\\U%08x" % ord((chr(int(m.group(1), 16)) + chr(int(m.group(2), 16)))
                                             .encode("utf-16", "surrogatepass")
                                             .decode("utf-16")),
                  json.dumps(doc))


def test_the_native_printer_is_built_and_used():
    assert yamlio.NATIVE is not None, (
        "pytest_kustomize/engine/_yamlprint.c was not compiled: pip install -e . needs a C "
        "compiler and Python's headers")
    assert yamlio.dump_document({"a": 1}) == "a: 1\n"


def test_random_hostile_trees_print_as_kubectl_prints_them(oracle):
    """Every atom, nested maps and lists, numbers and long folded lines, as the spec of a
    custom resource (no schema touches it) -- one kubectl run for 150 documents."""
    rnd = random.Random(5)
    # multi-line and long keys are complex "? " keys: the native printer leaves those to
    # yamlemit (test_values_it_leaves_to_the_python_printer)
    key_atoms = [a for a in ATOMS if a not in ("\n", "\r", "\u0085", "\u2028", "\u2029",
                                               "x" * 30)]
    # U+FFFE is refused (test_characters_json_leaves_raw_are_refused...), and NUL too
    atoms = [a for a in ATOMS if a not in ("\x00", "\ufffe")]
    key_atoms = [a for a in key_atoms if a in atoms]
    docs, native = [], 0
    for i in range(150):
        spec = _tree(rnd, atoms, key_atoms, KEY_NAMES[:-1])
        doc = {"apiVersion": "example.com/v1", "kind": "Thing",
               "metadata": {"name": "t%03d" % i}, "spec": spec}
        native += yamlio.NATIVE.dump(doc) is not None
        docs.append(_yaml_flow(doc))
    assert native == 150        # the native printer answered (not the fallback)
    oracle.assert_same({"kustomization.yaml": "resources:\n- things.yaml\n",
                        "things.yaml": "\n---\n".join(docs) + "\n"})


def test_where_libyaml_and_go_yaml_v2_differ_the_native_printer_follows_kubectl(oracle):
    """A key led by a byte-order mark has every character escaped, and a line or paragraph
    separator in a single-quoted value is not followed by an indent: libyaml (the fallback
    printer) does neither; go-yaml v2, hence kubectl, does both."""
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
          "data": {"\ufeffkey": "v", "\ufeff,": "\u2028", "a": "a\u2028b", "b": "x\u2029",
                   "c": "\u2028", "e": "p\u2028\u2028q", "f": "p \u2028q",
                   "d": "one two three four five six seven eight nine ten eleven twelve"
                        "\u2028thirteen fourteen fifteen"}}
    out = oracle.assert_same({"kustomization.yaml": "resources:\n- cm.json\n",
                              "cm.json": json.dumps(cm)})
    assert '"\\uFEFF\\x6B\\x65\\x79": v\n' in out
    assert yamlemit.emit_document(cm) != out      # the fallback differs here, kubectl decides


def test_random_trees_agree_with_the_libyaml_printer():
    """Away from those two differences, the libyaml-based printer (itself compared with
    kubectl in test_yamlio and test_fast_printer) is the reference: 5,000 random trees."""
    rnd = random.Random(7)
    atoms = [a for a in ATOMS if a not in ("\u2028", "\u2029", "\ufeff", "\ufffe")]
    # a key holding NEL is an error left to the Python printer
    # (test_nel_is_folded_as_kustomize_folds_it): here it would only shrink the share the
    # native printer answers
    key_atoms = [a for a in atoms if a != "\u0085"]
    answered = 0
    for _ in range(5000):
        doc = {"v": _tree(rnd, atoms, key_atoms)}
        try:
            ref = yamlemit.emit_document(doc)
        except Exception as e:          # noqa: BLE001 - both must raise the same error
            ref = "error: %s" % e
        try:
            got = yamlio.NATIVE.dump(doc)
        except Exception as e:          # noqa: BLE001
            got = "error: %s" % e
        if got is not None:
            answered += 1
            assert got == ref, repr(doc)
    assert answered >= 4000


def test_values_it_leaves_to_the_python_printer():
    """None (the caller falls back) for a non-string key, a key v2 would print as a complex
    "? " key (multi-line, or over 128 bytes), and a type that is not plain data."""
    assert yamlio.NATIVE.dump({1: "a"}) is None
    assert yamlio.NATIVE.dump({"a\nb": "v"}) is None
    assert yamlio.NATIVE.dump({"k" * 129: "v"}) is None
    assert yamlio.NATIVE.dump({"k" * 128: "v"}) == "k" * 128 + ": v\n"
    assert yamlio.NATIVE.dump({"a": {1, 2}}) is None
    for doc in ({1: "a"}, {"a\nb": "v"}, {"k" * 129: "v"}):
        assert yamlio.dump_document(doc) == yamlemit.emit_document(doc)


def test_characters_json_leaves_raw_are_refused_as_kubectl_refuses_them(oracle):
    """kustomize prints through JSON, which writes U+007F..U+009F (but NEL) and U+FFFE/FFFF
    raw, and reads that back as YAML, which refuses them: kubectl fails, so must the engine
    -- with the resource and its file named -- in a value, a key or a generated file."""
    for i, text in enumerate(["x\u007fy", "\u0080", "a\u009f", "\ufffe", "b\uffff"]):
        t = {"apiVersion": "v1", "kind": "T", "metadata": {"name": "t"}, "spec": {"a": text}}
        k = {"apiVersion": "v1", "kind": "T", "metadata": {"name": "t"}, "spec": {text: 1}}
        for j, doc in enumerate((t, k)):
            err = oracle.assert_both_fail(
                {"d%d%d/kustomization.yaml" % (i, j): "resources:\n- t.json\n",
                 "d%d%d/t.json" % (i, j): _yaml_flow(doc)},
                build_dir="d%d%d" % (i, j), contains="control characters are not allowed")
            assert err.file.endswith("t.json") and err.resource.startswith("T.v1"), err
    for ok in ("\u00a0", "\ufffd", "\x1f", "\x00"):      # these print (escaped or raw)
        oracle.assert_same({"ok/kustomization.yaml": "resources:\n- t.json\n",
                            "ok/t.json": _yaml_flow({"apiVersion": "v1", "kind": "T",
                                                     "metadata": {"name": "t"},
                                                     "spec": {"a": ok}})}, build_dir="ok")
    err = oracle.assert_both_fail({"gen/kustomization.yaml": "configMapGenerator:\n- name: g\n"
                                                             "  files:\n  - raw.txt\n",
                                   "gen/raw.txt": b"x\x7fy"}, build_dir="gen",
                                  contains="control characters are not allowed")
    assert "kustomization.yaml" in str(err) and "ConfigMap" in str(err)


def test_nel_is_folded_as_kustomize_folds_it(oracle):
    """JSON writes NEL (U+0085) raw and kustomize's YAML reader of that JSON takes it for a
    line break in a double-quoted scalar: spaces around it vanish, one break is a space,
    n breaks are n - 1 newlines; in a key it is an error."""
    vals = ["\x85", "a\x85b", "p \x85 \x85q\x85", "\x85\x85", "a  \x85  b", "a\x85\x85\x85b",
            " \x85", "x\x85 ", "a\x85 \x85b", "\u00e9\x85\t b", "long " * 20 + "\x85" + "x" * 90]
    spec = {"v%02d" % i: v for i, v in enumerate(vals)}
    spec["list"] = ["\x85z", {"q": "r\x85s"}]
    doc = {"apiVersion": "v1", "kind": "T", "metadata": {"name": "t"}, "spec": spec}
    out = oracle.assert_same({"ok/kustomization.yaml": "resources:\n- t.json\n",
                              "ok/t.json": _yaml_flow(doc)}, build_dir="ok")
    assert "v01: a b\n" in out
    doc["spec"] = {"a\x85b": 1}
    oracle.assert_both_fail({"key/kustomization.yaml": "resources:\n- t.json\n",
                             "key/t.json": _yaml_flow(doc)}, build_dir="key",
                            contains="did not find expected ',' or '}'")
