"""storyfold: fold raw news articles into stories.

>>> from storyfold import Engine
>>> engine = Engine.open(":memory:")        # or a file: Engine.open("storyfold.db")
>>> report = engine.ingest_paths(["../shared/seeds"])  # doctest: +SKIP
"""

from storyfold.config import Settings
from storyfold.engine import Engine, IngestReport
from storyfold.errors import InputError, StoreError, StoryfoldError

__all__ = ["Engine", "IngestReport", "InputError", "Settings", "StoreError", "StoryfoldError"]
__version__ = "0.1.0"
