"""kg: an offline knowledge-graph builder for Chinese news.

Articles → spaCy pipeline (LAC NER, gazetteers, typing) → resolution →
relations → RDF named graphs in a store → SPARQL, NetworkX, pyvis.
Nothing runs at import; the submodules load on use.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
