"""``helmCharts`` / ``helmGlobals``: inflate charts with the ``helm`` binary, running
``helm template`` with the same arguments and environment kustomize uses."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile

from ..errors import PluginError
from ..tools import find_tool
from . import yamlio
from .reader import objects_from_text
from .resource import Origin, Resource
from .strategicmerge import strategic_merge
from .yamlscalar import scalar_to_string as _s

HELM_GENERATED = "kustomize.config.k8s.io/helm-generated"
DEFAULT_HOME = "charts"


def helm_binary(command: str) -> str:
    found = shutil.which(command)
    if found:
        return found
    if command == "helm":
        tool = find_tool("helm")
        if tool:
            return tool
    raise PluginError("helm command %r not found (install helm, e.g. pytest-kustomize install-tools "
                      "helm, or pass --helm-command)" % command)


def legacy_charts(entries: list) -> tuple:
    """kustomize's SplitHelmParameters for the deprecated helmChartInflationGenerator."""
    charts, globals_ = [], {}
    for old in entries or []:
        if old.get("chartHome"):
            globals_["chartHome"] = old["chartHome"]
        if old.get("helmHome"):
            globals_["configHome"] = old["helmHome"]
        charts.append({k: v for k, v in {
            "name": old.get("chartName"), "version": old.get("chartVersion"),
            "repo": old.get("chartRepoUrl"), "namespace": old.get("releaseNamespace"),
            "valuesFile": old.get("values"), "valuesInline": old.get("valuesLocal"),
            "valuesMerge": old.get("valuesMerge"), "releaseName": old.get("releaseName"),
        }.items() if v})
    return charts, globals_


def helm_args(chart: dict, abs_chart_home: str, values_file: str, extra_values: list) -> list:
    args = ["template"]
    if chart.get("releaseName"):
        args.append(_s(chart["releaseName"]))
    else:
        args.append("--generate-name")
    if chart.get("name"):
        args.append(os.path.join(abs_chart_home, _s(chart["name"])))
    if chart.get("namespace"):
        args += ["--namespace", _s(chart["namespace"])]
    if chart.get("nameTemplate"):
        args += ["--name-template", _s(chart["nameTemplate"])]
    if values_file:
        args += ["-f", values_file]
    for f in extra_values:
        args += ["-f", f]
    for v in chart.get("apiVersions") or []:
        args += ["--api-versions", _s(v)]
    if chart.get("kubeVersion"):
        args += ["--kube-version", _s(chart["kubeVersion"])]
    for flag, key in (("--include-crds", "includeCRDs"), ("--skip-tests", "skipTests"),
                      ("--no-hooks", "skipHooks"), ("--debug", "debug"), ("--devel", "devel")):
        if chart.get(key):
            args.append(flag)
    return args


def inflate(target, chart: dict, globals_: dict, field: str = "helmCharts") -> list:
    """The resources ``helm template`` renders for one chart entry."""
    opts = target.options
    kfile = target.kfile
    opts.io["volatile"] = True      # an external program: neither memoised nor cached
    if not opts.enable_helm:
        raise PluginError("must specify --enable-helm", file=kfile, field=field)
    if not isinstance(chart, dict) or not chart.get("name"):
        raise PluginError("chart name cannot be empty", file=kfile, field=field)
    helm = helm_binary(opts.helm_command or "helm")
    root = target.loader.root
    home = _s(globals_.get("chartHome")) or DEFAULT_HOME
    abs_home = home if os.path.isabs(home) else os.path.join(root, home)
    if chart.get("version") and chart.get("repo"):
        abs_home = os.path.join(abs_home, "%s-%s" % (chart["name"], chart["version"]))
    merge = _s(chart.get("valuesMerge")) or "override"
    if merge not in ("merge", "override", "replace"):
        raise PluginError("valuesMerge must be one of [merge override replace]", file=kfile,
                          field=field)
    extra = []
    for f in chart.get("additionalValuesFiles") or []:
        target.loader.read_bytes(_s(f))
        extra.append(target.loader.local_path(os.path.join(root, _s(f))))
    with tempfile.TemporaryDirectory(prefix="kustomize-helm-") as tmp:
        config_home = _s(globals_.get("configHome")) or os.path.join(tmp, "helm")
        env = dict(os.environ, HELM_CONFIG_HOME=config_home,
                   HELM_CACHE_HOME=config_home + "/.cache",
                   HELM_DATA_HOME=config_home + "/.data")

        def run(args):
            p = subprocess.run([helm] + args, capture_output=True, text=True, env=env)
            if p.returncode != 0:
                raise PluginError("unable to run: '%s %s' (is '%s' installed?): %s"
                                  % (helm, " ".join(args), helm, p.stderr.strip()),
                                  file=kfile, field=field)
            return p.stdout

        version = re.search(r"v?(\d+)(\.\d+)+", run(["version", "--short"]))
        if not version or version.group(1) not in ("3", "4"):
            raise PluginError("this plugin requires helm V3 or V4", file=kfile, field=field)
        chart_dir = os.path.join(abs_home, _s(chart["name"]))
        helm_home = abs_home        # where helm finds the chart: on disk
        if target.loader.isdir(chart_dir):
            helm_home = os.path.dirname(target.loader.local_path(chart_dir))
        else:
            if not chart.get("repo"):
                raise PluginError("no repo specified for pull, no chart found at '%s'"
                                  % chart_dir, file=kfile, field=field)
            pull = ["pull", "--untar", "--untardir", abs_home]
            repo = _s(chart["repo"])
            if repo.startswith("oci://"):
                pull.append(repo.rstrip("/") + "/" + _s(chart["name"]))
            else:
                pull += ["--repo", repo, _s(chart["name"])]
            if chart.get("version"):
                pull += ["--version", _s(chart["version"])]
            run(pull)
        values_path = _s(chart.get("valuesFile")) or os.path.join(chart_dir, "values.yaml")
        inline = chart.get("valuesInline")
        if inline:
            values = inline
            if merge in ("merge", "override"):
                base = yamlio.load_document(target.loader.read_text(values_path),
                                            values_path) or {}
                values = (strategic_merge(base, inline) if merge == "override"
                          else strategic_merge(inline, base)) or {}
            data = yamlio.dump_document(values).encode()
        else:
            data = target.loader.read_bytes(values_path)
        vf = os.path.join(tmp, "%s-kustomize-values.yaml" % chart["name"])
        with open(vf, "wb") as f:
            f.write(data)
        out = run(helm_args(chart, helm_home, vf, extra))
    resources = []
    for d in objects_from_text(out, "helm template %s" % chart["name"]):
        r = Resource(d, Origin(generator="HelmChartInflationGenerator",
                               config_file=target.rel_kfile,
                               configured_by={"apiVersion": "builtin",
                                              "kind": "HelmChartInflationGenerator"}))
        r.is_generated = True
        r.is_helm = True
        resources.append(r)
    return resources
