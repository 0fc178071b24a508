"""Store: everything the pipeline decides, persisted in one SQLite file."""

from storyfold.store.sqlite import Outlet, Store, StoryState

__all__ = ["Outlet", "Store", "StoryState"]
