//! Times rct on the peer benchmark's data files, in the peers' protocol.
//!
//! `rct-peer --datadir DIR --out RESULTS.jsonl WORKLOAD SIZE`
//! appends JSON lines next to R's and Python's (lang `rust`), so
//! `bench/peers/run_all.py --langs R,python,rust` prints one table with all.

use std::path::PathBuf;

use rct_bench::{read_numeric_csv, timed, Recorder};
use serde_json::json;

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut datadir, mut out, mut pos) = (None, None, Vec::new());
    while let Some(a) = args.next() {
        match a.as_str() {
            "--datadir" => datadir = args.next().map(PathBuf::from),
            "--out" => out = args.next().map(PathBuf::from),
            _ => pos.push(a),
        }
    }
    let [workload, size] = <[String; 2]>::try_from(pos).expect("usage: rct-peer --datadir DIR --out FILE WORKLOAD SIZE");
    let datadir = datadir.expect("--datadir");
    let limit: f64 = std::env::var("PEER_RUN_LIMIT").ok().and_then(|s| s.parse().ok()).unwrap_or(60.0);
    let rec = Recorder {
        out: out.expect("--out"),
        workload: workload.clone(),
        size: size.clone(),
        limit,
    };
    let file = |kind: &str| datadir.join(format!("{kind}_{size}.csv"));
    match workload.as_str() {
        "kw" => {
            let t = timed(|| read_numeric_csv(&file("kw")), limit);
            rec.record("rct csv load", "load", &t, json!({}), "hand-rolled CSV reader");
            let cols = t.out;
            let (g, y) = (cols.col("g"), cols.col("y"));
            let t = timed(
                || {
                    let mut groups: Vec<Vec<f64>> = vec![Vec::new(); 3];
                    for (&gi, &yi) in g.iter().zip(y) {
                        groups[gi as usize].push(yi);
                    }
                    let refs: Vec<&[f64]> = groups.iter().map(Vec::as_slice).collect();
                    rct_stats::rank::kruskal_wallis::kruskal_wallis(&refs).expect("valid data")
                },
                limit,
            );
            let r = &t.out;
            rec.record("rct kruskal_wallis", "compute", &t, json!({"statistic": r.statistic, "p": r.p_value}), "split into 3 groups inside the timing; tie-corrected");
        }
        "friedman" => {
            let t = timed(|| read_numeric_csv(&file("friedman")), limit);
            rec.record("rct csv load", "load", &t, json!({}), "hand-rolled CSV reader");
            let cols = t.out;
            let n = cols.data[0].len();
            let t = timed(
                || {
                    // Rows are blocks, columns conditions; the row-major matrix is
                    // built inside the timing, as scipy splits its columns inside.
                    let k = cols.data.len();
                    let mut flat = Vec::with_capacity(n * k);
                    for i in 0..n {
                        flat.extend(cols.data.iter().map(|c| c[i]));
                    }
                    rct_stats::rank::friedman_rows(&flat, k).expect("valid data")
                },
                limit,
            );
            let r = &t.out;
            rec.record("rct friedman", "compute", &t, json!({"statistic": r.statistic, "p": r.p_value}), "10 conditions; tie-corrected; matrix built inside the timing");
        }
        "fisher" => {
            let rows: Vec<Vec<f64>> = match size.as_str() {
                "2x3" => vec![vec![60.0, 45.0, 45.0], vec![40.0, 55.0, 55.0]],
                "3x4" => vec![vec![14.0, 10.0, 8.0, 6.0], vec![9.0, 11.0, 10.0, 8.0], vec![6.0, 9.0, 13.0, 16.0]],
                "2x2" => vec![vec![25300.0, 24700.0], vec![24500.0, 25500.0]],
                other => panic!("unknown fisher size {other}"),
            };
            let t = timed(
                || {
                    let table = rct_stats::contingency::Table::new(&rows).expect("valid table");
                    rct_stats::contingency::fisher_exact(&table).expect("computable")
                },
                limit,
            );
            let note = if size == "2x2" { "exact; also cond. MLE odds ratio + 95% CI" } else { "exact network algorithm" };
            rec.record("rct fisher_exact", "compute", &t, json!({"p": t.out.p_value}), note);
        }
        other => {
            eprintln!("rct-peer: workload `{other}` not timed yet");
            std::process::exit(2);
        }
    }
}
