"""Cross-check rct-cdisc's XPORT reader against pandas on the pilot files.

Run: python3 crates/cdisc/tests/data/crosscheck_pandas.py ../shared/cdisc-pilot
Prints, per file: rows, columns, the sum of every numeric column and the
total byte length of the (right-stripped) text, which tests/codecs.rs
compares with (pandas 2.3.3 was used for the numbers quoted there).
"""
import sys, pathlib
import pandas as pd

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/cdisc-pilot")
for p in sorted(root.glob("*/*.xpt")):
    df = pd.read_sas(p, format="xport", encoding="cp1252")
    num = df.select_dtypes("number")
    text = df.select_dtypes(exclude="number")
    chars = sum(len(str(v).rstrip()) for col in text for v in text[col] if isinstance(v, str))
    print(f"{p.parent.name}/{p.name} rows={len(df)} cols={df.shape[1]} "
          f"numsum={num.sum().sum()!r} nmissing={int(num.isna().sum().sum())} textchars={chars}")
