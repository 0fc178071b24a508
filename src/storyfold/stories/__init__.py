"""Stories: group the coverage of one real-world event."""

from storyfold.stories.base import StoryAssigner
from storyfold.stories.online import CentroidAssigner

__all__ = ["CentroidAssigner", "StoryAssigner"]
