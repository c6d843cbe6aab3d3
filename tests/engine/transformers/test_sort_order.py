"""The legacy sort's order on mixes that tell its two paths apart (the key sort, and the
comparison kept for two Namespace kinds or two kinds with one gvk string): kinds whose gvk
strings are prefixes of each other, Namespaces of several groups, missing names and
namespaces, ranked and unranked kinds. kubectl must print the same order."""
import random

import pytest

KINDS = [("v1", "Namespace"), ("example.com/v1", "Namespace"), ("other.io/v1", "Namespace"),
         ("v1", "ConfigMap"), ("v1", "Config"), ("v1", "ConfigMap2"), ("apps/v1", "Deployment"),
         ("apps/v1beta1", "Deployment"), ("apps/v1", "Deploy"), ("x.io/v1", "Widget"),
         ("x.io/v1", "Widget_b"), ("x.io/v1_b", "Widget"), ("v1", "Service"),
         ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"),
         ("rbac.authorization.k8s.io/v1", "ClusterRole")]


def _doc(rng, i):
    av, kind = rng.choice(KINDS)
    lines = ["apiVersion: %s" % av, "kind: %s" % kind, "metadata:"]
    lines.append("  name: %s" % rng.choice(["a", "b", "a-b", "a|b", "Z", "n%d" % i]))
    if kind != "Namespace" and rng.random() < 0.5:
        lines.append("  namespace: %s" % rng.choice(["ns", "ns-a", "a", "Z"]))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(6))
def test_random_mixes_sort_as_kubectl_does(oracle, seed):
    rng = random.Random(seed)
    docs, seen = [], set()
    for i in range(rng.randint(4, 14)):
        d = _doc(rng, i)
        if d not in seen:               # duplicates are an error in both
            seen.add(d)
            docs.append(d)
    if seed % 2 == 0:                   # the key sort's case: at most one Namespace kind
        kept, namespace = [], None
        for d in docs:
            if "kind: Namespace" in d:
                av = d.split("\n")[0]
                if namespace not in (None, av):
                    continue
                namespace = av
            kept.append(d)
        docs = kept
    oracle.assert_same({"kustomization.yaml": "resources: [all.yaml]\n",
                        "all.yaml": "---\n".join(docs)})
