"""The batch pipeline on Dask: the local stages, mapped over partitions,
with a shuffle for copy candidates; stories folded by the engine as it writes
(or per window of arrivals on the workers, with ``story_window`` set)."""

from storyfold.batch.runner import BatchError, BatchOptions, BatchReport, connect, run_batch

__all__ = ["BatchError", "BatchOptions", "BatchReport", "connect", "run_batch"]
