"""The fast printer (engine/yamlfast) on strings go-yaml v2 quotes: values that read back as
numbers, booleans, nulls or timestamps are double-quoted, and a leading "..." (a document end
marker) is single-quoted; each document is compared with kubectl, with every value alone in
a ConfigMap so the fast path is really taken."""
import json
import random

from pytest_kustomize.engine import yamlemit, yamlfast, yamlio

TRICKY = ["0", "1", "-1", "+1", "0x1F", "0o17", "017", "1e3", "1.5", ".5", "-.5", ".inf",
          ".nan", "1_000", "12:30", "190:20:30", "2001-12-14", "yes", "Yes", "NO", "on",
          "Off", "y", "N", "true", "False", "null", "NULL", "8080", "9223372036854775808",
          "1e400", "1.0.0", "v1", "1-2", "1/2", "(1)", "$1", "=1", "0b101", "00", "09",
          "....", "...a", "..a", "x...", "1.", "+.5", "_1", "1:2:3", "0:30"]


def test_tricky_values_print_as_kubectl_prints_them(oracle):
    docs = ["apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%02d\ndata:\n  k: %s\n"
            % (i, json.dumps(v)) for i, v in enumerate(TRICKY)]
    # each document must be one the fast path prints (else this tests the emitter only)
    for v in TRICKY:
        if v.startswith(("-", "...")):
            continue            # the fast path leaves these to the emitter
        assert yamlfast.fast_map({"data": {"k": v}}, 0, None, []), v
    oracle.assert_same({"kustomization.yaml": "resources:\n- cms.yaml\n",
                        "cms.yaml": "---\n".join(docs)})


def test_fast_path_agrees_with_the_emitter_on_random_scalars():
    """The emitter path (libyaml with go-yaml v2's rules) is the reference the fast path must
    equal wherever it answers: random strings over digits, signs, dots and colons."""
    rnd = random.Random(18)
    alphabet = "0123456789.+-_:eExXoObB yn/=()$a"
    for _ in range(5000):
        s = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 9)))
        for doc in ({"k": s}, {"a": {"b": [s, {"c": s}]}}, {"k" * 70: s}):
            assert yamlio.dump_document(doc) == yamlemit.emit_document(doc), s


MULTILINE = ["a\nb", "line one\n\nline three", "ends\n", "key: v\n- item", "x  y\n  z",
             "Description of a field.\nMore text, with `code` and \"quotes\".",
             "trailing space \nline", "tab\there\nx", "caf\u00e9\nx", " lead\nx", "a\n\n"]


def test_multiline_values_print_as_kubectl_prints_them(oracle):
    docs = ["apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m%02d\ndata:\n  k: %s\n"
            "  list:\n  - %s\n" % (i, json.dumps(v), json.dumps(v))
            for i, v in enumerate(MULTILINE)]
    fast = [v for v in MULTILINE if yamlfast.fast_map({"data": {"k": v}}, 0, None, [])]
    assert len(fast) >= 6          # |- and | blocks through the fast path
    oracle.assert_same({"kustomization.yaml": "resources:\n- cms.yaml\n",
                        "cms.yaml": "---\n".join(docs)})


def test_fast_path_agrees_with_the_emitter_on_random_multiline_text():
    rnd = random.Random(3)
    alphabet = ["a", "b", " ", "\n", "-", ":", "#", "'", '"', "1", ".", "|", ">", "\t",
                "\u00e9", "  ", "x" * 90]
    for _ in range(3000):
        s = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 12)))
        s = s if "\n" in s else s + "\n" + s
        for doc in ({"k": s}, {"a": {"b": [{"c": s}]}}, {"a": [{"b": {"c": s}}]}):
            assert yamlio.dump_document(doc) == yamlemit.emit_document(doc), repr(s)
