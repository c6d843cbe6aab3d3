"""Generate a monorepo of many overlays sharing bases and components, shaped like a platform
team's GitOps repository:

    bases/common            Namespace-less shared objects (ServiceAccount, ConfigMap, PDB)
    bases/jobs              a CronJob and its generated ConfigMap (every 4th overlay)
    bases/appNN             an app: Deployment, Service, HPA, generated ConfigMap, Secret;
                            resources: ../common (a base of bases)
    components/monitoring   ServiceMonitor-like ConfigMap, annotations, a patch
    components/hardening    securityContext patch (JSON 6902) and a NetworkPolicy
    components/debug        an env var patch, a label
    envs/ENV/tenantNNN      overlays: one or two bases, components, namespace, namePrefix,
                            labels with selectors, annotations, images, replicas, patches,
                            configMapGenerator and secretGenerator

``generate(root, overlays=300, bases=10)``; run as a script: ``genrepo.py ROOT [N [B]]``."""
from __future__ import annotations

import os
import sys

ENVS = ("dev", "staging", "prod")


def _w(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def _base(root: str, i: int) -> None:
    name = "app%02d" % i
    d = os.path.join(root, "bases", name)
    ports = "\n".join("        - containerPort: %d\n          name: p%d" % (8080 + p, p)
                      for p in range(1 + i % 3))
    _w(os.path.join(d, "deployment.yaml"), f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels:
    app.kubernetes.io/name: {name}
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: {name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {name}
      annotations:
        prometheus.io/scrape: "true"
    spec:
      serviceAccountName: shared
      containers:
      - name: main
        image: registry.example.com/platform/{name}:1.{i}.0
        args: ["--port=8080", "--log-level=info"]
        ports:
{ports}
        env:
        - name: CONFIG_PATH
          value: /etc/{name}/config.yaml
        - name: SETTINGS
          valueFrom:
            configMapKeyRef:
              name: {name}-settings
              key: mode
        envFrom:
        - secretRef:
            name: {name}-credentials
        resources:
          requests:
            cpu: 100m
            memory: 128Mi
          limits:
            memory: 256Mi
        volumeMounts:
        - name: config
          mountPath: /etc/{name}
      volumes:
      - name: config
        configMap:
          name: {name}-settings
""")
    _w(os.path.join(d, "service.yaml"), f"""apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector:
    app.kubernetes.io/name: {name}
  ports:
  - name: http
    port: 80
    targetPort: 8080
""")
    _w(os.path.join(d, "hpa.yaml"), f"""apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {name}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {name}
  minReplicas: 1
  maxReplicas: {3 + i}
  metrics:
  - type: Resource
    resource:
      name: cpu
      target:
        type: Utilization
        averageUtilization: 70
""")
    _w(os.path.join(d, "config.properties"), "".join(
        "key%d=value-%d-%d\n" % (k, i, k) for k in range(12)))
    _w(os.path.join(d, "kustomization.yaml"), f"""apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- ../common
- deployment.yaml
- service.yaml
- hpa.yaml
labels:
- pairs:
    app.kubernetes.io/part-of: {name}
configMapGenerator:
- name: {name}-settings
  files:
  - config.properties
  literals:
  - mode=standard
secretGenerator:
- name: {name}-credentials
  literals:
  - username={name}
  - password=not-a-secret-{i}
""")


def _common(root: str) -> None:
    d = os.path.join(root, "bases", "common")
    _w(os.path.join(d, "objects.yaml"), """apiVersion: v1
kind: ServiceAccount
metadata:
  name: shared
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: shared-env
data:
  REGION: eu-west-1
  TRACING: "on"
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: shared
spec:
  minAvailable: 1
  selector:
    matchLabels:
      tier: app
""")
    _w(os.path.join(d, "kustomization.yaml"), """resources:
- objects.yaml
commonAnnotations:
  owner: platform-team
""")


def _jobs(root: str) -> None:
    d = os.path.join(root, "bases", "jobs")
    _w(os.path.join(d, "cronjob.yaml"), """apiVersion: batch/v1
kind: CronJob
metadata:
  name: cleanup
spec:
  schedule: "17 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: cleanup
            image: registry.example.com/platform/cleanup:2.0.1
            envFrom:
            - configMapRef:
                name: cleanup-settings
""")
    _w(os.path.join(d, "kustomization.yaml"), """resources:
- cronjob.yaml
configMapGenerator:
- name: cleanup-settings
  literals:
  - RETENTION_DAYS=14
""")


def _components(root: str) -> None:
    c = os.path.join(root, "components")
    _w(os.path.join(c, "monitoring", "kustomization.yaml"), """apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources:
- monitor.yaml
commonAnnotations:
  monitoring: enabled
patches:
- target:
    kind: Deployment
  patch: |-
    - op: add
      path: /spec/template/metadata/annotations/prometheus.io~1port
      value: "9090"
""")
    _w(os.path.join(c, "monitoring", "monitor.yaml"), """apiVersion: v1
kind: ConfigMap
metadata:
  name: scrape-config
data:
  interval: 30s
""")
    _w(os.path.join(c, "hardening", "kustomization.yaml"), """apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources:
- netpol.yaml
patches:
- target:
    kind: Deployment
  patch: |-
    - op: add
      path: /spec/template/spec/securityContext
      value:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
""")
    _w(os.path.join(c, "hardening", "netpol.yaml"), """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
spec:
  podSelector: {}
  policyTypes:
  - Ingress
""")
    _w(os.path.join(c, "debug", "kustomization.yaml"), """apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
labels:
- pairs:
    debug: "true"
patches:
- target:
    kind: Deployment
  patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: any
    spec:
      template:
        spec:
          containers:
          - name: main
            env:
            - name: LOG_LEVEL
              value: debug
""")


def _overlay(root: str, n: int, bases: int) -> str:
    env = ENVS[n % len(ENVS)]
    d = os.path.join(root, "envs", env, "tenant%03d" % n)
    a = n % bases
    apps = ["app%02d" % a]
    comps = [c for c, on in (("monitoring", n % 2 == 0), ("hardening", env == "prod"),
                             ("debug", env == "dev")) if on]
    res = "".join("- ../../../bases/%s\n" % x for x in apps + (["jobs"] if n % 4 == 0 else []))
    comp = "".join("- ../../../components/%s\n" % c for c in comps)
    patches = "".join(f"""- target:
    kind: Deployment
    name: {x}
  patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: {x}
    spec:
      template:
        spec:
          containers:
          - name: main
            resources:
              limits:
                memory: {256 + 64 * (n % 4)}Mi
- target:
    kind: HorizontalPodAutoscaler
    name: {x}
  patch: |-
    - op: replace
      path: /spec/minReplicas
      value: {1 + n % 3}
""" for x in apps)
    images = "".join("- name: registry.example.com/platform/%s\n  newTag: 1.%d.%d\n"
                     % (x, n % 9, n % 5) for x in apps)
    replicas = "".join("- name: %s\n  count: %d\n" % (x, 1 + n % 5) for x in apps)
    _w(os.path.join(d, "kustomization.yaml"), f"""apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: {env}-t{n:03d}
namePrefix: t{n:03d}-
resources:
{res}- namespace.yaml
components:
{comp if comp else "[]"}
labels:
- pairs:
    tenant: t{n:03d}
    env: {env}
  includeSelectors: true
commonAnnotations:
  tenant.example.com/contact: team-{n % 17}@example.com
images:
{images}replicas:
{replicas}patches:
{patches}configMapGenerator:
- name: tenant-settings
  literals:
  - TENANT=t{n:03d}
  - ENV={env}
secretGenerator:
- name: tenant-token
  literals:
  - token=t{n:03d}-not-secret
""".replace("components:\n[]\n", "components: []\n"))
    _w(os.path.join(d, "namespace.yaml"), f"""apiVersion: v1
kind: Namespace
metadata:
  name: {env}-t{n:03d}
""")
    return d


def generate(root: str, overlays: int = 300, bases: int = 10) -> list:
    """Write the repository under ``root``; returns the overlay directories."""
    _common(root)
    for i in range(bases):
        _base(root, i)
    _jobs(root)
    _components(root)
    return [_overlay(root, n, bases) for n in range(overlays)]


if __name__ == "__main__":
    out = generate(sys.argv[1], *(int(x) for x in sys.argv[2:4]))
    print("%d overlays under %s" % (len(out), sys.argv[1]))
