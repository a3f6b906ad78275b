#!/usr/bin/env python3
"""pyarrow's reading of the files IngestBenchmark times tapetrain on (issue 28, item 4).

Run by dev.tapetrain.benchmarks.IngestBenchmark when TAPETRAIN_PYTHON names an interpreter with
pyarrow; never needed by the build or the tests.

    python3 ingest.py write CSV PARQUET        # the CSV's table as Parquet (pyarrow defaults)
    python3 ingest.py time CSV PARQUET ROUNDS  # one JSON line of seconds

'time' reads each file once to warm the interpreter and the page cache, then ROUNDS times each,
interleaved: pyarrow.csv.read_csv with use_threads=False (one thread, as the issue's goal says)
and pyarrow.parquet.read_table with use_threads=False, and prints
{"read_csv": [...], "read_table": [...]}.
"""
import json
import sys
import time


def main():
    import pyarrow as pa
    import pyarrow.csv as pc
    import pyarrow.parquet as pq
    what, csv, parquet = sys.argv[1], sys.argv[2], sys.argv[3]
    if what == "write":
        pq.write_table(pc.read_csv(csv), parquet)
        return
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    rounds = int(sys.argv[4])

    def read_csv():
        return pc.read_csv(csv, read_options=pc.ReadOptions(use_threads=False))

    def read_table():
        return pq.read_table(parquet, use_threads=False)

    read_csv()
    read_table()
    out = {"read_csv": [], "read_table": []}
    for _ in range(rounds):
        for name, f in (("read_csv", read_csv), ("read_table", read_table)):
            t = time.perf_counter()
            table = f()
            out[name].append(time.perf_counter() - t)
            assert table.num_rows > 0
    print(json.dumps(out))


if __name__ == "__main__":
    main()
