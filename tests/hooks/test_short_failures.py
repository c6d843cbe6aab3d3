"""A failing render is short wherever it is reached — pytest_kustomize.build() called
directly, the flux fixture, a --kustomize-validate item, a Flux tree item: at most 25 lines
in its failure section, naming the kustomization file and the field, no engine frames."""
from __future__ import annotations

import re
import textwrap

FLUX_KS = textwrap.dedent("""\
    apiVersion: kustomize.toolkit.fluxcd.io/v1
    kind: Kustomization
    metadata: {name: app, namespace: flux-system}
    spec: {interval: 10m, path: ./overlays/broken, prune: true,
           sourceRef: {kind: GitRepository, name: flux-system}}
    ---
    apiVersion: source.toolkit.fluxcd.io/v1
    kind: GitRepository
    metadata: {name: flux-system, namespace: flux-system}
    spec: {interval: 1m, ref: {branch: main}, url: https://example.com/fleet.git}
    """)
TREE = {
    "overlays/broken/kustomization.yaml": "resources: [missing.yaml]\n",
    "clusters/c1/app.yaml": FLUX_KS,
}
ERROR = "*overlays/broken/kustomization.yaml: field resources: *missing.yaml*"


def _write(pytester):
    for path, content in TREE.items():
        p = pytester.path / path
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(content)


def _sections(lines) -> dict:
    sections, name = {}, None
    for line in lines:
        if re.match(r"^=+ (short test summary info|warnings summary) =+$", line) or \
                line.startswith("kustomize validation:"):
            name = None
            continue
        m = re.match(r"^_+ (.+?) _+$", line)
        if m:
            name = m.group(1)
            sections[name] = []
        elif name:
            sections[name].append(line)
    return sections


def test_every_way_to_a_failed_render_is_short(pytester):
    _write(pytester)
    pytester.makeini("[pytest]\nkustomize_validate = true\n"
                     "kustomize_flux_trees = clusters/c1\n")
    pytester.makepyfile(test_x=textwrap.dedent("""\
        import pytest_kustomize

        def test_direct():
            pytest_kustomize.build("overlays/broken")

        def test_flux_fixture(flux):
            flux.build("app", "clusters/c1/app.yaml")
        """))
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:xdist")
    result.assert_outcomes(failed=4, passed=1)          # passed: the dependsOn check
    sections = _sections(result.stdout.lines)
    assert len(sections) == 4, list(sections)
    for name, lines in sections.items():
        text = "\n".join(lines)
        assert len(lines) <= 25, "%s: %d lines\n%s" % (name, len(lines), text)
        assert "pytest_kustomize/engine" not in text and "renderer.py" not in text, text
        assert re.search(r"overlays/broken/kustomization\.yaml: field resources: .*missing"
                         r"\.yaml", text), \
            "%s does not name the file and field:\n%s" % (name, text)
    result.stdout.fnmatch_lines(["*test_direct*", ERROR])
