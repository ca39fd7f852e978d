"""The seam between the pipeline and whatever judges releases.

The poll, its worker processes, `summitwatch classify`, `eval` and `reclassify` ask only this
of a classifier: a release in, its classification out (summit or not, the pillars, a score and
the evidence for and against each decision), and the taxonomy whose pillars it decides. The
weighted rules of `feeds.judge.classify` are one implementation; another (a trained model, a
remote service) needs these two members and must pickle: the poll sends it to its workers.
"""

from __future__ import annotations

from typing import Protocol

from feeds.judge.taxonomy import Taxonomy
from feeds.models import Classification, Release


class ReleaseClassifier(Protocol):
    """Judges one release at a time; safe to call from one thread at a time per instance."""

    @property
    def taxonomy(self) -> Taxonomy:
        """The taxonomy whose pillars (ids, names, order) the classifications use."""
        ...

    def classify_release(self, release: Release) -> Classification:
        """Both decisions about a release, with the evidence for each."""
        ...
