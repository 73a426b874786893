#!/usr/bin/env python3
"""Seeds the fuzz corpus from the CDISC pilot study (../shared/cdisc-pilot).

Each pilot .xpt is cut to its first few observations (headers and NAMESTRs
kept whole, the data re-padded to an 80-byte record), so that the seeds are
small but carry real metadata: labels, formats, lengths, special missings.
The cut files are then converted to Dataset-JSON, NDJSON and CSV with the
`rct` binary given by --rct (any build of this repository).

    python3 crates/cdisc/fuzz/seed.py --pilot ../shared/cdisc-pilot \
        --rct target/release/rct --out /tmp/seeds

Then `cargo fuzz cmin` each target with the seed folder as an extra input.
"""
import argparse, pathlib, subprocess

OBS = b"HEADER RECORD*******OBS     HEADER RECORD!!!!!!!"
NAMESTR = b"HEADER RECORD*******NAMESTR HEADER RECORD!!!!!!!"


def cut(data: bytes, keep: int) -> bytes:
    """The first member of an XPORT file with at most `keep` observations."""
    ns = data.index(NAMESTR)
    count = int(data[ns + 54 : ns + 58])
    start = ns + 80
    lengths = [
        int.from_bytes(data[start + i * 140 + 4 : start + i * 140 + 6], "big")
        for i in range(count)
    ]
    obs_len = sum(lengths)
    obs = data.index(OBS, start)
    head = data[: obs + 80]
    body = data[obs + 80 : obs + 80 + keep * obs_len]
    body += b" " * (-len(body) % 80)
    return head + body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pilot", required=True)
    ap.add_argument("--rct", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--keep", type=int, default=3)
    a = ap.parse_args()
    out = pathlib.Path(a.out)
    for sub in ("xport", "dataset_json", "csv"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    for path in sorted(pathlib.Path(a.pilot).glob("*/*.xpt")):
        small = out / "xport" / path.name
        small.write_bytes(cut(path.read_bytes(), a.keep))
        for ext, sub in ((".json", "dataset_json"), (".ndjson", "dataset_json"), (".csv", "csv")):
            target = out / sub / (path.stem + ext)
            subprocess.run([a.rct, "cdisc", "convert", str(small), str(target)], check=True,
                           stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
