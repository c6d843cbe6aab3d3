"""Strategic merge patches against `kubectl kustomize` (byte-identical output)."""
import pytest

BASE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
  finalizers: [a, z]
spec:
  replicas: 1
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
  template:
    spec:
      containers:
      - name: a
        image: a
        ports:
        - containerPort: 80
        - containerPort: 53
          protocol: UDP
        env:
        - name: X
          value: "1"
        - name: Y
          value: "2"
        volumeMounts:
        - name: data
          mountPath: /data
      - name: b
        image: b
      volumes:
      - name: data
        emptyDir: {}
      - name: cfg
        configMap:
          name: cfg
      tolerations:
      - key: k
        operator: Exists
"""

PATCHES = {
    "scalar_and_map": """\
spec:
  replicas: 3
  template:
    metadata:
      annotations:
        a: b
""",
    "null_deletes": """\
metadata:
  labels: null
spec:
  strategy:
    rollingUpdate: null
""",
    "container_merge_by_name": """\
spec:
  template:
    spec:
      containers:
      - name: b
        image: b2
      - name: c
        image: c
""",
    "env_and_ports": """\
spec:
  template:
    spec:
      containers:
      - name: a
        env:
        - name: Y
          value: "3"
        - name: Z
          value: "4"
        ports:
        - containerPort: 53
          protocol: UDP
          name: dns
        - containerPort: 8080
""",
    "delete_element": """\
spec:
  template:
    spec:
      containers:
      - name: b
        $patch: delete
      volumes:
      - name: cfg
        $patch: delete
""",
    "replace_map": """\
spec:
  strategy:
    $patch: replace
    type: Recreate
""",
    "replace_list": """\
spec:
  template:
    spec:
      volumes:
      - $patch: replace
      - name: only
        emptyDir: {}
""",
    "non_merge_list_replaced": """\
spec:
  template:
    spec:
      tolerations:
      - key: other
        operator: Exists
""",
    "primitive_merge_list": """\
metadata:
  finalizers: [b]
""",
    "retain_keys_left_as_is": """\
spec:
  strategy:
    $retainKeys: [type]
    type: Recreate
""",
    "volume_emptydir_to_pvc": """\
spec:
  template:
    spec:
      volumes:
      - name: data
        emptyDir: null
        persistentVolumeClaim:
          claimName: data
""",
    # the list directive on a list the target lacks: kustomize keeps only the directive
    # element (its ElementSetter matches nothing when it has no value to compare)
    "replace_directive_on_absent_list": """\
spec:
  template:
    spec:
      imagePullSecrets:
      - name: v4
      - $patch: replace
""",
}


@pytest.mark.parametrize("name", sorted(PATCHES))
def test_patch_matches_kubectl(oracle, name):
    head = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
    body = PATCHES[name]
    if body.startswith("metadata:\n"):
        patch = head + body[len("metadata:\n"):]
    else:
        patch = head + body
    oracle.assert_same({
        "kustomization.yaml": "resources:\n- d.yaml\npatches:\n- path: p.yaml\n",
        "d.yaml": BASE,
        "p.yaml": patch,
    })


def test_delete_whole_resource(oracle):
    out = oracle.assert_same({
        "kustomization.yaml": "resources:\n- d.yaml\n- s.yaml\npatchesStrategicMerge:\n- p.yaml\n",
        "d.yaml": BASE,
        "s.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n",
        "p.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
                  "$patch: delete\n",
    })
    assert "Deployment" not in out


def test_custom_resource_lists_are_replaced(oracle):
    oracle.assert_same({
        "kustomization.yaml": "resources:\n- cr.yaml\npatches:\n- path: p.yaml\n",
        "cr.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"
                   "spec:\n  items:\n  - name: a\n    v: 1\n  - name: b\n    v: 2\n"
                   "  nested:\n    x: 1\n",
        "p.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"
                  "spec:\n  items:\n  - name: b\n    v: 3\n  nested:\n    y: 2\n",
    })
