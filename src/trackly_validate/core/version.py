"""The library's version (``trackly_validate.__version__``; pyproject.toml carries the same),
here so that a door that prints it (the OpenAPI document) need not import the package's
top-level facade."""

__version__ = "0.1.0"
