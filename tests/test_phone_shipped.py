"""The phone fast-path patterns shipped with the package (rules/_phone_patterns.py) are
exactly what phonemeta builds, and are only used when they were built by this builder
from the installed phonenumbers release."""

from __future__ import annotations

import phonenumbers
import pytest

from trackly_validate.rules import _phone_patterns as data
from trackly_validate.rules import phonemeta


def test_the_shipped_file_names_its_builder_and_phonenumbers_release():
    assert data.BUILDER_SHA256 == phonemeta.builder_digest(), (
        "phonemeta.py changed: regenerate with `python -m trackly_validate.rules.phonemeta`")
    assert isinstance(data.PHONENUMBERS_VERSION, str) and data.PHONENUMBERS_VERSION


@pytest.mark.skipif(phonenumbers.__version__ != data.PHONENUMBERS_VERSION,
                    reason="another phonenumbers release: the shipped patterns are not used")
def test_shipped_patterns_equal_a_fresh_build():
    built = phonemeta.build()
    assert (data.POSSIBLE, data.VALID) == (built.possible, built.valid)
    assert phonemeta.shipped() == (data.POSSIBLE, data.VALID)


def test_a_mismatch_falls_back_to_building(monkeypatch):
    monkeypatch.setattr(phonemeta, "_SHIPPED", [])
    monkeypatch.setattr(data, "PHONENUMBERS_VERSION", "0.0.0-not-installed")
    assert phonemeta.shipped() is None
    possible, valid = phonemeta.patterns()
    fresh = phonemeta.fast_patterns()
    assert (possible, valid) == (fresh.possible, fresh.valid)
    monkeypatch.setattr(phonemeta, "_SHIPPED", [])
    monkeypatch.setattr(data, "PHONENUMBERS_VERSION", phonenumbers.__version__)
    monkeypatch.setattr(data, "BUILDER_SHA256", "0" * 64)
    assert phonemeta.shipped() is None
