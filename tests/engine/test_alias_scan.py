"""The alias-budget check runs only where a text may hold an alias (yamlv3.may_have_aliases):
the scan must never miss one libyaml reads, and a "*" in prose (CRD descriptions) must not
switch the check on."""
import random

import pytest
import yaml

from pytest_kustomize import KustomizeError
from pytest_kustomize.engine.yamlv3 import may_have_aliases

K = "resources:\n- cm.yaml\n"


def _has_alias(text: str) -> bool:
    seen, stack = set(), [n for n in yaml.compose_all(text)]
    while stack:
        n = stack.pop()
        if n is None:
            continue
        if id(n) in seen:
            return True             # a node reached twice: an alias
        seen.add(id(n))
        if isinstance(n, yaml.MappingNode):
            stack.extend(x for kv in n.value for x in kv)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
    return False


@pytest.mark.parametrize("flow", [False, True])
def test_every_alias_libyaml_reads_is_found(flow):
    rnd = random.Random(7 if flow else 8)
    found = 0
    for _ in range(300):
        shared = [rnd.choice(["x", 1, {"k": "v"}, ["a", "b"]])]
        doc = {"d%d" % i: (shared[0] if rnd.random() < 0.3 else "p * q & r")
               for i in range(rnd.randint(1, 6))}
        text = yaml.dump(doc, default_flow_style=flow)
        if _has_alias(text):
            found += 1
            assert may_have_aliases(text), text
    assert found > 30


def test_prose_stars_do_not_count():
    assert not may_have_aliases('description: "* means any; a && b; x * y"\n')
    assert may_have_aliases("a: &x 1\nb: *x\n")


def test_block_alias_bomb_after_prose_is_refused(oracle):
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: cm",
             "  annotations:", "    note: 'a * b'", "a0: &a0", "- x"]
    for i in range(1, 9):
        lines.append("a%d: &a%d" % (i, i))
        lines += ["- *a%d" % (i - 1)] * 10
    oracle.write({"kustomization.yaml": K, "cm.yaml": "\n".join(lines) + "\n"})
    with pytest.raises(KustomizeError) as ei:
        oracle.engine()
    assert "through aliases" in str(ei.value)
