"""The phone fast-path patterns shipped with the package (rules/_phone_patterns.py) are
exactly what the phonemeta package builds, and are used when they were built from the
installed phonenumbers release by the same builder output version (``BUILDER_VERSION``),
whatever else changed in the source (a comment, a refactoring)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import phonenumbers
import pytest

import trackly_validate
from trackly_validate.rules import _phone_patterns as data
from trackly_validate.rules import phonemeta
from trackly_validate.rules.phonemeta import prebuilt


def test_the_shipped_file_names_its_phonenumbers_release_and_builder_version():
    assert isinstance(phonemeta.BUILDER_VERSION, int) and not isinstance(phonemeta.BUILDER_VERSION, bool)
    assert data.BUILDER_VERSION == phonemeta.BUILDER_VERSION, (
        "the builder's output version changed: regenerate with `python -m trackly_validate.rules.phonemeta`")
    assert isinstance(data.PHONENUMBERS_VERSION, str) and data.PHONENUMBERS_VERSION
    assert phonemeta.shipped_key() == (phonenumbers.__version__, phonemeta.BUILDER_VERSION)


@pytest.mark.skipif(phonenumbers.__version__ != data.PHONENUMBERS_VERSION,
                    reason="another phonenumbers release: the shipped patterns are not used")
def test_shipped_patterns_equal_a_fresh_build():
    built = phonemeta.build()
    assert (data.POSSIBLE, data.VALID) == (built.possible, built.valid), (
        "the builder's output changed: bump BUILDER_VERSION and regenerate with "
        "`python -m trackly_validate.rules.phonemeta`")
    assert phonemeta.shipped() == (data.POSSIBLE, data.VALID)


@pytest.mark.parametrize("field, value", [
    ("PHONENUMBERS_VERSION", "0.0.0-not-installed"),   # another phonenumbers release
    ("BUILDER_VERSION", phonemeta.BUILDER_VERSION + 1),  # another builder output
    ("BUILDER_VERSION", str(phonemeta.BUILDER_VERSION)),  # the key compares values, typed
])
def test_a_mismatch_falls_back_to_building(monkeypatch, field, value):
    monkeypatch.setattr(prebuilt, "_SHIPPED", [])
    monkeypatch.setattr(data, field, value)
    assert phonemeta.shipped() is None
    # the fallback is the builder's output, not the shipped file's
    built = SimpleNamespace(possible="^built-possible$", valid=("^built-valid$",))
    monkeypatch.setattr(prebuilt, "fast_patterns", lambda: built)
    assert phonemeta.patterns() == (built.possible, built.valid)


def test_the_key_reads_no_source_file(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the shipped-pattern key read a file")

    monkeypatch.setattr(prebuilt, "_SHIPPED", [])
    monkeypatch.setattr(Path, "read_bytes", refuse)
    monkeypatch.setattr(Path, "read_text", refuse)
    monkeypatch.setattr(Path, "open", refuse)
    monkeypatch.setattr("builtins.open", refuse)
    monkeypatch.setattr("io.open", refuse)
    assert phonemeta.shipped() == (data.POSSIBLE, data.VALID)


@pytest.mark.skipif(phonenumbers.__version__ != data.PHONENUMBERS_VERSION,
                    reason="another phonenumbers release: the shipped patterns are not used")
def test_shipped_patterns_survive_a_comment_edit_in_every_builder_module(tmp_path):
    # a copy of the package with a comment added to each phonemeta module, run in a
    # fresh interpreter in which building is forbidden: the shipped patterns still apply
    copy = tmp_path / "trackly_validate"
    shutil.copytree(Path(trackly_validate.__file__).parent, copy,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    edited = sorted((copy / "rules" / "phonemeta").glob("*.py"))
    assert len(edited) >= 5
    for module in edited:
        module.write_text(module.read_text(encoding="utf-8") + "\n# an edited comment\n", encoding="utf-8")
    code = (
        "import trackly_validate, trackly_validate.rules.phonemeta.builder as b\n"
        f"assert trackly_validate.__file__.startswith({str(tmp_path)!r}), trackly_validate.__file__\n"
        "def forbidden(): raise AssertionError('built the patterns')\n"
        "b.build = forbidden\n"
        "from trackly_validate.rules.phonemeta import prebuilt\n"
        "prebuilt.build = forbidden\n"
        "assert prebuilt.shipped() is not None\n"
        "assert trackly_validate.check('POST', '/v2/send', {'to': '+14155552671', 'list_number': '+18005551000',"
        " 'body': 'x'}, options=trackly_validate.Options(phone_level='valid')) == []\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120, cwd=tmp_path,
                   env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
