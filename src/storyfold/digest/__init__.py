"""Digest: what a story says, who said what, who it is about, who reports what."""

from storyfold.digest.base import Digester, ExtractingDigester
from storyfold.digest.simple import CentralSentences, source_of
from storyfold.digest.story import StoryDigester

__all__ = ["CentralSentences", "Digester", "ExtractingDigester", "StoryDigester", "source_of"]
