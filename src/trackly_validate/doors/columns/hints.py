"""One warning for a numeric column where the endpoint expects text.

``pd.read_csv`` reads a column of phone numbers (``+18005551000``) as ``float64`` and
polars as ``Int64``/``Float64``: every row then fails with the field's code
(``invalid_list_number``) and nothing says why.  :func:`warn_numeric_text` names such
columns once per frame, with the reader argument that keeps them as text.  The
expectation is read from the endpoint's JSON Schema (the same one ``trackly-validate
schema`` prints): a column whose field may only be a string.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from typing import Any

from trackly_validate.contracts.routes import Route

__all__ = ["NumericTextWarning", "numeric_text_columns", "warn_numeric_text"]

_NUMERIC = ("Int", "UInt", "Float", "Decimal")


class NumericTextWarning(UserWarning):
    """A numeric column where the endpoint expects a string (e.g. a phone number read as a number)."""


@lru_cache(maxsize=64)
def _schema(route: Route) -> dict[str, Any]:
    return route.model.model_json_schema()


def _text_only(route: Route, parts: tuple[str, ...]) -> bool:
    from trackly_validate.doors.cli.readers import _schema_types  # the CSV reader's reading of the schema (no typer import)

    return _schema_types(_schema(route), list(parts)) == {"string"}


def numeric_text_columns(route: Route, paths: list[tuple[str, ...]], names: list[str],
                         dtypes: list[str]) -> list[str]:
    """The columns (by name) of a numeric dtype whose field the endpoint types as a string only."""
    out = []
    for parts, name, dtype in zip(paths, names, dtypes):
        if dtype.startswith(_NUMERIC) and _text_only(route, parts):
            out.append(name)
    return out


def warn_numeric_text(route: Route, library: str, columns: list[str], dtypes: dict[str, str],
                      stacklevel: int = 4) -> None:
    """One :class:`NumericTextWarning` naming ``columns`` and what to pass to the reader."""
    if not columns:
        return
    listed = ", ".join(f"{c!r} ({dtypes[c]})" for c in columns)
    keys = ", ".join(repr(c) for c in columns)
    how = {"pandas": f"pd.read_csv(..., dtype={{{', '.join(f'{c!r}: str' for c in columns)}}})",
           "polars": f"pl.read_csv(..., schema_overrides={{{', '.join(f'{c!r}: pl.String' for c in columns)}}})",
           "pyarrow": "pyarrow.csv.read_csv(..., convert_options=pyarrow.csv.ConvertOptions(column_types="
                      f"{{{', '.join(f'{c!r}: pa.string()' for c in columns)}}}))"}.get(
        library, f"write {keys} as text")
    what = "a numeric column" if len(columns) == 1 else "numeric columns"
    warnings.warn(f"{route.key} expects a string in {listed}, {what}: every value there is refused "
                  f"(a phone number read as a number loses its '+'); read it as text, e.g. {how}",
                  NumericTextWarning, stacklevel=stacklevel)
