"""The learned layer: the rules propose, trained classifiers decide.

- ``proposal``: what the rules propose for one document (``Proposal``).
- ``features``: entity and relation candidates and their features.
- ``model``: the weights (plain JSON), scoring and calibration.
- ``decide``: a ``Proposal`` and a ``Model`` → the ``DocumentGraph``.
- ``train``: gold files → a ``Model`` (``kg train``).
- ``crossval``: document-level folds, cross-validated scores, reliability.
"""
