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
        other => {
            eprintln!("rct-peer: workload `{other}` not timed yet");
            std::process::exit(2);
        }
    }
}
