"""The column face: a vectorized proof of acceptance compiled from each endpoint's
contract (:mod:`.compile`), applied a record batch at a time (:mod:`.batches`) by the
DataFrame doors (:mod:`.frames`: ``tv.check_frame``, ``tv.split_frame``), the CLI's
Parquet/Arrow/CSV input and the Dask partitions.  Rows it cannot prove accepted go
through the one request pipeline, so every row's problems are exactly ``tv.check``'s."""
