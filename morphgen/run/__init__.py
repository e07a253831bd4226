"""Running a dataset: the shard plan and job, the executors (local, Dask) and ``generate``."""
