#!/usr/bin/env python3
"""CDISC codecs: rct vs pyreadstat and R haven on a 1e7-row LB-like dataset.

    python3 bench/cdisc/run.py                 # 1e7 rows: generate, time everything, print the table
    python3 bench/cdisc/run.py --rows 1e6      # a quicker size
    python3 bench/cdisc/run.py --table-only    # reprint from saved results

Steps, one after the other (the machine is shared; nothing runs in parallel):

1. `rct-cdisc-bench gen` (bench/src/bin/rct-cdisc-bench.rs) builds the LB-like
   Dataset in Rust and writes it with rct-cdisc as .xpt, .json, .ndjson and
   .csv into $PERF_DIR/cdisc (default /tmp/rct-peers/cdisc), unless present.
2. rct reads and writes each format (`rct-cdisc-bench time`).
3. pyreadstat `read_xport` / `write_xport` and haven `read_xpt` / `write_xpt`
   on the same .xpt; pandas `read_csv` / `to_csv` and data.table `fread` /
   `fwrite` (one thread) on the same .csv as reference points. No peer reads
   Dataset-JSON, so those rows have rct alone.
4. The table: median CPU and wall seconds per call (bench/peers protocol:
   warm-up unless >= 2 s, 3 runs), and the peer / rct ratio on CPU time.

Each child runs under an address-space limit (--mem-gb, default 80% of the
memory available at start) so that a peer that cannot hold 1e7 rows fails
on its own instead of waking the kernel's OOM killer on a shared machine;
such a row is reported as failed.

Needs: cargo; Python 3 with pandas and pyreadstat (`pip install pyreadstat
pandas`); R with haven, data.table, jsonlite (`apt-get install -y
r-base-core r-cran-haven r-cran-data.table r-cran-jsonlite`).
"""
import argparse
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
FORMATS = ["xpt", "json", "ndjson", "csv"]


def mem_available_gb():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024 / 1024
    return 8.0


def tag_of(rows):
    e = len(str(rows)) - 1
    return f"1e{e}" if rows == 10**e else str(rows)


def run(cmd, mem_gb, env=None):
    limit = int(mem_gb * 1024**3)

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    print("+", " ".join(map(str, cmd)), flush=True)
    r = subprocess.run(list(map(str, cmd)), preexec_fn=cap, env=env)
    return r.returncode == 0


def record_fail(out, size, lang, peer, phase, note):
    with open(out, "a") as f:
        f.write(json.dumps({"workload": "cdisc", "size": size, "lang": lang, "peer": peer,
                            "phase": phase, "failed": True, "note": note}) + "\n")


def table(out, size):
    rows = []
    if out.exists():
        for line in out.read_text().splitlines():
            r = json.loads(line)
            if r.get("workload") == "cdisc" and r.get("size") == size:
                rows.append(r)
    # The latest measurement of each (peer, phase) wins.
    latest = {}
    for r in rows:
        latest[(r["peer"], r["phase"])] = r
    rct = {(k[0].split()[-1], k[1]): r for k, r in latest.items() if r["lang"] == "rust"}
    print(f"\nCDISC codecs, LB-like dataset, {size} rows; seconds per call, median of 3 runs")
    print("ratio = peer CPU / rct CPU (higher: rct faster)\n")
    hdr = f"{'format':7} {'op':6} {'tool':32} {'cpu s':>8} {'wall s':>8} {'ratio':>7}  check"
    print(hdr)
    print("-" * len(hdr))
    order = {"rust": 0, "python": 1, "R": 2}
    for fmt in FORMATS:
        for op in ("read", "write"):
            group = [r for (peer, phase), r in latest.items()
                     if phase == op and peer.split()[-1] == fmt]
            group.sort(key=lambda r: order.get(r["lang"], 9))
            base = rct.get((fmt, op))
            for r in group:
                if r.get("failed"):
                    print(f"{fmt:7} {op:6} {r['peer']:32} {'failed':>8} {'':8} {'':7}  {r['note']}")
                    continue
                cpu, wall = r["cpu_median"], r["wall_median"]
                ratio = ""
                if base and not base.get("failed") and r["lang"] != "rust":
                    ratio = f"{cpu / base['cpu_median']:.1f}x"
                check = {k: v for k, v in r.get("check", {}).items() if k != "first_usubjid"}
                print(f"{fmt:7} {op:6} {r['peer']:32} {cpu:8.2f} {wall:8.2f} {ratio:>7}  "
                      f"{json.dumps(check)}")
    xr = rct.get(("xpt", "read"))
    peers = [r for (p, ph), r in latest.items()
             if ph == "read" and p.endswith(" xpt") and r["lang"] != "rust" and not r.get("failed")]
    if xr and peers and not xr.get("failed"):
        best = min(peers, key=lambda r: r["cpu_median"])
        print(f"\nXPORT read: rct {xr['cpu_median']:.2f} s CPU vs the faster peer "
              f"({best['peer']}) {best['cpu_median']:.2f} s: "
              f"{best['cpu_median'] / xr['cpu_median']:.1f}x (target >= 5x); "
              f"wall {best['wall_median'] / xr['wall_median']:.1f}x")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--rows", default="1e7", help="rows of the dataset (default 1e7)")
    ap.add_argument("--only", default="rust,python,R", help="languages to run")
    ap.add_argument("--formats", default=",".join(FORMATS))
    ap.add_argument("--mem-gb", type=float, default=None,
                    help="address-space limit per child (default 80%% of MemAvailable)")
    ap.add_argument("--regen", action="store_true", help="regenerate the data files")
    ap.add_argument("--table-only", action="store_true")
    a = ap.parse_args()

    rows = int(float(a.rows))
    size = tag_of(rows)
    perf = Path(os.environ.get("PERF_DIR", "/tmp/rct-peers"))
    data = perf / "cdisc"
    out = perf / "cdisc-results.jsonl"
    if a.table_only:
        table(out, size)
        return
    data.mkdir(parents=True, exist_ok=True)
    mem_gb = a.mem_gb or max(1.0, 0.8 * mem_available_gb())
    langs = a.only.split(",")
    formats = a.formats.split(",")

    if not run(["cargo", "build", "--release", "--manifest-path", BENCH / "Cargo.toml",
                "--bin", "rct-cdisc-bench"], 1e3):
        sys.exit("cargo build failed")
    exe = BENCH / "target" / "release" / "rct-cdisc-bench"
    files = {f: data / f"lb_{size}.{f}" for f in FORMATS}
    if a.regen or not all(p.exists() for p in files.values()):
        if not run([exe, "gen", size, data], mem_gb):
            sys.exit("generating the data failed (memory? see --mem-gb)")
    scratch = data / "out"
    scratch.mkdir(exist_ok=True)

    for fmt in formats:
        src, dst = files[fmt], scratch / f"lb_{size}.{fmt}"
        for op in ("read", "write"):
            extra = [dst] if op == "write" else []
            if "rust" in langs:
                if not run([exe, "time", "--out", out, "--size", size, fmt, op, src, *extra],
                           mem_gb):
                    record_fail(out, size, "rust", f"rct {fmt}", op, "failed (memory limit?)")
            if fmt not in ("xpt", "csv"):
                continue
            if "python" in langs:
                peer = "pyreadstat xpt" if fmt == "xpt" else "pandas csv"
                if not run([sys.executable, HERE / "py_xport.py", "--out", out, "--size", size,
                            fmt, op, src, *extra], mem_gb):
                    record_fail(out, size, "python", peer, op,
                                f"failed under a {mem_gb:.0f} GB address-space limit")
            if "R" in langs:
                peer = "haven xpt" if fmt == "xpt" else "data.table csv"
                if not run(["Rscript", HERE / "r_xport.R", out, size, fmt, op, src, *extra],
                           mem_gb):
                    record_fail(out, size, "R", peer, op,
                                f"failed under a {mem_gb:.0f} GB address-space limit")
    table(out, size)


if __name__ == "__main__":
    main()
