"""pyreadstat (and pandas for CSV) on the LB benchmark files.

    python3 py_xport.py --out RESULTS.jsonl --size TAG FORMAT read|write FILE [OUTFILE]

FORMAT is `xpt` (pyreadstat.read_xport / write_xport, version 5) or `csv`
(pandas.read_csv / DataFrame.to_csv, a reference point only). Timing is
bench/peers/harness.py's protocol; writes time a frame read beforehand.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
from harness import Recorder, timed  # noqa: E402

import pandas as pd  # noqa: E402
import pyreadstat  # noqa: E402


def check(df):
    s = df["LBSTRESN"]
    return {"rows": int(len(df)), "stresn_sum": float(s.sum()),
            "stresn_missing": int(s.isna().sum()), "first_usubjid": str(df["USUBJID"].iloc[0])}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--size", required=True)
    ap.add_argument("format", choices=["xpt", "csv"])
    ap.add_argument("op", choices=["read", "write"])
    ap.add_argument("file")
    ap.add_argument("outfile", nargs="?")
    a = ap.parse_args()
    rec = Recorder(a.out, "cdisc", a.size)
    if a.format == "xpt":
        peer = f"pyreadstat {pyreadstat.__version__} xpt"

        def read():
            df, _meta = pyreadstat.read_xport(a.file)
            return df
    else:
        peer = f"pandas {pd.__version__} csv"

        def read():
            return pd.read_csv(a.file, dtype={"LBORRES": str}, keep_default_na=False,
                               na_values={"LBSTRESN": [""], "LBSEQ": [""], "VISITNUM": [""],
                                          "LBDY": [""]})
    if a.op == "read":
        res = timed(read)
        rec.record(peer, "read", res, check(res["out"]),
                   "read_xport into a pandas DataFrame" if a.format == "xpt"
                   else "read_csv, text kept as text")
        return
    if a.format == "xpt":
        df, meta = pyreadstat.read_xport(a.file)
        labels = list(meta.column_labels)

        def write():
            pyreadstat.write_xport(df, a.outfile, file_format_version=5, table_name="LB",
                                   file_label="Laboratory Test Results", column_labels=labels)
    else:
        df = read()

        def write():
            df.to_csv(a.outfile, index=False)
    res = timed(write)
    rec.record(peer, "write", res, {"rows": int(len(df)), "bytes": os.path.getsize(a.outfile)},
               "write_xport version 5 with labels" if a.format == "xpt" else "to_csv")
    os.remove(a.outfile)


if __name__ == "__main__":
    main()
