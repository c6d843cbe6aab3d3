"""The policy helpers users asked for, run as a user's pytest suite (pytester) and judged by
what pytest prints: plain-text Secrets (SOPS, SealedSecret, ExternalSecret allowed), required
labels, floating image tags (HelmRelease values included), patches whose target selected
nothing (kubectl kustomize renders them silently: checked), requests/limits, probes, and
waivers with reasons, unused ones reported."""
from __future__ import annotations

import os
import shutil
import subprocess
import textwrap

import pytest

import pytest_kustomize
from pytest_kustomize.policy import (FLOATING_OR_MAJOR, PolicyError, Waiver,
                                     check_images_pinned, check_patches_matched)

FILES = {
    "app/kustomization.yaml": """\
        resources: [deploy.yaml, job.yaml, secrets.yaml, helmrelease.yaml]
        labels:
        - pairs: {app.kubernetes.io/part-of: shop}
        secretGenerator:
        - name: generated
          literals: [token=s3cr3t-literal]
        patches:
        - target: {kind: Deployment, name: web}
          patch: |-
            - {op: add, path: /spec/replicas, value: 2}
        - target: {kind: Deployment, name: wbe}
          patch: |-
            - {op: add, path: /spec/replicas, value: 3}
        - path: sts-patch.yaml
          target: {kind: StatefulSet}
        """,
    "app/sts-patch.yaml": """\
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: any}
        spec: {replicas: 1}
        """,
    "app/deploy.yaml": """\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, labels: {team: payments}}
        spec:
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: web
                image: nginx:1.27.3
                resources: {limits: {cpu: "1", memory: 1Gi}}
                readinessProbe: {httpGet: {path: /, port: 80}}
                livenessProbe: {httpGet: {path: /, port: 80}}
              - name: sidecar
                image: busybox:stable
                resources: {requests: {cpu: 10m}}
              - name: proxy
                image: alpine
              - name: pinned
                image: envoyproxy/envoy@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
                resources: {requests: {cpu: 10m, memory: 10Mi}}
                readinessProbe: {tcpSocket: {port: 1}}
                livenessProbe: {tcpSocket: {port: 1}}
        """,
    "app/job.yaml": """\
        apiVersion: batch/v1
        kind: Job
        metadata: {name: migrate, labels: {team: payments}}
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
              - {name: migrate, image: "flyway/flyway:10.17.0",
                 resources: {requests: {cpu: 10m, memory: 64Mi}}}
        """,
    "app/secrets.yaml": """\
        apiVersion: v1
        kind: Secret
        metadata: {name: plain, labels: {team: payments}}
        stringData: {password: hunter2-plain}
        data: {empty: ""}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: sops-ok, labels: {team: payments}}
        data:
          password: ENC[AES256_GCM,data:9Vh3,iv:abc=,tag:def==,type:str]
        sops:
          age: [{recipient: age1xyz, enc: "-----BEGIN AGE ENCRYPTED FILE-----"}]
          encrypted_regex: ^(data|stringData)$
          version: 3.8.1
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: sops-leak, labels: {team: payments}}
        data:
          password: ENC[AES256_GCM,data:9Vh3,iv:abc=,tag:def==,type:str]
          forgotten: bGVha2VkLWluLWNsZWFy
        sops: {version: 3.8.1, encrypted_regex: ^password$}
        ---
        apiVersion: bitnami.com/v1alpha1
        kind: SealedSecret
        metadata: {name: sealed, labels: {team: payments}}
        spec: {encryptedData: {password: AgBy8hCi}}
        ---
        apiVersion: external-secrets.io/v1beta1
        kind: ExternalSecret
        metadata: {name: external, labels: {team: payments}}
        spec: {secretStoreRef: {name: vault}, data: [{secretKey: password,
               remoteRef: {key: db}}]}
        """,
    "app/helmrelease.yaml": """\
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata: {name: ingress, labels: {team: platform}}
        spec:
          chart: {spec: {chart: ingress-nginx, version: 4.11.3}}
          values:
            controller:
              image: {registry: registry.k8s.io, repository: ingress-nginx/controller,
                      tag: latest}
              admissionWebhooks:
                patch:
                  image: {repository: ingress-nginx/kube-webhook-certgen}
            defaultBackend:
              image: {repository: defaultbackend-amd64, tag: "1.5"}
            extra:
              sidecars: [{name: log, image: "fluent/fluent-bit:edge"}]
        """,
}

SUITE = '''
import os
import pytest_kustomize
from pytest_kustomize.assertions import (
    Waiver, check_images_pinned, check_no_plaintext_secrets, check_patches_matched,
    check_probes, check_required_labels, check_resource_limits, check_resource_requests)

R = pytest_kustomize.build("app")

def test_secrets():
    check_no_plaintext_secrets(R)

def test_secrets_waived():
    check_no_plaintext_secrets(R, waivers=[
        Waiver("Secret/plain", "no-plaintext-secrets", "a throwaway dev password"),
        Waiver("Secret/sops-leak", "no-plaintext-secrets", "rotated in INC-42"),
        Waiver("Secret/generated", "no-plaintext-secrets", "test token"),
        Waiver("Secret/never-there", "no-plaintext-secrets", "old exception")])

def test_labels():
    check_required_labels(R, {"app.kubernetes.io/part-of": "shop", "team": "payments"})

def test_pod_template_labels():
    check_required_labels([R.get("Deployment", "web"), R.get("Job", "migrate")], ["app"],
                          pod_templates=True)

def test_images():
    check_images_pinned(R)

def test_patches():
    check_patches_matched(R)

def test_patches_waived():
    check_patches_matched(R, waivers=[
        Waiver("app/kustomization.yaml:patches[1]", "patches-matched", "typo kept for demo"),
        Waiver("*kustomization.yaml:patches[2]", "patches-matched", "sts comes later")])

def test_requests_limits():
    check_resource_requests(R)
    check_resource_limits(R, waivers=[Waiver("Job/migrate", "resource-limits", "batch")])

def test_probes():
    check_probes(R)
'''


@pytest.fixture
def suite(pytester):
    for rel, text in FILES.items():
        p = pytester.path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))
    pytester.makepyfile(test_policy_suite=SUITE)
    result = pytester.runpytest("-p", "no:cacheprovider", "-rA", "-v")
    return pytester, result


def _section(out: str, test: str) -> str:
    """The failure section of one test."""
    head = "_ %s _" % test
    start = out.index(head)
    nxt = out.find("\n____", start + len(head))
    end = out.find("short test summary", start) if nxt < 0 else nxt
    return out[start:end]


def test_outcomes_and_no_secret_value_printed(suite):
    _, result = suite
    result.stdout.fnmatch_lines([
        "*::test_secrets FAILED*", "*::test_secrets_waived FAILED*", "*::test_labels FAILED*",
        "*::test_pod_template_labels FAILED*", "*::test_images FAILED*",
        "*::test_patches FAILED*", "*::test_patches_waived PASSED*",
        "*::test_requests_limits FAILED*", "*::test_probes FAILED*"])
    out = result.stdout.str()
    for value in ("hunter2-plain", "bGVha2VkLWluLWNsZWFy", "s3cr3t-literal", "czNjcjN0"):
        assert value not in out


def test_plain_text_secrets_are_named_encrypted_kinds_pass(suite):
    sec = _section(suite[1].stdout.str(), "test_secrets")
    assert "no-plaintext-secrets: 3 violation(s)" in sec
    assert ("Secret.v1.[noGrp]/plain.[noNs]: stringData.password: is a plain-text value "
            "(encrypt it with SOPS, or commit a SealedSecret / ExternalSecret instead) — set "
            "in app/secrets.yaml") in sec
    assert ("Secret.v1.[noGrp]/sops-leak.[noNs]: data.forgotten: is not encrypted although "
            "the Secret has sops metadata") in sec
    assert "Secret.v1.[noGrp]/generated-" in sec and ": data.token: is a plain-text" in sec
    for fine in ("sops-ok", "sealed", "external", "data.empty", "data.password: is not"):
        assert fine not in sec


def test_an_unused_waiver_fails_naming_it(suite):
    sec = _section(suite[1].stdout.str(), "test_secrets_waived")
    assert "no-plaintext-secrets: 0 violation(s)" in sec
    assert "unused waivers (they matched nothing; remove them):" in sec
    assert "no-plaintext-secrets for Secret/never-there (old exception)" in sec
    assert "Secret/plain" not in sec.split("unused waivers")[1]


def test_required_labels(suite):
    sec = _section(suite[1].stdout.str(), "test_labels")
    assert "required-labels: 2 violation(s)" in sec
    assert ("HelmRelease.v2.helm.toolkit.fluxcd.io/ingress.[noNs]: metadata.labels.team: "
            "label 'team' is 'platform', expected 'payments' — object from "
            "app/helmrelease.yaml" in sec)
    assert ("Secret.v1.[noGrp]/generated-bct7c7fk65.[noNs]: metadata.labels.team: label "
            "'team' is missing — object from kustomization.yaml (SecretGenerator)" in sec)
    pods = _section(suite[1].stdout.str(), "test_pod_template_labels")
    assert "required-labels: 3 violation(s)" in pods
    for line in ("Deployment.v1.apps/web.[noNs]: metadata.labels.app: label 'app' is missing",
                 "Job.v1.batch/migrate.[noNs]: metadata.labels.app: label 'app' is missing",
                 "Job.v1.batch/migrate.[noNs]: spec.template.metadata.labels.app: label 'app' "
                 "is missing"):
        assert line in pods
    assert "Deployment.v1.apps/web.[noNs]: spec.template" not in pods


def test_floating_tags_and_helm_values(suite):
    sec = _section(suite[1].stdout.str(), "test_images")
    assert "images-pinned: 4 violation(s)" in sec
    for line in (
            "Deployment.v1.apps/web.[noNs]: spec.template.spec.containers[1].image: image "
            "'busybox:stable' uses the floating tag 'stable' (a moving name, not a release)",
            "Deployment.v1.apps/web.[noNs]: spec.template.spec.containers[2].image: image "
            "'alpine' is not pinned (tag missing)",
            "HelmRelease.v2.helm.toolkit.fluxcd.io/ingress.[noNs]: "
            "spec.values.controller.image.tag: image "
            "'registry.k8s.io/ingress-nginx/controller:latest' is not pinned (tag latest)",
            "HelmRelease.v2.helm.toolkit.fluxcd.io/ingress.[noNs]: "
            "spec.values.extra.sidecars[0].image: image 'fluent/fluent-bit:edge' uses the "
            "floating tag 'edge'"):
        assert line in sec
    for pinned in ("nginx:1.27.3", "envoy@", "flyway", "defaultbackend", "certgen"):
        assert pinned not in sec


def test_unmatched_patch_targets_named_by_file_and_field(suite):
    sec = _section(suite[1].stdout.str(), "test_patches")
    assert "patches-matched: 2 violation(s)" in sec
    assert ("app/kustomization.yaml: patches[1]: the target {kind: Deployment, name: wbe} "
            "of inline patch selected no resource (kustomize applied it to nothing, "
            "silently)") in sec
    assert ("app/kustomization.yaml: patches[2]: the target {kind: StatefulSet} of "
            "sts-patch.yaml selected no resource") in sec
    assert "patches[0]" not in sec
    # the failure is the message, not the plugin's frames
    assert "policy.py" not in sec and len(sec.strip().splitlines()) <= 25, sec


def test_requests_limits_and_probes(suite):
    out = suite[1].stdout.str()
    sec = _section(out, "test_requests_limits")
    assert "resource-requests: 2 violation(s)" in sec
    assert ("Deployment.v1.apps/web.[noNs]: spec.template.spec.containers[1].resources."
            "requests: container 'sidecar' requests no memory") in sec
    assert "containers[2].resources.requests: container 'proxy' requests no cpu, memory" in sec
    assert "container 'web'" not in sec         # its limits are copied into its requests
    probes = _section(out, "test_probes")
    assert "probes: 2 violation(s)" in probes
    assert "container 'sidecar' has no readinessProbe, livenessProbe" in probes
    assert "container 'proxy' has no readinessProbe, livenessProbe" in probes
    assert "migrate" not in probes               # a Job runs to completion: no probes


def test_the_oracle_renders_the_unmatched_patches_silently(tmp_path):
    """kubectl kustomize (v5.5.0) builds the kustomization without a word about the two
    patches that selected nothing; the engine renders the same bytes and records them."""
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl not on PATH (it bundles the reference kustomize)")
    for rel, text in FILES.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))
    ref = subprocess.run(["kubectl", "kustomize", str(tmp_path / "app")], capture_output=True,
                         text=True, timeout=120)
    assert ref.returncode == 0 and ref.stderr == ""
    res = pytest_kustomize.build(tmp_path / "app")
    assert res.to_yaml() == ref.stdout
    assert [(os.path.basename(m.kfile), m.field, m.matched) for m in res.patch_matches] == [
        ("kustomization.yaml", "patches[0]", 1), ("kustomization.yaml", "patches[1]", 0),
        ("kustomization.yaml", "patches[2]", 0)]


def test_patch_records_need_a_render_and_cover_json6902(tmp_path):
    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    (tmp_path / "kustomization.yaml").write_text(textwrap.dedent("""\
        resources: [a.yaml]
        patchesJson6902:
        - target: {version: v1, kind: ConfigMap, name: nope}
          patch: '[{"op": "add", "path": "/data", "value": {}}]'
        """))
    res = pytest_kustomize.build(tmp_path)
    with pytest.raises(PolicyError, match=r"kustomization.yaml: patchesJson6902\[0\]: the target "
                       r"\{kind: ConfigMap, name: nope, version: v1\} of inline patch"):
        check_patches_matched(res)
    check_patches_matched(res.select(kind="ConfigMap"), waivers=[
        Waiver("%s:patchesJson6902[0]" % (tmp_path / "kustomization.yaml"),
               "patches-matched", "absolute path works too")])
    with pytest.raises(TypeError, match="needs the render itself"):
        check_patches_matched(list(res))


def test_one_label_name_is_one_label():
    from pytest_kustomize.engine.resource import Resource
    from pytest_kustomize.policy import check_required_labels
    cm = Resource({"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"name": "c", "labels": {"team": "x"}}})
    check_required_labels([cm], "team")          # not the letters t, e, a, m
    with pytest.raises(PolicyError, match="label 'owner' is missing"):
        check_required_labels([cm], "owner")


def test_major_only_tags_are_floating_on_request():
    from pytest_kustomize.engine.resource import Resource
    pod = Resource({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                    "spec": {"containers": [{"name": "db", "image": "postgres:16"}]}})
    check_images_pinned([pod])
    with pytest.raises(PolicyError, match="floating tag '16'"):
        check_images_pinned([pod], floating=FLOATING_OR_MAJOR)
