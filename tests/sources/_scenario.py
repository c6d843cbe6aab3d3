"""A GitOps repository with history: a base, two overlays, and pull-request branches."""
from __future__ import annotations

BASE = {
    "base/kustomization.yaml": """\
        resources:
        - deployment.yaml
        - service.yaml
        - cronjob.yaml
        configMapGenerator:
        - name: settings
          literals:
          - LEVEL=info
        secretGenerator:
        - name: db
          literals:
          - password=hunter2
        """,
    "base/deployment.yaml": """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 2
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
              - name: web
                image: nginx:1.27
                envFrom:
                - configMapRef:
                    name: settings
                - secretRef:
                    name: db
        """,
    "base/service.yaml": """\
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector:
            app: web
          ports:
          - port: 80
        """,
    "base/cronjob.yaml": """\
        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: cleanup
        spec:
          schedule: "0 3 * * *"
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: Never
                  containers:
                  - name: cleanup
                    image: busybox:1.36
        """,
    "overlays/prod/kustomization.yaml": """\
        namespace: prod
        namePrefix: prod-
        resources:
        - ../../base
        patches:
        - path: replicas.yaml
        """,
    "overlays/prod/replicas.yaml": """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 3
        """,
    "overlays/dev/kustomization.yaml": """\
        namespace: dev
        resources:
        - ../../base
        """,
}

# a pull request touching only the production overlay
PR_PROD = {
    "overlays/prod/replicas.yaml": """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 5
        """,
    "overlays/prod/kustomization.yaml": """\
        namespace: prod
        namePrefix: prod-
        resources:
        - ../../base
        - ingress.yaml
        patches:
        - path: replicas.yaml
        - target:
            kind: CronJob
          patch: |
            $patch: delete
            apiVersion: batch/v1
            kind: CronJob
            metadata:
              name: cleanup
        images:
        - name: nginx
          newTag: "1.28"
        secretGenerator:
        - name: db
          behavior: replace
          literals:
          - password=correct-horse
        """,
    "overlays/prod/ingress.yaml": """\
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: web
        spec:
          rules:
          - host: shop.example.com
            http:
              paths:
              - path: /
                pathType: Prefix
                backend:
                  service:
                    name: web
                    port:
                      number: 80
        """,
}

# a pull request that changes a selector (apply refuses it)
PR_SELECTOR = {
    "base/deployment.yaml": BASE["base/deployment.yaml"].replace("app: web", "app: web2"),
    "base/service.yaml": BASE["base/service.yaml"].replace("app: web", "app: web2"),
}

# a pull request that breaks the dev overlay
PR_BROKEN = {"overlays/dev/kustomization.yaml": "resources:\n- ../../base\n- missing.yaml\n"}


def make(repo) -> None:
    """main with BASE; branches pr-prod, pr-selector, pr-broken off it; back on main."""
    repo.commit(BASE, "base and overlays")
    repo.git("tag", "v1")
    for branch, files in (("pr-prod", PR_PROD), ("pr-selector", PR_SELECTOR),
                          ("pr-broken", PR_BROKEN)):
        repo.git("checkout", "-q", "-b", branch, "main")
        repo.commit(files, branch)
    repo.git("checkout", "-q", "main")
