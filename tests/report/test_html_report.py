"""The HTML report (--kustomize-html, `pytest-kustomize report`) opened in a real browser:
Debian's chromium, headless. The DOM after its script ran holds the objects, the changes,
their provenance and the dependsOn graph; the screenshot is not blank and shows the colours
of the added, removed and changed markers."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import git
import pytest

from pytest_kustomize.htmlreport import COLORS

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import _png  # noqa: E402  (a helper module beside this file, loaded by path)

ROOT = os.path.dirname(os.path.dirname(HERE))

FILES = {
    # before -> after: a Deployment whose replicas a patch raises, a ConfigMap removed, a
    # Service added, a Secret whose value changed
    "before/kustomization.yaml": "resources: [app.yaml, old.yaml]\n"
                                 "secretGenerator:\n- name: creds\n  literals: [pw=one]\n"
                                 "generatorOptions: {disableNameSuffixHash: true}\n",
    "before/app.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
                       "spec: {replicas: 1}\n",
    "before/old.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: legacy-settings}\n"
                       "data: {a: b}\n",
    "after/app.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
                      "spec: {replicas: 1}\n",
    "after/kustomization.yaml": "resources: [app.yaml, svc.yaml]\n"
                                "patches: [{path: scale.yaml}]\n"
                                "secretGenerator:\n- name: creds\n  literals: [pw=two]\n"
                                "generatorOptions: {disableNameSuffixHash: true}\n",
    "after/scale.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
                        "spec: {replicas: 4}\n",
    "after/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: brand-new-svc}\n"
                      "spec: {ports: [{port: 80}]}\n",
    # a Flux tree: infra, apps dependsOn infra, and one whose path does not exist
    "fleet/clusters/c1/flux-system/gotk-sync.yaml": textwrap.dedent("""\
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: GitRepository
        metadata: {name: flux-system, namespace: flux-system}
        spec: {interval: 1m0s, ref: {branch: main}, url: https://example.com/fleet.git}
        ---
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: flux-system, namespace: flux-system}
        spec:
          interval: 10m0s
          path: ./clusters/c1
          prune: true
          sourceRef: {kind: GitRepository, name: flux-system}
        """),
    "fleet/clusters/c1/apps.yaml": "".join(textwrap.dedent("""\
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: %s, namespace: flux-system}
        spec:
          interval: 10m0s
          path: %s
          prune: true
          sourceRef: {kind: GitRepository, name: flux-system}
          %s
        ---
        """) % args for args in (("infra-controllers", "./infra", ""),
                                 ("apps-frontend", "./apps",
                                  "dependsOn: [{name: infra-controllers}]"),
                                 ("broken-one", "./does-not-exist", ""))),
    "fleet/infra/kustomization.yaml": "resources: [ns.yaml]\n",
    "fleet/infra/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: infra-ns}\n",
    "fleet/apps/kustomization.yaml": "resources: [cm.yaml]\n",
    "fleet/apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: frontend-cfg}\n"
                          "data: {x: y}\n",
}

TEST = textwrap.dedent("""\
    import pytest_kustomize
    from pytest_kustomize.diff import diff

    def test_review(kustomize_html_report):
        d = diff(pytest_kustomize.build("before"), pytest_kustomize.build("after"),
                 name="before -> after")
        kustomize_html_report.add_diff("before -> after", d)
        assert d
    """)


def _chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        msg = "chromium not found; install it with: apt-get install -y chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    return exe


def _browser(exe, *args, cwd):
    out = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu",
                          "--hide-scrollbars", "--force-color-profile=srgb", *args],
                         capture_output=True, text=True, timeout=120, cwd=cwd)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


@pytest.fixture
def report(pytester):
    for name, text in FILES.items():
        p = pytester.path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    pytester.makeini("[pytest]\nkustomize_flux_trees = fleet/clusters/c1 fleet\n")
    pytester.makepyfile(test_review=TEST)
    result = pytester.runpytest("--kustomize-html=out/report.html")
    result.stdout.fnmatch_lines(["*kustomize HTML report: *out/report.html (2 parts)*"])
    # the failing Flux Kustomization is a failed item; the review test passes
    result.assert_outcomes(passed=5, failed=1)
    return pytester.path / "out" / "report.html"


def test_the_report_in_headless_chromium(report, tmp_path):
    exe = _chromium()
    url = report.as_uri()
    dom = _browser(exe, "--dump-dom", url, cwd=str(tmp_path))
    # the script ran: it counted the entries the page shows
    assert "Shown by the page: 8 entries (1 added, 1 removed, 2 changed, 3 ok, 1 error)" \
        in dom, dom[:3000]
    for text in ("Service.v1.[noGrp]/brand-new-svc.[noNs]",       # added
                 "ConfigMap.v1.[noGrp]/legacy-settings.[noNs]",   # removed
                 "spec.replicas",                                  # changed field
                 "scale.yaml",                                     # provenance of the change
                 "*** (secret value) ***",                         # masked Secret change
                 "flux-system/apps-frontend dependsOn flux-system/infra-controllers",
                 "flux-system/broken-one", "does-not-exist",       # the failed build
                 "infra-ns", "frontend-cfg"):
        assert text in dom, text
    assert "pw=two" not in dom and "dHdv" not in dom     # the Secret's value is not shown
    shot = tmp_path / "shot.png"
    _browser(exe, "--screenshot=%s" % shot, "--window-size=1100,1400", url,
             cwd=str(tmp_path))
    width, height, rows = _png.read(str(shot))
    assert (width, height) == (1100, 1400)
    colours = {px for row in rows[::7] for px in row[::7]}
    assert len(colours) > 20, "the screenshot looks blank"
    for status in ("added", "removed", "changed"):
        n = _png.count_near(rows, _png.hex_rgb(COLORS[status]))
        assert n > 500, "%s marker colour %s: %d pixels" % (status, COLORS[status], n)


def test_the_cli_writes_the_same_kind_of_report(report, tmp_path):
    base = report.parent.parent
    out = subprocess.run([sys.executable, "-m", "pytest_kustomize", "report", "flux",
                          "fleet/clusters/c1", "--root", "fleet", "--html", "flux.html"],
                         capture_output=True, text=True, cwd=str(base),
                         env=dict(os.environ, PYTHONPATH=ROOT))
    assert out.returncode == 0, out.stderr
    assert out.stderr == "flux.html: 3 Kustomizations built, 1 failed\n"
    dom = _browser(_chromium(), "--dump-dom", (base / "flux.html").as_uri(),
                   cwd=str(tmp_path))
    assert "Shown by the page: 4 entries (3 ok, 1 error)" in dom
    assert "<svg" in dom and "infra-controllers" in dom
    out = subprocess.run([sys.executable, "-m", "pytest_kustomize", "report", "diff",
                          "before", "nope", "--html", "d.html"], capture_output=True,
                         text=True, cwd=str(base), env=dict(os.environ, PYTHONPATH=ROOT))
    assert out.returncode == 2 and out.stderr.startswith("Error: ") and "nope" in out.stderr
    assert "Traceback" not in out.stderr


def test_diff_of_two_refs_as_html(tmp_path):
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "kustomization.yaml").write_text("resources: [d.yaml]\n")
    (tmp_path / "o" / "d.yaml").write_text(FILES["before/app.yaml"])
    repo = git.Repo.init(tmp_path)
    repo.index.add(["o/kustomization.yaml", "o/d.yaml"])
    repo.index.commit("base", author=git.Actor("t", "t@example.com"),
                      committer=git.Actor("t", "t@example.com"))
    (tmp_path / "o" / "d.yaml").write_text(FILES["before/app.yaml"].replace(
        "replicas: 1", "replicas: 7"))
    out = subprocess.run([sys.executable, "-m", "pytest_kustomize", "diff", "--base", "HEAD",
                          "-o", "html", "o"], capture_output=True, text=True,
                         cwd=str(tmp_path), env=dict(os.environ, PYTHONPATH=ROOT))
    assert out.returncode == 1, out.stderr            # 1: changes
    (tmp_path / "r.html").write_text(out.stdout)
    dom = _browser(_chromium(), "--dump-dom", (tmp_path / "r.html").as_uri(),
                   cwd=str(tmp_path))
    assert "pytest-kustomize diff HEAD..work tree" in dom
    assert "Shown by the page: 1 entries (1 changed)" in dom
    assert '<td class="old">1</td><td class="new">7</td>' in dom
