"""Check a partitioned dataset on a Dask cluster with :mod:`trackly_validate.doors.dask`
(``pip install 'trackly-validate[dask]'``).

Run ``python examples/dask_recipe.py``: a local cluster of two worker processes checks
generated rows as a dask DataFrame and as a bag.
"""

from __future__ import annotations

import dask
import dask.bag as db
import dask.dataframe as dd
import pandas as pd
from distributed import Client, LocalCluster

from trackly_validate.doors.dask import check_bag, check_dataframe, split_dataframe


def demo_rows(n: int) -> list[dict]:
    """``n`` /v2/send bodies: every 7th with a bad recipient, every 11th without body."""
    rows = []
    for i in range(n):
        row = {"to": f"+1415555{i % 10000:04d}", "list_number": "+18005551000", "body": f"Hello {i}"}
        if i % 7 == 0:
            row["to"] = "not a number"
        if i % 11 == 0:
            del row["body"]
        rows.append(row)
    return rows


if __name__ == "__main__":
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, Client(cluster):
        rows = demo_rows(10_000)
        print(check_bag(db.from_sequence(rows, npartitions=4), "POST", "/v2/send"))
        ddf = dd.from_pandas(pd.DataFrame(rows), npartitions=4)  # an absent body is a missing cell
        print(check_dataframe(ddf, "POST", "/v2/send").compute().head())
        valid, rejects = dask.compute(*split_dataframe(ddf, "POST", "/v2/send"))
        print(f"{len(valid)} rows to send, {len(rejects)} rejected")
