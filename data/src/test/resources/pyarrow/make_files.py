"""Writes the Parquet files beside this script with pyarrow, as other tools write them.

usage: python3 make_files.py   (pyarrow 15 or later; the files are checked in, the tests do not
run this). 600 rows in row groups of 250 (250, 250, 100), one file per page codec and a file
with data page v2 and BYTE_STREAM_SPLIT, and a BROTLI file (a codec the reader refuses). Row k holds d = k * 0.5 - 7.25, f = k * 0.25 (float32),
i32 = k - 300, i64 = k * 1000003 - 10^9, dec = k / 4 (decimal(9,2)), all exact as doubles.
"""
import decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

n = 600
i = np.arange(n)
table = pa.table({
    "d": pa.array(i * 0.5 - 7.25, pa.float64()),
    "f": pa.array((i * 0.25).astype(np.float32), pa.float32()),
    "i32": pa.array(i - 300, pa.int32()),
    "i64": pa.array(i * 1_000_003 - 10**9, pa.int64()),
    "dec": pa.array([decimal.Decimal(k) / 4 for k in range(n)], pa.decimal128(9, 2)),
})
here = Path(__file__).parent
for codec in ["snappy", "lz4", "gzip", "zstd"]:
    pq.write_table(table, here / f"{codec}.parquet", row_group_size=250, compression=codec,
                   data_page_size=1024)
pq.write_table(table, here / "v2-split.parquet", row_group_size=250, compression="snappy",
               data_page_version="2.0", use_dictionary=False, use_byte_stream_split=["d", "f"],
               data_page_size=1024)
# a codec the reader does not have
pq.write_table(pa.table({"d": pa.array([1.0, 2.0]), "f": pa.array([1.0, 2.0])}),
               here / "brotli.parquet", compression="brotli")
