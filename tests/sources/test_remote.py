"""Remote targets parsed by kustomize's rules, and the clone cache (local bare repos over
file://)."""
from __future__ import annotations

import os
import subprocess
import threading

import pytest

from pytest_kustomize.sources.git import GitError
from pytest_kustomize.sources.remote import RemoteCache, parse, redact


@pytest.mark.parametrize("url,clone,path,ref", [
    ("github.com/acme/deploy//apps/web?ref=v2", "https://github.com/acme/deploy", "apps/web",
     "v2"),
    ("github.com/acme/deploy/apps/web", "https://github.com/acme/deploy", "apps/web", ""),
    ("https://github.com/acme/deploy.git/apps?version=v1", "https://github.com/acme/deploy.git",
     "apps", "v1"),
    ("git::https://git.example.org/team/infra.git//k8s/base?ref=main&timeout=90s",
     "https://git.example.org/team/infra.git", "k8s/base", "main"),
    ("git@git.example.org:team/infra.git//k8s?ref=release-1",
     "git@git.example.org:team/infra.git", "k8s", "release-1"),
    ("git@github.com:acme/deploy//apps", "git@github.com:acme/deploy", "apps", ""),
    ("ssh://git@github.com/acme/deploy//apps?ref=x", "git@github.com:acme/deploy", "apps", "x"),
    ("ssh://deploy@git.example.org:2222/team/infra.git//apps",
     "ssh://deploy@git.example.org:2222/team/infra.git", "apps", ""),
    ("https://dev.example.com/org/project/_git/infra/k8s/prod",
     "https://dev.example.com/org/project/_git/infra", "k8s/prod", ""),
    ("file:///srv/git/infra.git//overlays/prod?ref=v1.2.0", "file:///srv/git/infra.git",
     "overlays/prod", "v1.2.0"),
    ("file:///srv/git/infra", "file:///srv/git/infra", "", ""),
    ("HTTPS://git.example.org/team/infra//x", "https://git.example.org/team/infra", "x", ""),
])
def test_parse(url, clone, path, ref):
    spec = parse(url)
    assert (spec.clone_spec, spec.path, spec.ref) == (clone, path, ref)


def test_query_options():
    s = parse("https://h.example/o/r.git//p?ref=v1&timeout=2m30s&submodules=false")
    assert (s.timeout, s.submodules) == (150.0, False)
    s = parse("https://h.example/o/r.git//p?timeout=61&submodules=nonsense")
    assert (s.timeout, s.submodules) == (61.0, True)


@pytest.mark.parametrize("url", ["../base", "base/dev", "/abs/path", "example.org/x/y",
                                 "https://h.example/o/r//../../etc"])
def test_not_remote_or_invalid(url):
    with pytest.raises(GitError):
        parse(url)


def test_options_in_refs_and_urls_are_refused():
    with pytest.raises(GitError, match="may not start with '-'"):
        parse("https://h.example/o/r.git//p?ref=--upload-pack=touch /tmp/x")
    with pytest.raises(GitError, match="may not start with '-'"):
        parse("file://--upload-pack=x//p")


def test_credentials_are_redacted(tmp_path):
    url = "https://bot:s3cr3t-token@git.example.org/team/infra.git//k8s"
    assert "s3cr3t" not in redact(url)
    assert redact(url) == "https://bot:***@git.example.org/team/infra.git//k8s"
    cache = RemoteCache(str(tmp_path / "cache"), offline=True)
    with pytest.raises(GitError) as ei:
        cache.fetch(parse(url))
    assert "s3cr3t" not in str(ei.value) and "bot:***@" in str(ei.value)


# -- cloning ---------------------------------------------------------------------------------

def _git(cwd, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@e", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@e", GIT_CONFIG_GLOBAL=os.devnull)
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                          text=True, timeout=60).stdout


@pytest.fixture
def bare(tmp_path):
    """A bare repository with a tag v1 (app/one.txt = 1) and main ahead of it (= 2)."""
    work = tmp_path / "work"
    work.mkdir()
    _git(work, "init", "-q", "-b", "main")
    (work / "app").mkdir()
    (work / "app" / "one.txt").write_text("1\n")
    _git(work, "add", "-A")
    _git(work, "commit", "-q", "-m", "one")
    _git(work, "tag", "v1")
    (work / "app" / "one.txt").write_text("2\n")
    _git(work, "commit", "-q", "-am", "two")
    _git(tmp_path, "clone", "-q", "--bare", str(work), str(tmp_path / "remote.git"))
    return str(tmp_path / "remote.git")


def test_fetch_tag_and_branch_then_offline(bare, tmp_path):
    cache = RemoteCache(str(tmp_path / "cache"))
    d1 = cache.fetch(parse("file://%s//app?ref=v1" % bare))
    d2 = cache.fetch(parse("file://%s//app" % bare))
    with open(os.path.join(d1, "one.txt")) as f:
        assert f.read() == "1\n"
    with open(os.path.join(d2, "one.txt")) as f:
        assert f.read() == "2\n"
    assert d1.startswith(cache.directory + os.sep) and d2.startswith(cache.directory + os.sep)
    # shallow: only the fetched commit is in the clone
    assert _git(os.path.dirname(d1), "rev-list", "--count", "HEAD").strip() == "1"
    offline = RemoteCache(str(tmp_path / "cache"), offline=True)
    assert offline.fetch(parse("file://%s//app?ref=v1" % bare)) == d1
    with pytest.raises(GitError, match="offline"):
        offline.fetch(parse("file://%s//app?ref=main" % bare))


def test_fetch_a_commit_id(bare, tmp_path):
    sha = _git(bare, "rev-parse", "v1").strip()
    d = RemoteCache(str(tmp_path / "cache")).fetch(parse("file://%s//app?ref=%s" % (bare, sha)))
    with open(os.path.join(d, "one.txt")) as f:
        assert f.read() == "1\n"


def test_fetch_errors_name_the_url(bare, tmp_path):
    cache = RemoteCache(str(tmp_path / "cache"))
    with pytest.raises(GitError, match="no-such-tag"):
        cache.fetch(parse("file://%s//app?ref=no-such-tag" % bare))
    with pytest.raises(GitError, match="missing"):
        cache.fetch(parse("file://%s//missing?ref=v1" % bare))
    with pytest.raises(GitError, match="refers to file"):
        cache.fetch(parse("file://%s//app/one.txt?ref=v1" % bare))
    with pytest.raises(GitError, match=r"file://%s/nope\.git" % tmp_path):
        cache.fetch(parse("file://%s/nope.git//x" % tmp_path))
    assert [n for n in os.listdir(cache.directory) if n.startswith(".clone-")] == []


def test_command_transports_are_refused(tmp_path):
    marker = tmp_path / "ran"
    cache = RemoteCache(str(tmp_path / "cache"))
    spec = parse("file://%s/x.git//p" % tmp_path)
    spec = type(spec)(spec.raw, "ext::sh -c touch% ", str(marker), "p")
    with pytest.raises(GitError, match="transport 'ext' not allowed"):
        cache.fetch(spec)
    assert not marker.exists()


def test_parallel_fetches_clone_once(bare, tmp_path):
    cache = RemoteCache(str(tmp_path / "cache"))
    spec = parse("file://%s//app?ref=v1" % bare)
    out, errors = [], []

    def work():
        try:
            out.append(cache.fetch(spec))
        except Exception as e:      # pragma: no cover - reported below
            errors.append(e)
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(out)) == 1
    assert sorted(n for n in os.listdir(cache.directory) if not n.endswith(".lock")) == \
        [os.path.basename(os.path.dirname(out[0]))]
