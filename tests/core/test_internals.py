"""Other libraries' internals (core/internals.py): each function's versions, and that the
internal it relies on still behaves as its docstring says."""

from __future__ import annotations

import copy
import pickle
import re
from importlib.metadata import PackageNotFoundError, version

import pytest
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import SchemaValidator, ValidationError

from trackly_validate.core.internals import VERIFIED, replace_type_adapter, unbuilt_subclass


def _release(text: str) -> tuple[int, ...]:
    """``"0.165.0rc1"`` -> ``(0, 165, 0)``: the leading digits of each dotted part."""
    out = []
    for part in text.split("."):
        digits = re.match(r"[0-9]*", part).group()
        if not digits:
            break
        out.append(int(digits))
    return tuple(out)


@pytest.mark.parametrize(("trick", "dist"), [(t, d) for t, dists in VERIFIED.items() for d in dists])
def test_the_installed_version_is_one_the_trick_was_verified_on(trick, dist):
    try:
        installed = version(dist)
    except PackageNotFoundError:
        pytest.skip(f"{dist} is not installed")
    low, high = VERIFIED[trick][dist]
    if not _release(low) <= _release(installed) < _release(high):
        pytest.fail(f"core.internals.{trick} relies on {dist}'s internals and was verified on {dist} "
                    f">={low},<{high}; {installed} is installed: run its behavioural test, then widen VERIFIED",
                    pytrace=False)


def test_release_reading():
    assert _release("2.14.4") == (2, 14, 4) and _release("0.165.0rc1") == (0, 165, 0)
    assert _release("2.14") <= _release("2.14.4") < _release("2.15")
    assert not _release("0.166.1") < _release("0.166")


class Named(BaseModel):
    model_config = ConfigDict(defer_build=True)  # as every request model's (rules/base.TracklyModel)

    name: str = Field(max_length=3)


def _schema_with_max(cls: type, n: int) -> dict:
    """Named's schema with another max_length, naming ``cls`` (Named built first)."""
    Named.model_rebuild()
    schema = copy.deepcopy(Named.__pydantic_core_schema__)
    schema["schema"]["fields"]["name"]["schema"]["max_length"] = n
    schema["cls"] = cls
    return schema


def _core_reuses_completed_models() -> bool:
    """pydantic-core 2.46 on (pydantic 2.13) reuses a completed model class's validator
    for a schema naming it; 2.33 and 2.41 (pydantic 2.11, 2.12) compile the schema given."""
    return _release(version("pydantic-core")) >= _release("2.46")


def test_pydantic_core_reuses_a_built_model_s_validator_and_not_an_unbuilt_subclass_s():
    long = {"name": "abcdef"}
    # the internal: a completed model class in the schema brings its own validator along
    # (where it does not, the schema's own rules apply: the unbuilt subclass is harmless)
    naming_the_model = SchemaValidator(_schema_with_max(Named, 10))
    if _core_reuses_completed_models():
        with pytest.raises(ValidationError):
            naming_the_model.validate_python(long)
    else:
        assert naming_the_model.validate_python(long).name == "abcdef"
    # an unbuilt subclass is compiled with the schema it is given
    compiled = SchemaValidator(_schema_with_max(unbuilt_subclass(Named), 10))
    instance = compiled.validate_python(long)
    assert isinstance(instance, Named) and instance.name == "abcdef"
    with pytest.raises(ValidationError):
        SchemaValidator(_schema_with_max(unbuilt_subclass(Named), 2)).validate_python({"name": "abc"})


def test_an_unbuilt_subclass_is_named_anew_once_built_and_pickles_as_the_model():
    first = unbuilt_subclass(Named)
    assert unbuilt_subclass(Named) is first and first is not Named and first.__name__ == "Named"
    instance = SchemaValidator(_schema_with_max(first, 10)).validate_python({"name": "abcdef"})
    back = pickle.loads(pickle.dumps(instance))
    assert type(back) is Named and back.name == "abcdef"
    assert not first.__dict__.get("__pydantic_complete__")
    instance.model_dump()  # builds the subclass: pydantic-core would now reuse it
    assert first.__dict__.get("__pydantic_complete__")
    assert unbuilt_subclass(Named) is not first


def test_fastapi_validates_a_body_with_the_field_s_type_adapter():
    fastapi = pytest.importorskip("fastapi")
    from fastapi.routing import APIRoute
    from fastapi.testclient import TestClient

    app = fastapi.FastAPI()

    @app.post("/named")
    def named(body: Named) -> dict:
        return {"name": body.name}

    route = next(r for r in app.routes if isinstance(r, APIRoute) and r.path == "/named")
    field = route.dependant.body_params[0]
    seen = []

    class Recording:
        def __init__(self, original):
            self.original = original

        def validate_python(self, value, **_):
            seen.append(value)
            return Named.model_construct(name=value["name"].upper())

        def __getattr__(self, name):
            return getattr(self.original, name)

    assert replace_type_adapter(field, Recording) is True
    with TestClient(app) as client:
        response = client.post("/named", json={"name": "abcdef"})  # over the model's max_length
    assert (response.status_code, response.json(), seen) == (200, {"name": "ABCDEF"}, [{"name": "abcdef"}])
    assert replace_type_adapter(object(), Recording) is False
