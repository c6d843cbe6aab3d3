"""The load restrictor against symlinks, for every field that reads a file, compared with
``kubectl kustomize`` and kustomize v5.8.1 (they agree on all of it): a link whose target is outside the kustomization
root is refused with kustomize's message, in the top kustomization, in a base and in a
component; the same trees read from a ``MemoryFS`` give the same errors. Also: links inside
the root, ``LoadRestrictionsNone``, links to directories, loops, dangling links, and the
remote forms kustomize clones instead of reading from disk."""
from __future__ import annotations

import os
import re
import subprocess

import pytest

import pytest_kustomize
from pytest_kustomize.engine.build import build_resources
from pytest_kustomize.engine.fs import MemoryFS
from pytest_kustomize.engine.loader import Loader, is_remote
from pytest_kustomize.engine.remote import is_remote_file, parse_repo_spec
from pytest_kustomize.engine.target import BuildOptions
from pytest_kustomize.errors import KustomizeError
from pytest_kustomize.tools import require_tool

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: b\n"
COMPONENT = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
OUTSIDE = {
    "out/cm.yaml": CM.replace("name: cm", "name: stolen"),
    "out/patch.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  x: y\n",
    "out/json.yaml": "- op: add\n  path: /data/z\n  value: w\n",
    "out/a.env": "SECRET=1\n",
    "out/plugin.yaml": "apiVersion: builtin\nkind: NamespaceTransformer\nmetadata:\n  name: x\n"
                       "  namespace: ns\n",
    "out/gen.yaml": "apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata:\n  name: g\n"
                    "literals:\n- a=b\n",
    "out/repl.yaml": "source: {kind: ConfigMap, name: cm, fieldPath: data.a}\ntargets:\n"
                     "- select: {kind: ConfigMap}\n  fieldPaths: [data.q]\n"
                     "  options: {create: true}\n",
    "out/config.yaml": "namePrefix:\n- path: metadata/name\n",
    "out/crd.json": "{}\n",
    "out/openapi.json": '{"definitions": {}}\n',
    "out/values.yaml": "replicas: 7\n",
}
# field -> (kustomization text reading 'l.yaml', the outside file l.yaml links to)
FIELDS = {
    "resources": ("resources:\n- l.yaml\n", "cm.yaml"),
    "patches": ("resources:\n- cm.yaml\npatches:\n- path: l.yaml\n", "patch.yaml"),
    "patchesStrategicMerge": ("resources:\n- cm.yaml\npatchesStrategicMerge:\n- l.yaml\n",
                              "patch.yaml"),
    "patchesJson6902": ("resources:\n- cm.yaml\npatchesJson6902:\n- target: {version: v1, "
                        "kind: ConfigMap, name: cm}\n  path: l.yaml\n", "json.yaml"),
    "configMapGenerator.files": ("configMapGenerator:\n- name: g\n  files:\n  - l.yaml\n",
                                 "a.env"),
    "configMapGenerator.envs": ("configMapGenerator:\n- name: g\n  envs:\n  - l.yaml\n",
                                "a.env"),
    "configMapGenerator.env": ("configMapGenerator:\n- name: g\n  env: l.yaml\n", "a.env"),
    "secretGenerator.files": ("secretGenerator:\n- name: g\n  files:\n  - key=l.yaml\n",
                              "a.env"),
    "secretGenerator.envs": ("secretGenerator:\n- name: g\n  envs:\n  - l.yaml\n", "a.env"),
    "transformers": ("resources:\n- cm.yaml\ntransformers:\n- l.yaml\n", "plugin.yaml"),
    "generators": ("generators:\n- l.yaml\n", "gen.yaml"),
    "validators": ("resources:\n- cm.yaml\nvalidators:\n- l.yaml\n", "plugin.yaml"),
    "replacements.path": ("resources:\n- cm.yaml\nreplacements:\n- path: l.yaml\n",
                          "repl.yaml"),
    "configurations": ("resources:\n- cm.yaml\nconfigurations:\n- l.yaml\n", "config.yaml"),
    "crds": ("resources:\n- cm.yaml\ncrds:\n- l.yaml\n", "crd.json"),
    "openapi.path": ("resources:\n- cm.yaml\nopenapi:\n  path: l.yaml\n", "openapi.json"),
    # files named inside builtin plugin configs (the config itself sits inside the root)
    "PatchTransformer.path": ("resources:\n- cm.yaml\ntransformers:\n- |\n"
                              "  apiVersion: builtin\n  kind: PatchTransformer\n"
                              "  metadata: {name: p}\n  path: l.yaml\n", "patch.yaml"),
    "ConfigMapGenerator.files": ("generators:\n- |\n  apiVersion: builtin\n"
                                 "  kind: ConfigMapGenerator\n  metadata: {name: g}\n"
                                 "  files:\n  - l.yaml\n", "a.env"),
}
# where the kustomization reading the link sits: its directory, and what the top one says
PLACES = {
    "top": ("app", None),
    "base": ("app/base", "resources:\n- base\n"),
    "component": ("app/comp", "components:\n- comp\n"),
}


def _up(d: str) -> str:
    return "../" * (d.count("/") + 1)


def _write_case(oracle, field: str, place: str) -> tuple[str, str]:
    """The tree for one (field, place); returns (directory of the reading kustomization,
    the top directory to build)."""
    kust, target = FIELDS[field]
    d, top = PLACES[place]
    files = dict(OUTSIDE)
    files[d + "/cm.yaml"] = CM
    files[d + "/kustomization.yaml"] = (COMPONENT if place == "component" else "") + kust
    if top:
        files["app/kustomization.yaml"] = top
    oracle.write(files)
    oracle.symlink({d + "/l.yaml": _up(d) + "out/" + target})
    return os.path.join(os.path.realpath(oracle.root), d), "app"


def _security(d: str) -> str:
    return "security; file '%s/l.yaml' is not in or below '%s'" % (d, d)


def _unquote(stderr: str) -> str:
    """kubectl's log line with its Go-quoted string unquoted (\\" and \\n)."""
    return stderr.replace('\\"', '"').replace("\\n", "\n")


def _engine_error(path: str, fs=None, **options) -> str:
    with pytest.raises(KustomizeError) as ei:
        pytest_kustomize.build(path, fs=fs, **options)
    return str(ei.value)


def _assert_refused_everywhere(oracle, build_dir: str, message: str, flags=(), **options):
    """kubectl and kustomize v5.8.1 fail with ``message``; the engine too, from disk and from
    memory alike."""
    ref = oracle.kubectl(build_dir, *flags)
    assert ref.returncode != 0, ref.stdout
    assert message in _unquote(ref.stderr)
    v581 = oracle.kustomize(build_dir, *flags)
    assert v581.returncode != 0 and message in _unquote(v581.stderr)
    path = os.path.join(os.path.realpath(oracle.root), build_dir)
    on_disk = _engine_error(path, **options)
    assert message in on_disk
    assert _engine_error(path, fs=MemoryFS.from_disk(oracle.root), **options) == on_disk
    return ref


@pytest.mark.parametrize("place", sorted(PLACES))
@pytest.mark.parametrize("field", sorted(FIELDS))
def test_link_out_of_the_root_is_refused(oracle, field, place):
    d, top = _write_case(oracle, field, place)
    _assert_refused_everywhere(oracle, top, _security(d))


@pytest.mark.parametrize("field", ["resources", "patches", "configMapGenerator.files",
                                   "replacements.path", "openapi.path"])
def test_link_out_of_the_root_is_read_under_load_restrictions_none(oracle, field):
    _write_case(oracle, field, "top")
    flags = ("--load-restrictor", "LoadRestrictionsNone")
    ref = oracle.kubectl("app", *flags)
    assert ref.returncode == 0, ref.stderr
    path = os.path.join(os.path.realpath(oracle.root), "app")
    assert oracle.engine("app", load_restrictor="none") == ref.stdout
    mem = MemoryFS.from_disk(oracle.root)
    assert pytest_kustomize.build(path, fs=mem, load_restrictor="none").to_yaml() == ref.stdout


@pytest.mark.parametrize("field", sorted(set(FIELDS) - {"validators"}))
def test_link_inside_the_root_is_read(oracle, field):
    """The same links pointing at a copy inside the root render as kubectl renders them."""
    kust, target = FIELDS[field]
    files = {"app/cm.yaml": CM, "app/kustomization.yaml": kust,
             "app/in/" + target: OUTSIDE["out/" + target]}
    oracle.write(files)
    oracle.symlink({"app/l.yaml": "in/" + target})
    ref = oracle.kubectl("app")
    assert ref.returncode == 0, ref.stderr
    assert oracle.engine("app") == ref.stdout
    path = os.path.join(os.path.realpath(oracle.root), "app")
    assert pytest_kustomize.build(path, fs=MemoryFS.from_disk(oracle.root)).to_yaml() \
        == ref.stdout


CHART = {
    "app/charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    "app/charts/web/values.yaml": "replicas: 1\n",
    "app/charts/web/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                                        "  name: web\ndata:\n  r: \"{{ .Values.replicas }}\"\n",
}


@pytest.mark.parametrize("field", ["valuesFile: l.yaml", "additionalValuesFiles:\n  - l.yaml"])
@pytest.mark.parametrize("where", ["../out/values.yaml", "in/values.yaml"],
                         ids=["outside", "inside"])
def test_helm_values_files_through_links(oracle, field, where):
    """kubectl and kustomize v5.8.1 refuse a values file linking out and read one inside."""
    helm = require_tool("helm")
    files = dict(CHART, **{"out/values.yaml": "replicas: 7\n", "app/in/values.yaml":
                           "replicas: 7\n", "app/kustomization.yaml":
                           "helmCharts:\n- name: web\n  %s\n" % field})
    oracle.write(files)
    oracle.symlink({"app/l.yaml": where})
    flags = ("--enable-helm", "--helm-command", helm)
    options = {"enable_helm": True, "helm_command": helm}
    for ref in (oracle.kubectl("app", *flags), oracle.kustomize("app", *flags)):
        if where.startswith(".."):
            app = os.path.join(os.path.realpath(oracle.root), "app")
            assert ref.returncode != 0 and _security(app) in _unquote(ref.stderr)
            message = _engine_error(app, **options)
            assert _security(app) in message and "field helmCharts" in message
        else:
            assert ref.returncode == 0, ref.stderr
            assert 'r: "7"' in ref.stdout
            assert oracle.engine("app", **options) == ref.stdout


# -- the kustomization file itself ------------------------------------------------------
@pytest.mark.parametrize("place", sorted(PLACES))
def test_kustomization_file_linking_out_is_not_found(oracle, place):
    d, top = PLACES[place]
    files = {"out/kustomization.yaml": (COMPONENT if place == "component" else "")
             + "resources:\n- cm.yaml\n", "out/cm.yaml": CM, d + "/cm.yaml": CM}
    if top:
        files["app/kustomization.yaml"] = top
    oracle.write(files)
    oracle.symlink({d + "/kustomization.yaml": _up(d) + "out/kustomization.yaml"})
    real = os.path.join(os.path.realpath(oracle.root), d)
    _assert_refused_everywhere(
        oracle, "app", "unable to find one of 'kustomization.yaml', 'kustomization.yml' or "
        "'Kustomization' in directory '%s'" % real)


@pytest.mark.parametrize("target", ["real.yaml", "sub/real.yaml"])
def test_kustomization_file_linking_inside_is_read(oracle, target):
    oracle.write({"app/" + target: "resources:\n- %s\n" % os.path.relpath(
        "cm.yaml", os.path.dirname(target) or "."), "app/cm.yaml": CM})
    oracle.write({"app/" + target: "resources:\n- cm.yaml\n"})
    oracle.symlink({"app/kustomization.yaml": target})
    oracle.assert_same(build_dir="app")


def test_kustomization_file_linking_out_is_read_under_load_restrictions_none(oracle):
    oracle.write({"out/k.yaml": "resources:\n- ../app/cm.yaml\n", "app/cm.yaml": CM})
    oracle.symlink({"app/kustomization.yaml": "../out/k.yaml"})
    ref = oracle.kubectl("app", "--load-restrictor", "LoadRestrictionsNone")
    assert ref.returncode == 0, ref.stderr
    assert oracle.engine("app", load_restrictor="none") == ref.stdout


# -- directories, loops, dangling links ------------------------------------------------
def test_directory_links_out_of_the_root_are_bases_and_components(oracle):
    """kustomize restricts files, not roots: a linked base or component outside is built."""
    oracle.write({"out/base/kustomization.yaml": "resources:\n- cm.yaml\n",
                  "out/base/cm.yaml": CM,
                  "out/comp/kustomization.yaml": COMPONENT + "namePrefix: c-\n",
                  "app/kustomization.yaml": "resources:\n- base\ncomponents:\n- comp\n"})
    oracle.symlink({"app/base": "../out/base", "app/comp": "../out/comp"})
    out = oracle.assert_same(build_dir="app")
    assert "name: c-cm" in out
    path = os.path.join(os.path.realpath(oracle.root), "app")
    assert pytest_kustomize.build(path, fs=MemoryFS.from_disk(oracle.root)).to_yaml() == out


def _tree(oracle, kust: str, links: dict, extra: dict | None = None) -> str:
    oracle.write(dict({"app/kustomization.yaml": kust, "app/cm.yaml": CM}, **(extra or {})))
    oracle.symlink(links)
    return os.path.join(os.path.realpath(oracle.root), "app")


def test_link_to_a_directory_as_a_patch_file(oracle):
    root = _tree(oracle, "resources:\n- cm.yaml\npatches:\n- path: l.yaml\n",
                 {"app/l.yaml": "../out"}, {"out/x": ""})
    _assert_refused_everywhere(oracle, "app", "'%s/l.yaml' must resolve to a file" % root)


@pytest.mark.parametrize("field", ["resources", "patches", "configMapGenerator.files"])
@pytest.mark.parametrize("links", [{"app/l.yaml": "l.yaml"},
                                   {"app/l.yaml": "m.yaml", "app/m.yaml": "l.yaml"}],
                         ids=["self", "pair"])
def test_link_loops(oracle, field, links):
    root = _tree(oracle, FIELDS[field][0], links)
    _assert_refused_everywhere(oracle, "app", "evalsymlink failure on '%s/l.yaml' : "
                               "EvalSymlinks: too many links" % root)


def test_link_loop_as_component_and_build_target(oracle):
    root = _tree(oracle, "components:\n- c\n", {"app/c": "c", "app/top": "top"})
    _assert_refused_everywhere(oracle, "app", "accumulating components: loader.New \"must "
                               "build at directory: not a valid directory: evalsymlink failure "
                               "on '%s/c' : EvalSymlinks: too many links\"" % root)
    _assert_refused_everywhere(oracle, "app/top", "must build at directory: not a valid "
                               "directory: evalsymlink failure on '%s/top' : EvalSymlinks: "
                               "too many links" % root)


@pytest.mark.parametrize("field", ["resources", "patches", "configMapGenerator.envs"])
def test_dangling_link_names_the_missing_target(oracle, field):
    root = _tree(oracle, FIELDS[field][0], {"app/l.yaml": "../out/gone.yaml"})
    out = os.path.join(os.path.dirname(root), "out")
    _assert_refused_everywhere(oracle, "app", "evalsymlink failure on '%s/l.yaml' : lstat "
                               "%s: no such file or directory" % (root, out))


@pytest.mark.parametrize("path, why", [
    ("a/b/x.yaml", "lstat {root}/a: no such file or directory"),
    ("cm.yaml/x.yaml", "not a directory"),
    ("nope.yaml", "lstat {root}/nope.yaml: no such file or directory"),
])
def test_missing_files_are_reported_as_kustomize_does(oracle, path, why):
    root = _tree(oracle, "resources:\n- cm.yaml\npatches:\n- path: %s\n" % path, {})
    _assert_refused_everywhere(oracle, "app", "evalsymlink failure on '%s/%s' : %s"
                               % (root, path, why.format(root=root)))


def test_dot_dot_is_cleaned_before_links_are_followed(oracle):
    """kustomize joins and cleans the path first: 'l/../cm.yaml' is 'cm.yaml' even though
    'l' links elsewhere (the kernel would follow the link first)."""
    _tree(oracle, "resources:\n- l/../cm.yaml\n", {"app/l": "../out/sub"},
          {"out/sub/x": "", "out/cm.yaml": CM.replace("name: cm", "name: outside")})
    out = oracle.assert_same(build_dir="app")
    assert "name: cm" in out


def test_build_target_that_is_a_file(oracle):
    root = _tree(oracle, "resources:\n- cm.yaml\n", {})
    _assert_refused_everywhere(oracle, "app/cm.yaml", "must build at directory: '%s/cm.yaml': "
                               "file is not directory" % root)


# -- remote forms ---------------------------------------------------------------------
# kubectl clones what it reads as a Git repository: its error then names 'git fetch' and
# the clone URL; a local path is looked up on disk. The proxy and ssh settings make every
# network attempt fail at once, with or without a network.
OFFLINE = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9",
           "https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9",
           "NO_PROXY": "", "no_proxy": "", "GIT_TERMINAL_PROMPT": "0",
           "GIT_SSH_COMMAND": "false", "GIT_CONFIG_NOSYSTEM": "1"}
SPECS = [
    "git@github.com:org/repo//path",
    "git@gitlab.invalid:org/repo//deploy/prod?ref=v1.2",
    "HTTPS://host.invalid/org/repo//p",
    "https://host.invalid/org/repo.git/sub",
    "Https://GitHub.com/org/repo",
    "ssh://git@host.invalid/org/repo",
    "SSH://git@host.invalid:2222/org/repo.git//x?ref=main",
    "user@host.invalid:org/repo",
    "git::https://host.invalid/org/repo",
    "github.com/org/repo/sub/dir",
    "github.com:org/repo",
    "file:///nonexistent/repo",
    "FILE:///nonexistent/repo//sub?ref=abc",
    "https://host.invalid/tfs/_git/repo/sub",
    "http://host.invalid/org/repo?version=v2&timeout=5s",
    # read as local paths by kustomize
    "gitlab.com/org/repo",
    "host.invalid/org/repo",
    "foo@bar/x",
    "https://host.invalid/org",
    "https://host.invalid/x.yaml",
    "ftp://host.invalid/org/repo",
    "github.com/org",
    "git@github.com:org/repo//../up",
]


def _kubectl_offline(oracle, build_dir: str) -> subprocess.CompletedProcess:
    oracle.kubectl(build_dir)        # skips (or fails in CI) without kubectl
    env = dict(os.environ, **OFFLINE)
    return subprocess.run(["kubectl", "kustomize", os.path.join(oracle.root, build_dir)],
                          capture_output=True, text=True, timeout=120, env=env)


@pytest.fixture
def offline_remotes(monkeypatch, tmp_path):
    """Remote roots are served by the Git source's clone cache: an empty cache, offline."""
    monkeypatch.setenv("PYTEST_KUSTOMIZE_REMOTE_CACHE", str(tmp_path / "remote-cache"))
    monkeypatch.setenv("PYTEST_KUSTOMIZE_OFFLINE", "1")


@pytest.mark.parametrize("spec", SPECS)
def test_remote_forms_are_recognised_as_kubectl_does(oracle, spec, offline_remotes):
    oracle.write({"app/kustomization.yaml": "resources:\n- %s\n" % spec})
    ref = _kubectl_offline(oracle, "app")
    assert ref.returncode != 0
    fetch = re.search(r"git fetch --depth=1 (\S+) (\S+)'", ref.stderr)
    repo = parse_repo_spec(spec)
    assert is_remote(spec) == bool(fetch), ref.stderr
    message = _engine_error(os.path.join(oracle.root, "app"))
    if fetch:
        assert (repo.clone_spec, repo.ref or "HEAD") == fetch.groups()
        assert "remote base %r" % spec in message and "offline mode is on" in message
        assert "%s at %s" % (repo.clone_spec, repo.ref or "HEAD") in message
    else:
        assert "not supported yet" not in message or is_remote_file(spec)
    # kubectl downloads http(s) files first (Get "..."), the engine refuses them clearly
    assert is_remote_file(spec) == ('Get "' in _unquote(ref.stderr))


def test_remote_component_and_build_target_are_refused_clearly(oracle, offline_remotes):
    oracle.write({"app/kustomization.yaml": "components:\n- git@github.com:org/repo//c\n"})
    message = _engine_error(os.path.join(oracle.root, "app"))
    assert "remote base 'git@github.com:org/repo//c'" in message
    assert "git@github.com:org/repo at HEAD is not in the cache" in message
    assert "remote base" in _engine_error("https://github.com/org/repo//app?ref=v1")


def test_remote_roots_are_served_by_the_loaders_remote_callable(oracle):
    """The one seam a Git source plugs into: ``remote(parent, spec) -> Loader``."""
    oracle.write({"app/kustomization.yaml": "resources:\n- git@host.invalid:org/repo//base\n"
                                            "namePrefix: p-\n",
                  "clone/base/kustomization.yaml": "resources:\n- cm.yaml\n",
                  "clone/base/cm.yaml": CM})
    seen = []

    def serve(parent, spec):
        seen.append((parent.root if parent else None, spec))
        repo = parse_repo_spec(spec)
        return Loader(os.path.join(oracle.root, "clone", repo.path), parent.restrictor,
                      parent, parent.cache, fs=parent.fs)

    opts = BuildOptions(remote=serve)
    res = build_resources(os.path.join(oracle.root, "app"), opts)
    local = oracle.kubectl("clone/base").stdout.replace("name: cm", "name: p-cm")
    assert pytest_kustomize.Resources(res.items).to_yaml() == local
    assert seen == [(os.path.join(os.path.realpath(oracle.root), "app"),
                     "git@host.invalid:org/repo//base")]
