"""The phone fast-path patterns shipped with the package (rules/_phone_patterns.py): one set
per phonenumbers release of the dependency range, exactly what the phonemeta package builds,
used when the installed release is shipped and the builder output version matches
(``BUILDER_VERSION``), whatever else changed in the source (a comment, a refactoring); a
release without them is built at first use with one warning."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tomllib
import warnings
from pathlib import Path
from types import SimpleNamespace

import phonenumbers
import pytest
from packaging.requirements import Requirement
from packaging.version import Version

import trackly_validate
from trackly_validate.rules import _phone_patterns as data
from trackly_validate.rules import phonemeta
from trackly_validate.rules.phonemeta import prebuilt

INSTALLED_SHIPPED = phonenumbers.__version__ in data.RELEASES
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def _requirement() -> Requirement:
    deps = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["dependencies"]
    found = [Requirement(d) for d in deps if Requirement(d).name == "phonenumbers"]
    assert len(found) == 1, deps
    return found[0]


def test_the_dependency_range_is_the_shipped_releases():
    shipped = sorted(map(Version, phonemeta.shipped_releases()))
    assert shipped, "no prebuilt phone patterns for this builder version: regenerate them"
    oldest, newest = shipped[0], shipped[-1]
    spec = _requirement().specifier
    # the range starts at the oldest shipped release and stops before the next minor series
    assert {(s.operator, s.version) for s in spec} == {
        (">=", str(oldest)), ("<", f"{newest.major}.{newest.minor + 1}")}, spec
    # every shipped release is in the range, and none of the series is missing in between
    assert all(spec.contains(v) for v in shipped)
    assert {(v.major, v.minor) for v in shipped} == {(oldest.major, oldest.minor)}
    assert [v.micro for v in shipped] == list(range(oldest.micro, newest.micro + 1))


def test_the_installed_release_is_shipped():
    # a newer release in the range works (built at first use, with a warning), but the
    # suite's own release must be shipped, else the tests below are skipped
    assert _requirement().specifier.contains(phonenumbers.__version__)
    assert INSTALLED_SHIPPED, (f"phonenumbers {phonenumbers.__version__} has no shipped patterns: regenerate with "
                               "`python -m trackly_validate.rules.phonemeta WHEEL...` and widen the range")


def test_the_shipped_file_names_its_builder_version():
    assert isinstance(phonemeta.BUILDER_VERSION, int) and not isinstance(phonemeta.BUILDER_VERSION, bool)
    assert data.BUILDER_VERSION == phonemeta.BUILDER_VERSION, (
        "the builder's output version changed: regenerate with `python -m trackly_validate.rules.phonemeta WHEEL...`")
    assert phonemeta.shipped_key() == (phonenumbers.__version__, phonemeta.BUILDER_VERSION)


@pytest.mark.skipif(not INSTALLED_SHIPPED, reason="a phonenumbers release without shipped patterns")
def test_shipped_patterns_equal_a_fresh_build():
    built = phonemeta.build()
    assert phonemeta.shipped_pieces(phonenumbers.__version__) == built.pieces, (
        "the builder's output changed: bump BUILDER_VERSION and regenerate with "
        "`python -m trackly_validate.rules.phonemeta WHEEL...`")
    assert phonemeta.shipped() == (built.possible, built.valid)


def test_every_shipped_release_decodes_to_whole_patterns():
    for release in phonemeta.shipped_releases():
        pieces = phonemeta.shipped_pieces(release)
        assert pieces and len(pieces) > 200, release
        possible, valid = prebuilt.anchored(pieces)
        assert possible.startswith("^\\+(?:") and valid.endswith(")$")


def test_the_file_layout_round_trips(tmp_path):
    # three releases, each differing from the next: a changed piece, a CC gone, a level without a piece
    a = {1: (((2, "2"),), ((1, "3"),)), 7: (((0, "9"),), None), 44: (((3, "1"),), ((3, "1"),))}
    b = {1: (((2, "2"),), ((1, "4"),)), 7: (((0, "9"),), None)}
    c = {1: (((2, "2"),), ((1, "4"),)), 7: (((0, "8"),), ((0, "8"),)), 33: (((5, "0"),), None)}
    target = tmp_path / "_phone_patterns.py"
    prebuilt.write_shipped([("9.0.1", a), ("9.0.10", c), ("9.0.2", b)], str(target))
    spec = importlib.util.spec_from_file_location("written_patterns", target)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert list(module.RELEASES) == ["9.0.10", "9.0.2", "9.0.1"]  # newest first, by version
    assert module.BUILDER_VERSION == phonemeta.BUILDER_VERSION
    original = prebuilt._data
    try:
        prebuilt._data = lambda: module
        assert prebuilt.shipped_pieces("9.0.1") == a
        assert prebuilt.shipped_pieces("9.0.2") == b
        assert prebuilt.shipped_pieces("9.0.10") == c
        assert prebuilt.shipped_pieces("9.0.3") is None
    finally:
        prebuilt._data = original


def test_a_release_without_patterns_is_built_with_one_warning(monkeypatch):
    monkeypatch.setattr(prebuilt, "_SHIPPED", [])
    monkeypatch.setattr(prebuilt, "shipped_key", lambda: ("9.0.999", phonemeta.BUILDER_VERSION))
    assert phonemeta.shipped() is None
    built = SimpleNamespace(possible="^built-possible$", valid=("^built-valid$",))
    monkeypatch.setattr(prebuilt, "fast_patterns", lambda: built)
    with pytest.warns(phonemeta.PhonePatternsWarning, match=r"phonenumbers 9\.0\.999 \(it ships 9\.0\.") as caught:
        assert phonemeta.patterns() == (built.possible, built.valid)
    assert len(caught) == 1


def test_another_builder_version_ships_nothing(monkeypatch):
    monkeypatch.setattr(prebuilt, "_SHIPPED", [])
    for value in (phonemeta.BUILDER_VERSION + 1, str(phonemeta.BUILDER_VERSION)):  # compared as values, typed
        monkeypatch.setattr(data, "BUILDER_VERSION", value)
        assert phonemeta.shipped_releases() == ()
        assert phonemeta.shipped() is None


@pytest.mark.skipif(not INSTALLED_SHIPPED, reason="a phonenumbers release without shipped patterns")
def test_the_key_reads_no_source_file(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the shipped-pattern key read a file")

    expected = phonemeta.shipped()
    monkeypatch.setattr(prebuilt, "_SHIPPED", [])
    monkeypatch.setattr(Path, "read_bytes", refuse)
    monkeypatch.setattr(Path, "read_text", refuse)
    monkeypatch.setattr(Path, "open", refuse)
    monkeypatch.setattr("builtins.open", refuse)
    monkeypatch.setattr("io.open", refuse)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert phonemeta.shipped() == expected


@pytest.mark.skipif(not INSTALLED_SHIPPED, reason="a phonenumbers release without shipped patterns")
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
        "import warnings; warnings.simplefilter('error')\n"
        "import trackly_validate, trackly_validate.rules.phonemeta.builder as b\n"
        f"assert trackly_validate.__file__.startswith({str(tmp_path)!r}), trackly_validate.__file__\n"
        "def forbidden(): raise AssertionError('built the patterns')\n"
        "b.build = forbidden\n"
        "from trackly_validate.rules.phonemeta import prebuilt\n"
        "prebuilt.build = prebuilt.fast_patterns = forbidden\n"
        "assert prebuilt.shipped() is not None\n"
        "assert trackly_validate.check('POST', '/v2/send', {'to': '+14155552671', 'list_number': '+18005551000',"
        " 'body': 'x'}, options=trackly_validate.Options(phone_level='valid')) == []\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120, cwd=tmp_path,
                   env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
