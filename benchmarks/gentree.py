"""Generate a kustomization tree of about N resources shaped like a large GitOps repo:
Deployments, Services, generated ConfigMaps and Secrets in a base; an overlay with
namePrefix, namespace, labels with selectors, annotations, images, replicas, 20 strategic
merge and 20 JSON 6902 patches; Deployments reference the generated names."""
from __future__ import annotations

import os
import sys


def generate(root: str, n: int, suffix: str = "") -> str:
    """Write the tree under ``root``; returns the overlay directory. ``suffix``: a
    nameSuffix too (the heavy overlay of the benchmarks)."""
    apps = max(1, n // 4)          # each app: Deployment, Service, ConfigMap, Secret
    base = os.path.join(root, "base")
    overlay = os.path.join(root, "overlay")
    os.makedirs(base, exist_ok=True)
    os.makedirs(overlay, exist_ok=True)
    docs = []
    cm_gens, secret_gens = [], []
    for i in range(apps):
        name = "app%05d" % i
        docs.append(f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels:
    app: {name}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
      - name: main
        image: registry.example.com/team/{'api' if i % 2 else 'web'}:1.0.{i % 7}
        ports:
        - containerPort: 8080
        envFrom:
        - configMapRef:
            name: {name}-config
        env:
        - name: PASSWORD
          valueFrom:
            secretKeyRef:
              name: {name}-secret
              key: password
        resources:
          limits: {{cpu: 500m, memory: 256Mi}}
      volumes:
      - name: config
        configMap:
          name: {name}-config
""")
        docs.append(f"""apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector:
    app: {name}
  ports:
  - port: 80
    targetPort: 8080
""")
        cm_gens.append(f"- name: {name}-config\n  literals:\n  - MODE=prod\n  - INDEX={i}\n")
        secret_gens.append(f"- name: {name}-secret\n  literals:\n  - password=pw{i}\n")
    with open(os.path.join(base, "resources.yaml"), "w") as f:
        f.write("---\n".join(docs))
    with open(os.path.join(base, "kustomization.yaml"), "w") as f:
        f.write("resources:\n- resources.yaml\nconfigMapGenerator:\n" + "".join(cm_gens)
                + "secretGenerator:\n" + "".join(secret_gens))
    patches = []
    for i in range(min(20, apps)):
        name = "app%05d" % i
        with open(os.path.join(overlay, "smp%02d.yaml" % i), "w") as f:
            f.write(f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n"
                    f"  template:\n    spec:\n      containers:\n      - name: main\n"
                    f"        env:\n        - name: PATCHED\n          value: \"yes\"\n")
        patches.append("- path: smp%02d.yaml\n" % i)
    for i in range(min(20, apps)):
        name = "app%05d" % (apps - 1 - i)
        patches.append(f"- target:\n    kind: Service\n    name: {name}\n  patch: |-\n"
                       f"    - op: add\n      path: /spec/sessionAffinity\n"
                       f"      value: ClientIP\n")
    with open(os.path.join(overlay, "kustomization.yaml"), "w") as f:
        f.write("resources:\n- ../base\nnamePrefix: prod-\n"
                + ("nameSuffix: %s\n" % suffix if suffix else "") + "namespace: production\n"
                "labels:\n- pairs:\n    env: prod\n  includeSelectors: true\n"
                "commonAnnotations:\n  owner: platform\n"
                "images:\n- name: registry.example.com/team/web\n  newTag: 2.0.0\n"
                "replicas:\n- name: app00000\n  count: 3\n"
                "patches:\n" + "".join(patches))
    return overlay


if __name__ == "__main__":
    print(generate(sys.argv[1], int(sys.argv[2])))
