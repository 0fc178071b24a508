"""Store: everything the pipeline decides, persisted in one SQLite file."""

from storyfold.store.sqlite import Store, StoryState

__all__ = ["Store", "StoryState"]
