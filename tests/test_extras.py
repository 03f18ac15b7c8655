"""`pip install govex` alone gives the library and the CLI; a missing extra is named with its fix.

The optional packages are hidden by setting `sys.modules[name] = None` in a fresh interpreter,
which makes their import fail exactly as if they were not installed.
"""
from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from govex.errors import GovexError, MissingExtraError
from govex.extras import EXTRA_OF_PACKAGE, missing_extra

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
DISTRIBUTION = {"pptx": "python-pptx", "pyspark": "ibis-framework"}  # import name -> distribution (pyspark: via ibis's extra)
OPTIONAL = [*EXTRA_OF_PACKAGE, "uvloop", "httptools", "vl_convert"]
HIDE = f"import sys\nfor name in {OPTIONAL!r}:\n    sys.modules[name] = None\n"


def _run(code: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", HIDE + code], cwd=cwd, capture_output=True, text=True, timeout=300)


def _distributions(extra: str) -> set[str]:
    """The distributions an extra installs, following `govex[...]` references."""
    out = set()
    for text in PYPROJECT["project"]["optional-dependencies"][extra]:
        requirement = Requirement(text)
        if requirement.name == "govex":
            out |= set().union(*(_distributions(inner) for inner in requirement.extras))
        else:
            out.add(requirement.name)
    return out


@pytest.mark.parametrize("package", sorted(EXTRA_OF_PACKAGE))
def test_each_optional_package_is_installed_by_the_extra_named_for_it(package):
    extra = EXTRA_OF_PACKAGE[package]
    distribution = DISTRIBUTION.get(package, package)
    assert distribution in _distributions(extra)
    assert distribution in _distributions("all")
    if package != "pyspark":  # ibis itself is a core dependency, its pyspark extra is not
        assert distribution not in {Requirement(r).name for r in PYPROJECT["project"]["dependencies"]}


def test_the_error_names_the_extra_and_stays_an_import_error():
    error = missing_extra(ModuleNotFoundError("No module named 'weasyprint'", name="weasyprint"))
    assert isinstance(error, MissingExtraError) and isinstance(error, GovexError) and isinstance(error, ImportError)
    assert "pip install 'govex[report]'" in str(error)
    assert missing_extra(ModuleNotFoundError("No module named 'numpy'", name="numpy")) is None


def test_library_and_cli_work_without_any_extra(tmp_path):
    result = _run(
        "import govex.analysis, govex.config, govex.contract, govex.engine, govex.features, govex.ingest, "
        "govex.metrics, govex.models, govex.planning, govex.policy, govex.segments, govex.voc\n"
        "from govex.cli.main import main\n"
        "sys.argv = ['govex', '--help']\n"
        "main()\n", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Usage: govex" in result.stdout


def test_a_command_whose_extra_is_missing_names_it(tmp_path):
    result = _run("from govex.cli.main import main\nsys.argv = ['govex', 'serve']\nmain()\n", tmp_path)
    assert result.returncode == 1
    assert "'fastapi', which is not installed" in result.stderr
    assert "pip install 'govex[api]'" in result.stderr
    assert "Traceback" not in result.stderr
