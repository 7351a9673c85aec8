"""Errors a user can fix, each with what went wrong, where, and what to do.

```
KGError
 ├── CorpusError      a file that cannot be read as articles
 ├── ConfigError      a bad option or configuration value
 ├── PipelineError    the NLP pipeline cannot be built
 ├── StoreError       the store cannot be opened, read or written
 ├── QueryError       a SPARQL query that does not parse or has bad parameters
 └── GoldFileError    a gold file that is not in the guidelines' form
```
Bugs stay ``TypeError``/``ValueError``; only ``KGError`` reaches the user as one line.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "CorpusError",
    "GoldFileError",
    "KGError",
    "PipelineError",
    "QueryError",
    "StoreError",
]


class KGError(Exception):
    """Base of every error a user can fix."""


class CorpusError(KGError):
    """A file that cannot be read as articles."""


class ConfigError(KGError):
    """A bad option or configuration value."""


class PipelineError(KGError):
    """The NLP pipeline cannot be built or run."""


class StoreError(KGError):
    """The store cannot be opened, read or written."""


class QueryError(KGError):
    """A SPARQL query that does not parse, or bad parameters."""


class GoldFileError(KGError):
    """A gold file that is not in the form of GUIDELINES.md."""
