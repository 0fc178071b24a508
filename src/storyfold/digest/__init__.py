"""Digest: what a story says, in a few sentences, with its sources."""

from storyfold.digest.base import Digester
from storyfold.digest.simple import CentralSentences, source_of

__all__ = ["CentralSentences", "Digester", "source_of"]
