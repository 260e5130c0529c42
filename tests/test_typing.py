"""Types a user can rely on: ``mypy --strict`` passes on the package itself and on a script
using the README's calls (tests/typing/user_script.py), and fails on one that misuses them
(so the check bites)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mypy", reason="mypy is not installed (it comes with the test extra)")

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "typing" / "user_script.py"
ROOT = HERE.parent
PACKAGE = ROOT / "src" / "trackly_validate"


def _mypy(path: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
                           "--cache-dir", str(cache), str(path)],
                          capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(not PACKAGE.is_dir(), reason="needs the source tree (src/trackly_validate)")
def test_the_package_type_checks_strictly(tmp_path):
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
                             "--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path / "cache"),
                             "src/trackly_validate"],
                            capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ": error:" not in result.stdout


def test_the_readme_calls_type_check_strictly(tmp_path):
    result = _mypy(SCRIPT, tmp_path / "cache")
    assert result.returncode == 0, result.stdout + result.stderr


def test_misuse_is_caught(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import trackly_validate as tv\n"
        "message = tv.validate_as(tv.models.SendMessage, {})\n"
        "n: int = message.to\n"                                    # to is a str
        "part = tv.partition('POST', '/v2/send/bulk', {})\n"
        "items = part.body()['messages']\n"                         # body() may be None
        "tv.Options(disable=5)\n",                                  # not an iterable of str
        encoding="utf-8")
    result = _mypy(bad, tmp_path / "cache")
    assert result.returncode == 1
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert [line.split(":")[1] for line in errors] == ["3", "5", "6"], result.stdout


def test_the_models_package_lists_every_area_model():
    import importlib

    import trackly_validate.models as models

    names = {"AREAS"}
    for area in models.AREAS:
        names.update(importlib.import_module(f"trackly_validate.models.{area}").__all__)
    assert set(models.__all__) == names
    assert all(getattr(models, name) is not None for name in models.__all__)
