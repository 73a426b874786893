#!/usr/bin/env python3
"""Times `rct analyze` against its R peer (bench/analyze/peer.R) on the demo trial
and on large simulated trials (issue 6: "at least 20x faster than the R script").

    python3 bench/analyze/run.py                              # demo and 100,000 subjects
    python3 bench/analyze/run.py --sizes demo --repeat 5
    python3 bench/analyze/run.py --sizes 10000 --r-repeat-large 1

Steps, for each size:
  1. `cargo build --release -p rct` (once; --no-build skips it).
  2. The study: `rct demo --format csv --out $PERF_DIR/analyze-<size> [--subjects N] --quiet`
     (kept between calls; --regen rebuilds it). Sizes above --chunk subjects are built from
     several `rct demo --subjects <chunk> --seed <2021+i>` studies whose ADaM files are
     concatenated with USUBJIDs made unique (see --chunk for why).
  3. A copy of the default plan with `two_stage = false` (the two-stage crossing-hazards
     bootstrap has no R package in Debian, so it is left out of both timings).
  4. Runs, one after the other on the same files: `rct analyze <dir>/adam --plan <copy>
     --out <tmp> --quiet`, then `Rscript peer.R <dir>/adam <json>`. Wall time
     (perf_counter) and CPU time (user + system of the child, from os.wait4) and peak RSS
     per run; the table quotes medians.
  5. The key numbers of both (N per arm, Kruskal-Wallis P of CD4 at week 48, 3-arm
     log-rank P of RESP30, GEE arm x visit P of CD4, ...) side by side.

Scratch goes to $PERF_DIR (default /tmp/rct-peers), never into the repository; the
measurements are appended to $PERF_DIR/analyze-results.jsonl. Progress goes to stderr.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RCT = os.path.join(ROOT, "target", "release", "rct")
PLAN = os.path.join(ROOT, "crates", "analysis", "plans", "default.toml")
ARMS = ["HIGH", "LOW", "PLACEBO"]


def log(msg):
    print(f"[run.py {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def perf_dir():
    return os.environ.get("PERF_DIR", "/tmp/rct-peers")


def timed(cmd, cpu_limit=None):
    """Runs cmd; returns wall seconds, CPU seconds (user + sys), peak RSS (MB) and
    whether it was stopped by cpu_limit (seconds of CPU time, RLIMIT_CPU)."""
    def limit():
        import resource
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_limit, cpu_limit + 60))

    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, preexec_fn=limit if cpu_limit else None)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    cpu = ru.ru_utime + ru.ru_stime
    stopped = bool(cpu_limit) and code != 0 and cpu >= cpu_limit - 1
    if code != 0 and not stopped:
        raise RuntimeError(f"{' '.join(cmd)} exited with {code}")
    return {"wall": wall, "cpu": cpu, "rss_mb": ru.ru_maxrss / 1024, "stopped": stopped}


def build():
    log("cargo build --release -p rct")
    subprocess.run(["cargo", "build", "--release", "-p", "rct"], cwd=ROOT, check=True)


def demo(out, subjects=None, seed=None):
    cmd = [RCT, "demo", "--format", "csv", "--out", out, "--quiet"]
    if subjects is not None:
        cmd += ["--subjects", str(subjects)]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    log(" ".join(cmd))
    r = subprocess.run(cmd, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {r.returncode}: {r.stderr.strip()}")


def concatenate(parts, out_adam):
    """One ADaM folder from several: rows appended in order, USUBJID prefixed by the part."""
    import csv
    os.makedirs(out_adam, exist_ok=True)
    names = sorted(f for f in os.listdir(os.path.join(parts[0], "adam")) if f.endswith(".csv"))
    for name in names:
        log(f"concatenating {name} from {len(parts)} studies")
        with open(os.path.join(out_adam, name), "w", newline="") as out:
            w = csv.writer(out, lineterminator="\n")
            header = None
            for i, part in enumerate(parts):
                with open(os.path.join(part, "adam", name), newline="") as f:
                    r = csv.reader(f)
                    h = next(r)
                    if header is None:
                        header = h
                        w.writerow(h)
                        col = h.index("USUBJID")
                    elif h != header:
                        raise RuntimeError(f"{part}/adam/{name}: columns differ from the first part")
                    prefix = f"P{i + 1:02d}-"
                    for row in r:
                        row[col] = prefix + row[col]
                        w.writerow(row)


def study(size, chunk, regen):
    """The study folder of a size ("demo" or a number of randomized subjects)."""
    d = os.path.join(perf_dir(), f"analyze-{size}")
    adam = os.path.join(d, "adam")
    if os.path.exists(os.path.join(adam, "adsl.csv")) and not regen:
        log(f"{size}: reusing {adam}")
        return d, None
    subprocess.run(["rm", "-rf", d], check=True)
    if size == "demo":
        demo(d)
        return d, None
    n = int(size)
    if chunk <= 0 or n <= chunk:
        demo(d, n)
        return d, None
    k = -(-n // chunk)
    parts = []
    for i in range(k):
        m = chunk if i < k - 1 else n - chunk * (k - 1)
        part = os.path.join(perf_dir(), f"analyze-{size}-part{i + 1:02d}")
        if not os.path.exists(os.path.join(part, "adam", "adsl.csv")) or regen:
            subprocess.run(["rm", "-rf", part], check=True)
            demo(part, m, 2021 + i)
        parts.append(part)
    concatenate(parts, adam)
    note = (f"{n} subjects = {k} `rct demo --subjects {chunk}` studies (seeds 2021..{2020 + k}) "
            f"with ADaM rows concatenated and USUBJIDs prefixed P01-..P{k:02d}-")
    with open(os.path.join(d, "README"), "w") as f:
        f.write(note + "\n")
    return d, note


def plan_copy():
    path = os.path.join(perf_dir(), "plan-no-two-stage.toml")
    with open(PLAN) as f:
        text = f.read()
    if 'two_stage = "when_crossing"' not in text:
        raise RuntimeError(f"{PLAN}: no `two_stage = \"when_crossing\"` to turn off")
    with open(path, "w") as f:
        f.write(text.replace('two_stage = "when_crossing"', "two_stage = false"))
    return path


def rct_key(results_json):
    with open(results_json) as f:
        res = {r["id"]: r for r in json.load(f)["results"]}

    def p(rid, field="p_value"):
        r = res.get(rid)
        return None if r is None else r.get(field)

    consort = res.get("consort", {}).get("arms", [])
    mmrm = res.get("longitudinal.CD4.mmrm.HIGH.Week 48", {})
    return {
        "N ITT HIGH/LOW/PLACEBO": "/".join(str(a["analysed"]) for a in consort),
        "Table 1 AGE, Kruskal-Wallis P": p("baseline.AGE.kruskal_wallis"),
        "Table 1 SEX, chi-square P": p("baseline.SEX.chi_square") or p("baseline.SEX.fisher_exact"),
        "Table 1 HIV-1 RNA bins, P": (p("baseline.HIVRNABL.chi_square")
                                      or p("baseline.HIVRNABL.fisher_exact")),
        "CD4 week 48 (LOCF), Kruskal-Wallis H": p("longitudinal.CD4.locf.AVAL.kruskal_wallis.Week 48",
                                                  "statistic"),
        "CD4 week 48 (LOCF), Kruskal-Wallis P": p("longitudinal.CD4.locf.AVAL.kruskal_wallis.Week 48"),
        "CD4 week 48 (observed), Kruskal-Wallis H":
            p("longitudinal.CD4.observed.AVAL.kruskal_wallis.Week 48", "statistic"),
        "CD4 week 48 (observed), Kruskal-Wallis P":
            p("longitudinal.CD4.observed.AVAL.kruskal_wallis.Week 48"),
        "CD4 GEE arm x visit, Wald chi-square": p("longitudinal.CD4.gee.AVAL.arm x visit",
                                                  "wald_statistic"),
        "CD4 GEE arm x visit, Wald P": p("longitudinal.CD4.gee.AVAL.arm x visit"),
        "CD4 MMRM HIGH-PLACEBO week 48, estimate": mmrm.get("estimate"),
        "CD4 MMRM HIGH-PLACEBO week 48, SE": mmrm.get("se"),
        "RESP30 3-arm log-rank chi-square": p("tte.RESP30.logrank.all", "statistic"),
        "RESP30 3-arm log-rank P": p("tte.RESP30.logrank.all"),
        "RESP30 median weeks HIGH": p("tte.RESP30.kaplan_meier.HIGH", "median"),
        "Any TEAE, chi-square statistic": p("safety.any.Any adverse event", "statistic"),
        "Any TEAE, chi-square/Fisher P": p("safety.any.Any adverse event"),
    }


def r_key(r_json):
    with open(r_json) as f:
        k = json.load(f)["key"]
    mm = k.get("cd4_mmrm_high_vs_placebo_week48") or {}
    med = k.get("resp30_median_weeks") or {}
    return {
        "N ITT HIGH/LOW/PLACEBO": "/".join(str(k["n_itt"][a]) for a in ARMS),
        "Table 1 AGE, Kruskal-Wallis P": k.get("baseline_age_kw_p"),
        "Table 1 SEX, chi-square P": k.get("baseline_sex_p"),
        "Table 1 HIV-1 RNA bins, P": k.get("baseline_hivrnabl_p"),
        "CD4 week 48 (LOCF), Kruskal-Wallis H": k.get("cd4_locf_kw_week48_stat"),
        "CD4 week 48 (LOCF), Kruskal-Wallis P": k.get("cd4_locf_kw_week48_p"),
        "CD4 week 48 (observed), Kruskal-Wallis H": k.get("cd4_observed_kw_week48_stat"),
        "CD4 week 48 (observed), Kruskal-Wallis P": k.get("cd4_observed_kw_week48_p"),
        "CD4 GEE arm x visit, Wald chi-square": k.get("cd4_gee_arm_x_visit_wald"),
        "CD4 GEE arm x visit, Wald P": k.get("cd4_gee_arm_x_visit_p"),
        "CD4 MMRM HIGH-PLACEBO week 48, estimate": mm.get("estimate"),
        "CD4 MMRM HIGH-PLACEBO week 48, SE": mm.get("se"),
        "RESP30 3-arm log-rank chi-square": k.get("resp30_logrank_chisq"),
        "RESP30 3-arm log-rank P": k.get("resp30_logrank_p"),
        "RESP30 median weeks HIGH": med.get("HIGH"),
        "Any TEAE, chi-square statistic": k.get("ae_any_chisq"),
        "Any TEAE, chi-square/Fisher P": k.get("ae_any_p"),
    }


def agree(a, b, rel=1e-6):
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    if a is None or b is None:
        return a is None and b is None
    if a == b:
        return True
    # P values below 1e-15 are at the floor of double arithmetic in both tools.
    if abs(a) < 1e-15 and abs(b) < 1e-15:
        return True
    return abs(a - b) <= rel * max(abs(a), abs(b))


def fmt(x):
    if x is None:
        return "-"
    if isinstance(x, str):
        return x
    return f"{x:.6g}"


def compare(size, rk, pk):
    log(f"{size}: key numbers, rct vs R")
    w = max(len(k) for k in rk)
    print(f"\nKey numbers, {size}:")
    print(f"  {'':{w}}  {'rct':>14}  {'R':>14}")
    bad = []
    for k in rk:
        # The MMRM is a REML optimum found by different optimizers (nlme's
        # and rct's): agreement to the optimizers' tolerance, not to 1e-6.
        ok = agree(rk[k], pk.get(k), 1e-3 if "MMRM" in k else 1e-6)
        print(f"  {k:{w}}  {fmt(rk[k]):>14}  {fmt(pk.get(k)):>14}  {'ok' if ok else 'DIFFER'}")
        if not ok:
            bad.append(k)
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="demo,100000",
                    help="comma-separated: demo (the seed trial, 72 randomized) or a number of "
                         "randomized subjects (default demo,100000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per size, median reported (default 3)")
    ap.add_argument("--r-repeat-large", type=int, default=1,
                    help="R runs at sizes of 10,000 subjects or more (default 1: minutes per run)")
    ap.add_argument("--chunk", type=int, default=10000,
                    help="sizes above this many subjects are concatenated from demo studies of this "
                         "size (default 10000; 0 = one `rct demo --subjects N` call). `rct demo "
                         "--subjects 100000` is killed by the kernel OOM killer on a 23 GB machine "
                         "(peak RSS 3.4 GB at 10,000)")
    ap.add_argument("--r-cpu-limit", type=int, default=4 * 3600,
                    help="CPU seconds after which an R run at >= 10,000 subjects is stopped "
                         "(default 14400); the table then gives R's time and ratio as lower bounds")
    ap.add_argument("--regen", action="store_true", help="regenerate the studies")
    ap.add_argument("--no-build", action="store_true", help="do not run cargo build")
    a = ap.parse_args()

    os.makedirs(perf_dir(), exist_ok=True)
    if not a.no_build:
        build()
    plan = plan_copy()
    # R reads its script as it goes: run a copy, so that editing peer.R cannot
    # break a run of an hour.
    peer = os.path.join(perf_dir(), "peer.R")
    shutil.copyfile(os.path.join(HERE, "peer.R"), peer)
    rows = []
    failures = []
    for size in a.sizes.split(","):
        size = size.strip()
        d, note = study(size, a.chunk, a.regen)
        if note:
            log(note)
        adam = os.path.join(d, "adam")
        with open(os.path.join(adam, "adsl.csv")) as f:
            n_adsl = sum(1 for _ in f) - 1
        with open(os.path.join(adam, "adlb.csv")) as f:
            n_adlb = sum(1 for _ in f) - 1
        large = size != "demo" and int(size) >= 10000
        r_runs = a.r_repeat_large if large else a.repeat
        rct_runs, r_runs_t = [], []
        out = os.path.join(perf_dir(), f"analyze-{size}-rct-out")
        r_json = os.path.join(perf_dir(), f"analyze-{size}-r.json")
        r_inner = []
        for i in range(max(a.repeat, r_runs)):
            if i < a.repeat:
                log(f"{size}: rct analyze, run {i + 1}/{a.repeat}")
                subprocess.run(["rm", "-rf", out], check=True)
                t = timed([RCT, "analyze", adam, "--plan", plan, "--out", out, "--quiet"])
                log(f"{size}: rct {t['wall']:.2f} s wall, {t['cpu']:.2f} s CPU, {t['rss_mb']:.0f} MB")
                rct_runs.append(t)
            if i < r_runs:
                log(f"{size}: Rscript peer.R, run {i + 1}/{r_runs}")
                t = timed(["Rscript", peer, adam, r_json],
                          cpu_limit=a.r_cpu_limit if large else None)
                with open(r_json) as f:
                    inner = json.load(f)
                r_inner.append(inner)
                log(f"{size}: R {t['wall']:.1f} s wall, {t['cpu']:.1f} s CPU, {t['rss_mb']:.0f} MB"
                    + (f" -- stopped at the CPU limit in step after: {list(inner['timings'])[-1]}"
                       if t["stopped"] else ""))
                r_runs_t.append(t)
        bad = compare(size, rct_key(os.path.join(out, "results.json")), r_key(r_json))
        failures += [f"{size}: {b}" for b in bad]
        med = lambda runs, k: statistics.median(r[k] for r in runs)
        mmrm = statistics.median(x["cpu_timings"].get("MMRM CD4", 0.0) for x in r_inner)
        stopped = any(t["stopped"] for t in r_runs_t)
        row = {
            "size": size, "adsl_rows": n_adsl, "adlb_rows": n_adlb, "note": note,
            "rct_wall": med(rct_runs, "wall"), "rct_cpu": med(rct_runs, "cpu"),
            "rct_rss_mb": max(r["rss_mb"] for r in rct_runs),
            "r_wall": med(r_runs_t, "wall"), "r_cpu": med(r_runs_t, "cpu"),
            "r_rss_mb": max(r["rss_mb"] for r in r_runs_t),
            "r_mmrm_cpu": mmrm, "r_stopped": stopped,
            "r_mmrm_optimizer": r_inner[-1]["key"].get("mmrm_optimizer"),
            "r_mmrm_errors": r_inner[-1]["key"].get("mmrm_errors"), "rct_runs": rct_runs, "r_runs": r_runs_t,
            "r_timings": r_inner[-1]["timings"], "r_versions": r_inner[-1]["packages"],
            "r_version": r_inner[-1]["r_version"], "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
        rows.append(row)
        with open(os.path.join(perf_dir(), "analyze-results.jsonl"), "a") as f:
            f.write(json.dumps(row) + "\n")

    print("\n`rct analyze` vs R (stats, survival, geepack, nlme), default plan without the "
          "two-stage test; medians")
    hdr = (f"{'size':>8} {'ADSL':>8} {'ADLB':>9} | {'rct wall':>9} {'rct CPU':>8} {'rct MB':>7} | "
           f"{'R wall':>8} {'R CPU':>8} {'R MB':>6} | {'R/rct wall':>10} {'R/rct CPU':>9} | "
           f"{'R CPU w/o MMRM':>14} {'ratio':>6}")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        ge = ">=" if r["r_stopped"] else ""
        if r["r_stopped"] or not r["r_mmrm_cpu"]:
            rest = "-".rjust(14) + " " + "-".rjust(6)
        else:
            cpu = r["r_cpu"] - r["r_mmrm_cpu"]
            rest = f"{cpu:>13.1f}s {cpu / r['rct_cpu']:>5.1f}x"
        print(f"{r['size']:>8} {r['adsl_rows']:>8} {r['adlb_rows']:>9} | {r['rct_wall']:>8.2f}s "
              f"{r['rct_cpu']:>7.2f}s {r['rct_rss_mb']:>7.0f} | {ge + format(r['r_wall'], '.1f'):>7}s "
              f"{ge + format(r['r_cpu'], '.1f'):>7}s {r['r_rss_mb']:>6.0f} | "
              f"{ge + format(r['r_wall'] / r['rct_wall'], '.1f'):>9}x "
              f"{ge + format(r['r_cpu'] / r['rct_cpu'], '.1f'):>8}x | {rest}")
    print(f"\nruns: rct {a.repeat} per size; R {a.repeat} at demo, {a.r_repeat_large} at >= 10,000. "
          "'R CPU w/o MMRM': R CPU time minus the CPU time of its nlme::gls MMRM "
          "fit (R's own clock), vs rct CPU.\nCompare CPU times: wall times on this shared "
          "machine include waiting for a core.")
    for r in rows:
        if r["note"]:
            print(f"{r['size']}: {r['note']}")
        if r["r_stopped"]:
            print(f"{r['size']}: R stopped at the CPU limit ({a.r_cpu_limit} s); its times and "
                  "ratios are lower bounds")
        print(f"{r['size']}: R MMRM optimizer: {r['r_mmrm_optimizer']}"
              + (f" (errors: {'; '.join(r['r_mmrm_errors'])})" if r["r_mmrm_errors"] else ""))
    if rows:
        print(f"{rows[-1]['r_version']}; " + ", ".join(f"{k} {v}" for k, v in rows[-1]["r_versions"].items()))
    if failures:
        print("\nkey numbers that differ: " + "; ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
