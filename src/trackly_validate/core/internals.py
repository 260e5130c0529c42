"""Other libraries' internals this library relies on, each behind one function.

Each function's docstring names the internal it relies on and why no public API does the
job.  :data:`VERIFIED` lists the versions each was verified on; a test fails, naming
the function, when an installed version falls outside its range (then re-verify the
function's behavioural test and widen the range).

Nothing here imports the libraries it is about: the doors that use FastAPI import it,
not this module.
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["VERIFIED", "unbuilt_subclass", "replace_type_adapter"]

#: Per function: the distributions whose internals it relies on, with the versions it was
#: verified on (lowest included, highest excluded).
VERIFIED: dict[str, dict[str, tuple[str, str]]] = {
    "unbuilt_subclass": {"pydantic": ("2.11", "2.15"), "pydantic-core": ("2.33", "2.51")},
    "replace_type_adapter": {"fastapi": ("0.115", "0.166")},
}


# --- pydantic-core: a model class in a schema -----------------------------------------------------------------

_UNBUILT: dict[type, type] = {}


def unbuilt_subclass(cls: type) -> type:
    """A subclass of the pydantic model ``cls`` that pydantic has not built, for a schema
    compiled with other rules than the model's own.

    Relies on how pydantic-core reads a ``model`` schema node: when its ``cls`` is a
    *completed* pydantic model (``__pydantic_complete__``), pydantic-core reuses that
    class's prebuilt validator and ignores the schema it was handed.  Naming a deferred
    subclass makes it compile the schema given: ``cls`` defers its build (``defer_build``,
    as every request model does), which the subclass inherits.  Instances are still ``isinstance`` of
    ``cls`` and pickle as instances of ``cls`` (the subclass cannot be found by name, e.g.
    from a worker process).  pydantic offers no public way to validate a model class
    against another schema.
    """
    found = _UNBUILT.get(cls)
    # a subclass that got built (e.g. ``model_dump()`` on such an instance builds its class)
    # would be reused by pydantic-core with the model's own rules: name a fresh one instead
    if found is None or found.__dict__.get("__pydantic_complete__"):
        found = type(cls)(cls.__name__, (cls,), {"__module__": cls.__module__, "__qualname__": cls.__qualname__,
                                                   "__doc__": cls.__doc__, "__reduce__": _reduce_unbuilt})
        _UNBUILT[cls] = found
    return found


def _reduce_unbuilt(self: Any) -> tuple[Any, ...]:
    return (_new_instance, (type(self).__bases__[0],), self.__getstate__())


def _new_instance(cls: type[Any]) -> Any:
    return object.__new__(cls)  # BaseModel has no __new__ of its own


# --- FastAPI: the validator of a body parameter ------------------------------------------------------------------

def replace_type_adapter(field: Any, make: Callable[[Any], Any]) -> bool:
    """Swap the validator FastAPI runs for a body parameter: ``field._type_adapter``
    becomes ``make(original)``.  ``False`` when the field has none (nothing changed).

    Relies on FastAPI's private ``ModelField._type_adapter`` (``fastapi._compat``): the
    pydantic ``TypeAdapter`` whose ``validate_python`` FastAPI calls on the request body
    and whose schema it documents.  FastAPI has no public hook to validate one parameter
    with another validator; the replacement must answer ``validate_python`` and pass
    everything else to the original.
    """
    original = getattr(field, "_type_adapter", None)
    if original is None:
        return False
    field._type_adapter = make(original)
    return True
