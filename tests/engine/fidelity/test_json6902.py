"""JSON 6902 patches as kustomize's library (evanphx/json-patch v4) applies them, op by op:
lenient replace/copy/test of missing keys, ``-`` and negative indexes, out-of-range
indexes, missing parents, paths without a leading slash, JSON-text vs YAML patches, and the
library's error messages; every case against kubectl kustomize."""

import json
import os
import random

import pytest

from pytest_kustomize.errors import KustomizeError

DOC = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  labels: {app: x}
data:
  a: "1"
  n: null
list: [p, q, r]
nested:
  m: {k: v, z: [1, 2.5, {d: e}]}
num: 1.5
int: 7
"""

OPS = [
    # add
    {"op": "add", "path": "/data/b", "value": "2"},
    {"op": "add", "path": "/list/-", "value": "s"},
    {"op": "add", "path": "/list/0", "value": "s"},
    {"op": "add", "path": "/list/3", "value": "s"},
    {"op": "add", "path": "/list/4", "value": "s"},
    {"op": "add", "path": "/list/-1", "value": "s"},
    {"op": "add", "path": "/list/-4", "value": "s"},
    {"op": "add", "path": "/list/-5", "value": "s"},
    {"op": "add", "path": "/list/+1", "value": "s"},
    {"op": "add", "path": "/list/01", "value": "s"},
    {"op": "add", "path": "/list/x", "value": "s"},
    {"op": "add", "path": "/missing/child", "value": 1},
    {"op": "add", "path": "/data/n/x", "value": 1},
    {"op": "add", "path": "/num/x", "value": 1},
    {"op": "add", "path": "/data/b"},
    {"op": "add", "path": "/data/b", "value": None},
    {"op": "add", "path": "data/b", "value": "no leading slash"},
    {"op": "add", "path": "x/b", "value": "no leading slash"},
    {"op": "add", "path": "", "value": {}},
    {"op": "add", "path": "/", "value": "empty key"},
    {"op": "add", "path": "/metadata/annotations", "value": {"a~b": "1", "c/d": "2"}},
    {"op": "add", "path": "/nested/m/z/2/d~1e", "value": "slash"},
    {"op": "add", "path": "/nested/m/z/2/d~0e", "value": "tilde"},
    {"op": "add", "value": 1},
    {"op": "add", "path": 5, "value": 1},
    # remove
    {"op": "remove", "path": "/data/a"},
    {"op": "remove", "path": "/data/n"},
    {"op": "remove", "path": "/data/zz"},
    {"op": "remove", "path": "/list/-1"},
    {"op": "remove", "path": "/list/3"},
    {"op": "remove", "path": "/list/-4"},
    {"op": "remove", "path": "/list/-"},
    {"op": "remove", "path": "/missing/child"},
    {"op": "remove"},
    # replace
    {"op": "replace", "path": "/data/a", "value": "r"},
    {"op": "replace", "path": "/data/zz", "value": "added by replace"},
    {"op": "replace", "path": "/list/1", "value": "r"},
    {"op": "replace", "path": "/list/-1", "value": "r"},
    {"op": "replace", "path": "/list/3", "value": "r"},
    {"op": "replace", "path": "/list/-", "value": "r"},
    {"op": "replace", "path": "/missing/child", "value": "r"},
    {"op": "replace", "path": "/data/a"},
    {"op": "replace", "path": "", "value": "scalar"},
    {"op": "replace", "path": 1, "value": "r"},
    # move
    {"op": "move", "from": "/data/a", "path": "/data/moved"},
    {"op": "move", "from": "/list/0", "path": "/list/-"},
    {"op": "move", "from": "/data/zz", "path": "/data/moved"},
    {"op": "move", "from": "/data", "path": "/data/inner"},
    {"op": "move", "from": "/list/9", "path": "/data/x"},
    {"op": "move", "from": "/data/a", "path": "/missing/x"},
    {"op": "move", "path": "/data/x"},
    {"op": "move", "from": "/data/a"},
    # copy
    {"op": "copy", "from": "/data/a", "path": "/data/copied"},
    {"op": "copy", "from": "/data/zz", "path": "/data/copied"},
    {"op": "copy", "from": "/nested/m", "path": "/list/1"},
    {"op": "copy", "from": "/list/7", "path": "/data/x"},
    {"op": "copy", "from": "/data/a", "path": "/list/9"},
    {"op": "copy", "from": "/missing/x", "path": "/data/x"},
    {"op": "copy", "path": "/data/x"},
    # test
    {"op": "test", "path": "/data/a", "value": "1"},
    {"op": "test", "path": "/data/a", "value": 1},
    {"op": "test", "path": "/data/zz", "value": None},
    {"op": "test", "path": "/data/zz"},
    {"op": "test", "path": "/data/n", "value": None},
    {"op": "test", "path": "/data/a"},
    {"op": "test", "path": "/nested/m", "value": {"k": "v", "z": [1, 2.5, {"d": "e"}]}},
    {"op": "test", "path": "/nested/m", "value": {"k": "v"}},
    {"op": "test", "path": "/list", "value": ["p", "q", "r"]},
    {"op": "test", "path": "/list/-1", "value": "r"},
    {"op": "test", "path": "/list/5", "value": "r"},
    {"op": "test", "path": "/int", "value": 7},
    {"op": "test", "path": "/num", "value": 1.5},
    {"op": "test", "path": "/missing/x", "value": 1},
    # unknown
    {"op": "frobnicate", "path": "/data/a"},
    {"path": "/data/a", "value": 1},
]


# kubectl's kustomize v5.5 uses json-patch v4.12, where replacing the root by a scalar is
# silently ignored and testing a missing key without a value panics; v4.13 (kustomize
# v5.8.1) fails the first and passes the second. The engine follows v5.8.1 there.
V581_ONLY = [{"op": "replace", "path": "", "value": "scalar"},
             {"op": "test", "path": "/data/zz"}]


def _build(oracle, patch_text: str, v581: bool = False):
    oracle.write({"kustomization.yaml": "resources: [r.yaml]\npatches:\n- target: "
                  "{kind: ConfigMap}\n  path: p.txt\n", "r.yaml": DOC,
                  "p.txt": patch_text})
    ref = oracle.kustomize() if v581 else oracle.kubectl()
    try:
        got, err = oracle.engine(), None
    except KustomizeError as e:
        got, err = None, e
    if ref.returncode == 0:
        assert err is None, "engine failed where kubectl renders: %s" % err
        assert got == ref.stdout
    else:
        assert err is not None, "kubectl failed (%s), engine rendered:\n%s" % (ref.stderr, got)
        go_message = str(err).split(": ", 3)[-1]
        tail = go_message.split(": ", 1)[-1] if "applying JSON patch" in str(err) else ""
        if tail:
            assert tail.split(": ")[0] in ref.stderr, (str(err), ref.stderr)


@pytest.mark.parametrize("op", OPS, ids=[json.dumps(o)[:60] for o in OPS])
def test_single_operation_json(oracle, op):
    _build(oracle, json.dumps([op]), v581=op in V581_ONLY)


@pytest.mark.parametrize("op", OPS[::3], ids=[json.dumps(o)[:60] for o in OPS[::3]])
def test_single_operation_yaml(oracle, op):
    _build(oracle, "- " + json.dumps(op) + "\n", v581=op in V581_ONLY)


@pytest.mark.parametrize("text", [
    '[{"op": "test", "path": "/num", "value": 1.50}]',      # JSON text: compared as written
    '[{"op": "test", "path": "/int", "value": 7.0}]',
    "- {op: test, path: /int, value: 7.0}\n",                # YAML: re-encoded first
    "- {op: add, path: /data/y, value: yes}\n- {op: add, path: /data/o, value: on}\n"
    "- {op: add, path: /data/t, value: 2001-12-14}\n- {op: add, path: /data/h, value: 0x1F}\n",
    '[{"op": "add", "path": "/data/f", "value": 1.0}, {"op": "add", "path": "/data/g", '
    '"value": 1e3}, {"op": "add", "path": "/data/s", "value": 0.00001}]',
    '[{"op": "copy", "from": "/nested", "path": "/nested/m/copy"}, '
    '{"op": "move", "from": "/nested/m/copy/m/k", "path": "/k"}]',
])
def test_patch_texts(oracle, text):
    _build(oracle, text)


@pytest.mark.parametrize("seed", range(10))
def test_random_operation_sequences(oracle, seed):
    """Seeded random sequences of three operations (500 in a longer run)."""
    rng = random.Random(seed)
    _build(oracle, json.dumps(rng.sample([o for o in OPS if o not in V581_ONLY], 3)))
