"""Scalar, quoting, ordering and folding quirks of kustomize's output, against kubectl."""
import pytest

from pytest_kustomize.engine import yamlfast, yamlio
from pytest_kustomize.errors import YamlError

CONFIGMAP = """\
kind: ConfigMap
apiVersion: v1
metadata:
  name: 'quirks'   # comments are dropped
  labels:
    z: "1"
    a: yes
data:
  b: 'single'
  a: "double"
  date: 2001-12-14
  datetime: 2001-12-14T21:59:43.10-05:00
  spaced: 2001-12-14 21:59:43.10
  on: on
  literal: |
    multi
    line
  folded: >
    folded
    text
  hex: 0x1F
  exp: 1e3
  tilde: ~
  quote: "with 'quote"
  octal: 012
  notoctal: 08
  underscore: 1_000
  long: "a very long string that goes on and on and on and on and on and on and on and on and on and on and on and on"
  flowseq: [1, 2]
  flowmap: {x: 1}
  tab: "tab\\there"
  nl: "multi\\nline\\n"
  empty: ""
  Yes: Yes
  float1: 1.0
  bigfloat: 1234567.5
  small: 0.000001
  tiny: 1.5e-7
  mid: 100000.5
  s1e3: "1e3"
  s0o17: "0o17"
  base60: "1:20"
  eq: "="
  lead: " lead"
  trail: "trail "
  colon: "a: b"
  hash: "# x"
  dash: "- x"
  star: "*x"
  at: "@x"
  unicode: "üñí ✓"
  trailingnl: "x\\n"
  twonl: "x\\n\\n"
  leadspace: " x\\ny"
  a10: 1
  a2: 2
  a_b: 3
  aB: 4
  A: 5
  "1": 6
  negzero: -0
  dot5: .5
  plus: +12
  huge: 12345678901234567890
  e21: 1e21
  snull: "null"
  stilde: "~"
  sTrue: "True"
  y: y
  n: n
  emptymap: {}
  emptylist: []
"""


def test_dump_matches_kubectl_byte_for_byte(oracle):
    oracle.assert_same({"kustomization.yaml": "resources:\n- cm.yaml\n", "cm.yaml": CONFIGMAP})


def test_scalars_at_the_edges_of_go_number_parsing(oracle):
    # strings that look like numbers but that Go's strconv refuses (overflow, misplaced
    # underscores) stay plain strings; "<<" prints plain; a quoted "<<" key is dropped
    import json
    strings = [".51_000", ".5_", "._5", ".5e999", ".5e-999", "1_0.5", "1e999", "1e3_0",
               ".inf_", ".5__0", "-.5_5", "<<", "0x1_F", "0b1_1"]
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
          "data": {"k%02d" % i: v for i, v in enumerate(strings)}}
    plain = ("apiVersion: example.com/v1\nkind: T\nmetadata:\n  name: t\nspec:\n"
             "  a: .5_0\n  b: .5e999\n  c: 1e999\n  d: 1__0\n  e: 0x1_F\n  f: .5_\n"
             "  g: 1_0.5\n  h: <<\n  m:\n    \"<<\": {x: 1}\n    z: 1\n")
    oracle.assert_same({"kustomization.yaml": "resources:\n- cm.json\n- t.yaml\n",
                        "cm.json": json.dumps(cm), "t.yaml": plain})


def test_values_starting_with_a_byte_order_mark_are_escaped_as_go_yaml_v2_does(oracle):
    # a file saved with a BOM (common on Windows) in a generator; go-yaml v2 then escapes
    # every character of the value
    oracle.assert_same({
        "kustomization.yaml": "configMapGenerator:\n- name: c\n  files:\n  - bom.txt\n"
                              "  literals:\n  - plain=\\ufeffnot-a-bom-here\n",
        "bom.txt": "\ufeffkey = \"value\" é 日本\r\nnext\tline\n".encode("utf-8"),
    })


def test_multiple_documents_and_lists(oracle):
    oracle.assert_same({
        "kustomization.yaml": "resources:\n- all.yaml\n",
        "all.yaml": "---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n"
                    "  metadata:\n    name: a\n---\n# only a comment\n---\napiVersion: v1\n"
                    "kind: Secret\nmetadata:\n  name: b\n  annotations:\n    port: 8080\n"
                    "    flag: true\n",
    })


def test_infinity_is_an_error_naming_the_file(oracle):
    err = oracle.assert_both_fail({"kustomization.yaml": "resources:\n- cm.yaml\n",
                                   "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                                              "  name: x\ndata:\n  v: .inf\n"})
    assert "cm.yaml" in str(err)


def test_duplicate_keys_in_a_resource_are_an_error(oracle):
    err = oracle.assert_both_fail({"kustomization.yaml": "resources:\n- cm.yaml\n",
                                   "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                                              "  name: x\n  name: y\n"})
    assert "already defined" in str(err)


def test_malformed_yaml_names_file_and_line():
    with pytest.raises(YamlError) as ei:
        yamlio.load_documents("a: [1, 2\nb: 3\n", "bad.yaml")
    assert "bad.yaml" in str(ei.value) and "line" in str(ei.value)


def test_fast_dump_path_equals_the_libyaml_path_on_the_corpus():
    """The direct printer for plain documents must give the bytes libyaml gives (which the
    tests above check against kubectl) on every document of the conformance corpus."""
    import glob
    import os
    corpus = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "conformance")
    files = glob.glob(os.path.join(corpus, "cases", "*", "expected.yaml"))
    if not files:
        pytest.skip("conformance corpus not present")
    fast = 0
    for f in files:
        with open(f, encoding="utf-8", errors="surrogateescape") as fh:
            docs = yamlio.load_documents(fh.read())
        for d in docs:
            if isinstance(d, dict):
                assert yamlio.dump_document(d) == yamlio.dump_document(d, fast=False), f
                fast += bool(yamlfast.fast_map(d, 0, None, []))
    assert fast > 200


@pytest.mark.parametrize("key", ["1", "true", "~", "null", "1.5", "0x1F", "2001-12-14", "-5"])
def test_a_key_that_is_not_a_string_is_an_error_in_a_resource_and_a_patch(oracle, key):
    """kyaml decodes the object into a map keyed by the typed value, which JSON cannot
    hold: kubectl fails, at any depth, in a List's items and in a patch; so must the engine,
    naming the file and line (quoted, the same key is a string)."""
    res = "apiVersion: v1\nkind: T\nmetadata:\n  name: t\n"
    cases = {
        "deep": {"t.yaml": res + "spec:\n  a:\n  - %s: x\n" % key},
        "list": {"t.yaml": "apiVersion: v1\nkind: List\nitems:\n- " +
                 res.replace("\n", "\n  ").rstrip() + "\n  spec: {%s: x}\n" % key},
        "patch": {"t.yaml": res, "p.yaml": res + "spec:\n  %s: x\n" % key},
    }
    for name, files in cases.items():
        kust = "resources:\n- t.yaml\n" + ("patches:\n- path: p.yaml\n" if "p.yaml" in files
                                          else "")
        tree = {"%s/%s" % (name, f): text for f, text in files.items()}
        tree["%s/kustomization.yaml" % name] = kust
        err = oracle.assert_both_fail(tree, build_dir=name)
        assert "is not a string" in str(err) and "line" in str(err), err
        assert ("p.yaml" if name == "patch" else "t.yaml") in str(err), err
    oracle.assert_same({"ok/kustomization.yaml": "resources:\n- t.yaml\n",
                        "ok/t.yaml": res + "spec:\n  '%s': x\n  \"%s\": y\n" % (key, key + "z")},
                       build_dir="ok")


def test_an_empty_value_in_a_flow_mapping_prints_as_an_empty_string(oracle):
    """go-yaml v3 cannot write an empty plain scalar inside {...} and quotes it, so
    kustomize prints "" there, where the same value in block style prints null; a merge
    that meets it drops it as any empty null, and in a patch it deletes."""
    res = "apiVersion: v1\nkind: T\nmetadata:\n  name: t\n"
    oracle.assert_same({"a/kustomization.yaml": "resources:\n- t.yaml\n",
                        "a/t.yaml": res + "spec:\n  a: {b: , c: ~, d: null, e: }\n  f: [g: ]\n"
                                          "  h: [{i: }, {? j}]\n  k: {l: {m: }}\n  n:\n"
                                          "  o: !!map {p: }\n"}, build_dir="a")
    out = oracle.assert_same({
        "b/kustomization.yaml": "resources:\n- t.yaml\npatches:\n- path: p.yaml\n",
        "b/t.yaml": res + "spec:\n  x: {q: , r: 1}\n  y: {s: }\n  z: {t: , u: 1}\n",
        "b/p.yaml": res + "spec:\n  x: {r: 2}\n  z: {u: }\n"}, build_dir="b")
    assert "q:" not in out and "s:" not in out and "u:" not in out
    out = oracle.assert_same({"c/kustomization.yaml": "resources:\n- t.yaml\n"
                                                      "patches:\n- path: p.yaml\n",
                              "c/t.yaml": res + "spec:\n  a: 1\n  b: 2\n",
                              "c/p.yaml": res + "spec: {a: , c: }\n"}, build_dir="c")
    assert "  b: 2\n" in out and "\n  a:" not in out
