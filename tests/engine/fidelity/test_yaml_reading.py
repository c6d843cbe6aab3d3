"""Reading resources as kustomize's kyaml does: anchors defined twice in one document (the
later definition wins for the aliases after it), and block scalars — folded and literal,
chomping and indentation indicators, more-indented and blank lines, trailing spaces, a
leading tab — printed as kubectl prints them (kyaml writes a folded scalar back with
go-yaml v3 and reads it again before printing). Compared with kubectl kustomize."""

import random

import pytest

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"


@pytest.mark.parametrize("body", [
    "data:\n  x: &v one\n  y: *v\n  z: &v two\n  w: *v\n",
    "metadata:\n  name: a\n  labels: &l {a: b}\ndata:\n  <<: *l\n  m: &l {c: d}\n  n: *l\n",
    "data: &d\n  x: &d y\n  z: *d\n",
    "data:\n  a: &x 1\n  b: &x [1, 2]\n  c: *x\n  d: &x {k: v}\nlist: [*x, &x 5, *x]\n",
])
def test_anchor_defined_twice(oracle, body):
    doc = CM + body if not body.startswith("metadata") else \
        "apiVersion: v1\nkind: ConfigMap\n" + body
    oracle.assert_same({"kustomization.yaml": "resources: [r.yaml]\n", "r.yaml": doc})


def test_anchors_do_not_cross_documents(oracle):
    oracle.assert_both_fail({"kustomization.yaml": "resources: [r.yaml]\n",
                             "r.yaml": CM + "data: &l {k: v}\n---\n" + CM.replace("a\n", "b\n")
                             + "data: *l\n"}, contains="anchor")


BLOCKS = """\
data:
  f1: >-
    folded line one
    continues here

    new paragraph
      more indented
      again
    back
  f2: >
    a
     b
    c


  f3: |+
    keep

  f4: |-
    strip
    x  
  f5: |2
      two extra
    base
  f6: >2-
     lead
    x
  f7: |
    trailing spaces   
    	tab
  f8: >

    leading blank
  f9: >+
    a

  f10: >
    x

     y
    z
  f11: >-
    one
      two

    three
"""


@pytest.mark.parametrize("overlay", ["", "namePrefix: p-\n",
                                     "patches:\n- target: {kind: ConfigMap}\n  patch: "
                                     "'[{\"op\": \"add\", \"path\": \"/data/q\", \"value\": \"1\"}]'\n",
                                     "patches:\n- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n"
                                     "    metadata: {name: a}\n    data:\n      g: >\n        p\n"
                                     "          q\n        r\n"])
def test_block_scalars(oracle, overlay):
    oracle.assert_same({"kustomization.yaml": "resources: [r.yaml]\n" + overlay,
                        "r.yaml": CM + BLOCKS})


@pytest.mark.parametrize("style", ["|", ">", "|-", ">+"])
def test_block_scalar_starting_with_a_tab_fails_as_in_kubectl(oracle, style):
    """kyaml writes it back without an indentation indicator and cannot read it again."""
    oracle.assert_both_fail({"kustomization.yaml": "resources: [r.yaml]\n",
                             "r.yaml": CM + "data:\n  k: %s2\n    \ttab\n    x\n" % style},
                            contains="found a tab character where an indentation space "
                                     "is expected")


def _random_block(rng) -> str:
    style = rng.choice("|>")
    chomp = rng.choice(["", "-", "+"])
    ind = rng.choice(["", "", "1", "2", "3"])
    pad = " " * (2 + int(ind)) if ind else "    "
    lines = []
    for _ in range(rng.randint(1, 6)):
        r = rng.random()
        if r < 0.15:
            lines.append("")
        elif r < 0.22:
            lines.append(" " * rng.randint(1, 6))
        else:
            words = [rng.choice(["a", "bb", "c c", "x:y", "#h", "- d", "x\ttab", "q "])
                     for _ in range(rng.randint(1, 3))]
            lines.append(" " * rng.choice([0, 0, 0, 1, 2, 4]) + " ".join(words))
    if not ind:     # auto-detected indentation: the first content line sets it
        for j, line in enumerate(lines):
            if line.strip():
                lines[j] = line.lstrip(" ")
                break
            lines[j] = ""
    body = "".join((pad + x if x.strip() or rng.random() < .5 else x) + "\n" for x in lines)
    return style + ind + chomp + "\n" + body + "\n" * rng.choice([0, 0, 1, 2])


@pytest.mark.parametrize("seed", range(12))
def test_random_block_scalars(oracle, seed):
    """Seeded random block scalars, eight a tree (1,600 in a longer run: 0 differences)."""
    rng = random.Random(seed)
    data = "".join("  k%d: %s" % (i, _random_block(rng)) for i in range(8))
    overlay = rng.choice(["", "namePrefix: p-\n"])
    oracle.assert_same({"kustomization.yaml": "resources: [r.yaml]\n" + overlay,
                        "r.yaml": CM + "data:\n" + data + "  z: end\n"})
