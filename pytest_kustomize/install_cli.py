"""``pytest-kustomize install-tools [TOOL…]``: the installer shipped with the package (the
same script, pinned versions and cache as a checkout's ``scripts/install-tools``)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

from .tools import INSTALL_SCRIPT


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "install-tools", help="build the real tools (kustomize, kubeconform, helm, kind, etcd, "
        "kube-apiserver, …) from Go modules at pinned versions into the tools cache")
    p.add_argument("tools", nargs="*", metavar="TOOL", help="tools to build (default: all)")
    p.add_argument("--list", action="store_true", help="print tool, version, minimum Go")
    p.add_argument("--print-dir", action="store_true", help="print the bin directory")
    p.add_argument("--force", action="store_true", help="rebuild even if up to date")
    p.set_defaults(run=run)


def command(args) -> list:
    """The installer's command line for ``args``."""
    flags = [f for f, on in (("--list", args.list), ("--print-dir", args.print_dir),
                             ("--force", args.force)) if on]
    return [shutil.which("bash") or "bash", INSTALL_SCRIPT, *flags, *args.tools]


def run(args) -> int:
    if not os.path.isfile(INSTALL_SCRIPT):
        print("Error: the installer %s is missing from this installation" % INSTALL_SCRIPT,
              file=sys.stderr)
        return 1
    # the script renders kwok's Stages with this interpreter's pytest_kustomize
    env = dict(os.environ, PYTEST_KUSTOMIZE_PYTHON=sys.executable)
    return subprocess.call(command(args), env=env)
