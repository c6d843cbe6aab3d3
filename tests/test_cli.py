"""The command line (``python -m pytest_kustomize build``): errors as one line, output files,
kustomize's flags; compared with kubectl where it renders."""
import subprocess
import sys

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {n}\ndata:\n  k: v\n"


def test_cli_prints_one_line_error_without_traceback(tmp_path):
    (tmp_path / "kustomization.yaml").write_text("resources:\n- missing.yaml\n")
    p = subprocess.run([sys.executable, "-m", "pytest_kustomize", "build", str(tmp_path)],
                       capture_output=True, text=True)
    assert p.returncode == 1
    assert "Traceback" not in p.stderr
    assert p.stderr.startswith("Error: ") and "missing.yaml" in p.stderr
    assert str(tmp_path / "kustomization.yaml") in p.stderr


def test_cli_output_file_that_cannot_be_written(tmp_path):
    (tmp_path / "kustomization.yaml").write_text("resources:\n- cm.yaml\n")
    (tmp_path / "cm.yaml").write_text(CM.format(n="c"))
    target = tmp_path / "no-such-dir" / "out.yaml"
    p = subprocess.run([sys.executable, "-m", "pytest_kustomize", "build", "-o", str(target),
                        str(tmp_path)], capture_output=True, text=True)
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert p.stderr == "Error: cannot write %s: No such file or directory\n" % target


def test_cli_output_file_and_input_order(oracle, tmp_path):
    oracle.write({"kustomization.yaml": "resources:\n- d.yaml\n- c.yaml\n",
                  "d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n",
                  "c.yaml": CM.format(n="c")})
    out = tmp_path / "out.yaml"
    subprocess.run([sys.executable, "-m", "pytest_kustomize", "build", "--reorder=none",
                    "-o", str(out), oracle.root], check=True)
    text = out.read_text()
    assert text.index("kind: Deployment") < text.index("kind: ConfigMap")
    ref = oracle.kubectl().stdout        # kubectl always sorts: ConfigMap first
    assert ref.index("kind: ConfigMap") < ref.index("kind: Deployment")
    assert sorted(text.split("---\n")) == sorted(ref.split("---\n"))


def test_cli_prints_an_internal_error_never_a_traceback(tmp_path, monkeypatch, capsys):
    from pytest_kustomize import __main__ as cli
    from pytest_kustomize.engine import build as engine_build
    (tmp_path / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    (tmp_path / "cm.yaml").write_text(CM.format(n="cm"))
    monkeypatch.setattr(engine_build, "_build", lambda p, o: [].pop())
    assert cli.main(["build", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and "Traceback" not in err and "IndexError" in err
