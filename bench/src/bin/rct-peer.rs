//! Times rct on the peer benchmark's data files, in the peers' protocol.
//!
//! `rct-peer --datadir DIR --out RESULTS.jsonl WORKLOAD SIZE`
//! appends JSON lines next to R's and Python's (lang `rust`), so
//! `bench/peers/run_all.py --langs R,python,rust` prints one table with all.

use std::path::PathBuf;

use rct_bench::{read_numeric_csv, timed, Recorder};
use serde_json::json;

/// Reads a data file, timing it as the `load` phase.
fn load(rec: &Recorder, path: &std::path::Path, limit: f64) -> rct_bench::Columns {
    let t = timed(|| read_numeric_csv(path), limit);
    rec.record(
        "rct csv load",
        "load",
        &t,
        json!({}),
        "hand-rolled CSV reader",
    );
    t.out
}

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
    let [workload, size] = <[String; 2]>::try_from(pos)
        .expect("usage: rct-peer --datadir DIR --out FILE WORKLOAD SIZE");
    let datadir = datadir.expect("--datadir");
    let limit: f64 = std::env::var("PEER_RUN_LIMIT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60.0);
    let rec = Recorder {
        out: out.expect("--out"),
        workload: workload.clone(),
        size: size.clone(),
        limit,
    };
    let file = |kind: &str| datadir.join(format!("{kind}_{size}.csv"));
    match workload.as_str() {
        "kw" => {
            let cols = load(&rec, &file("kw"), limit);
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
            rec.record(
                "rct kruskal_wallis",
                "compute",
                &t,
                json!({"statistic": r.statistic, "p": r.p_value}),
                "split into 3 groups inside the timing; tie-corrected",
            );
        }
        "friedman" => {
            let cols = load(&rec, &file("friedman"), limit);
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
            rec.record(
                "rct friedman",
                "compute",
                &t,
                json!({"statistic": r.statistic, "p": r.p_value}),
                "10 conditions; tie-corrected; matrix built inside the timing",
            );
        }
        "fisher" => {
            let rows: Vec<Vec<f64>> = match size.as_str() {
                "2x3" => vec![vec![60.0, 45.0, 45.0], vec![40.0, 55.0, 55.0]],
                "3x4" => vec![
                    vec![14.0, 10.0, 8.0, 6.0],
                    vec![9.0, 11.0, 10.0, 8.0],
                    vec![6.0, 9.0, 13.0, 16.0],
                ],
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
            let note = if size == "2x2" {
                "exact; also cond. MLE odds ratio + 95% CI"
            } else {
                "exact network algorithm"
            };
            rec.record(
                "rct fisher_exact",
                "compute",
                &t,
                json!({"p": t.out.p_value}),
                note,
            );
        }
        "km" => {
            let cols = load(&rec, &file("km"), limit);
            let (time, status, arm) = (cols.col("time"), cols.col("status"), cols.col("arm"));
            let t = timed(
                || {
                    use rct_stats::survival::{
                        GroupedSurvival, KaplanMeierOptions, LogrankOptions,
                    };
                    let groups: Vec<u8> = arm.iter().map(|&a| a as u8).collect();
                    let data = GroupedSurvival::new(time, status, &groups).expect("valid data");
                    let curves: Vec<_> = data
                        .kaplan_meier(&KaplanMeierOptions::default())
                        .expect("valid")
                        .into_iter()
                        .map(|(_, km)| km)
                        .collect();
                    let lr = data.logrank(&LogrankOptions::default()).expect("valid");
                    (curves, lr)
                },
                limit,
            );
            let (curves, lr) = &t.out;
            let medians: Vec<Option<f64>> = curves.iter().map(|c| c.median).collect();
            let n_times: usize = curves.iter().map(|c| c.time.len()).sum();
            rec.record(
                "rct kaplan_meier x3 + logrank",
                "compute",
                &t,
                json!({"chisq": lr.statistic, "median": medians, "n_times": n_times}),
                "validation + one radix sort (group, time, event packed in a u64); full KM curve per arm with log CI and median CI; 3-group log-rank",
            );
            // The floor the issue names: sorting the time column alone.
            let t = timed(
                || {
                    let mut v = time.to_vec();
                    v.sort_unstable_by(f64::total_cmp);
                    v
                },
                limit,
            );
            rec.record(
                "rct sort time column (pdqsort)",
                "floor",
                &t,
                json!({}),
                "slice::sort_unstable_by(total_cmp) of a copy",
            );
            // The same LSD radix sort rct's survival constructors use.
            let t = timed(|| rct_stats::survival::sort_times(time), limit);
            rec.record(
                "rct sort time column (radix, as rct)",
                "floor",
                &t,
                json!({}),
                "rct_stats::survival::sort_times: LSD radix sort of the f64 keys",
            );
        }
        "cox" => {
            let cols = load(&rec, &file("cox"), limit);
            let t = timed(
                || {
                    use rct_stats::survival::{CoxData, CoxOptions, CoxPh, SurvivalData};
                    let surv = SurvivalData::new(cols.col("time"), cols.col("status"))
                        .expect("valid data");
                    let x: Vec<(String, Vec<f64>)> = ["x1", "x2", "x3"]
                        .iter()
                        .map(|n| (n.to_string(), cols.col(n).to_vec()))
                        .collect();
                    let data = CoxData::new(surv, &x, None::<&[u8]>).expect("valid");
                    CoxPh::new(CoxOptions::default()).fit(&data).expect("fits")
                },
                limit,
            );
            rec.record(
                "rct cox_ph (Efron)",
                "compute",
                &t,
                json!({"coef": t.out.coef}),
                "Efron; validation, sort and Newton-Raphson; Wald, LR and score tests",
            );
        }
        "sim" => {
            let cols = load(&rec, &file("sim"), limit);
            let t = timed(|| simulate_analyses(&cols), limit);
            let (trials, rg, rl) = t.out;
            rec.record(
                "rct gee + logrank per trial (all cores)",
                "compute",
                &t,
                json!({"trials": trials, "power_gee": rg as f64 / trials as f64,
                       "power_logrank": rl as f64 / trials as f64}),
                "per trial: GEE arm + visit (exch., robust Wald 2 df) + response times + 3-arm log-rank; \
                 trials split over the machine's cores with std threads",
            );
        }
        "gee" => {
            let cols = load(&rec, &file("gee"), limit);
            let (id, arm, visit, y) = (
                cols.col("id"),
                cols.col("arm"),
                cols.col("visit"),
                cols.col("y"),
            );
            let t = timed(
                || {
                    use rct_stats::models::design::Design;
                    use rct_stats::models::gee::{CorStr, GeeData, GeeOptions};
                    // factor(arm) * factor(visit): 2 + 9 + 18 dummies and the intercept.
                    let n = y.len();
                    let mut columns: Vec<(String, Vec<f64>)> = Vec::new();
                    for a in 1..3 {
                        columns.push((
                            format!("arm{a}"),
                            arm.iter()
                                .map(|&v| f64::from(u8::from(v as i64 == a)))
                                .collect(),
                        ));
                    }
                    for v in 1..10 {
                        columns.push((
                            format!("visit{v}"),
                            visit
                                .iter()
                                .map(|&w| f64::from(u8::from(w as i64 == v)))
                                .collect(),
                        ));
                    }
                    for a in 1..3 {
                        for v in 1..10 {
                            columns.push((
                                format!("arm{a}:visit{v}"),
                                (0..n)
                                    .map(|i| {
                                        f64::from(u8::from(
                                            arm[i] as i64 == a && visit[i] as i64 == v,
                                        ))
                                    })
                                    .collect(),
                            ));
                        }
                    }
                    let design = Design::new(n, &columns).expect("valid design");
                    let ids: Vec<i64> = id.iter().map(|&v| v as i64).collect();
                    let data = GeeData::new(y, &design, &ids, visit).expect("valid");
                    data.fit(&GeeOptions::default().corstr(CorStr::Exchangeable))
                        .expect("fits")
                },
                limit,
            );
            let fit = &t.out;
            rec.record(
                "rct gee (gaussian, exchangeable)",
                "compute",
                &t,
                json!({"coef_arm1": fit.coef[1], "robust_se_arm1": fit.robust_se[1], "alpha": fit.alpha, "p": fit.coef.len()}),
                "includes building the 30-column design; robust (sandwich) SE",
            );
        }
        other => {
            eprintln!("rct-peer: workload `{other}` not timed yet");
            std::process::exit(2);
        }
    }
}

/// The peers' `sim` workload: each simulated 72-patient trial (rows of one
/// `sim` value, 10 visits per patient in order) analysed with a GEE (arm +
/// visit, exchangeable, robust Wald test of arm) and a 3-arm log-rank test
/// of time to a CD4 rise above 30% of baseline, as `r_peers.R` does.
/// Returns (trials, GEE rejections, log-rank rejections) at alpha 0.05.
fn simulate_analyses(cols: &rct_bench::Columns) -> (usize, usize, usize) {
    let (sim, id, arm, visit, week, cd4) = (
        cols.col("sim"),
        cols.col("id"),
        cols.col("arm"),
        cols.col("visit"),
        cols.col("week"),
        cols.col("cd4"),
    );
    // Trial boundaries (rows are grouped by trial).
    let mut starts = vec![0];
    for i in 1..sim.len() {
        if sim[i] != sim[i - 1] {
            starts.push(i);
        }
    }
    starts.push(sim.len());
    let trials: Vec<(usize, usize)> = starts.windows(2).map(|w| (w[0], w[1])).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = trials.len().div_ceil(threads).max(1);
    let (rg, rl) = std::thread::scope(|scope| {
        let handles: Vec<_> = trials
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let (mut rg, mut rl) = (0, 0);
                    for &(a, b) in part {
                        let (g, l) = analyse_trial(
                            &id[a..b],
                            &arm[a..b],
                            &visit[a..b],
                            &week[a..b],
                            &cd4[a..b],
                        );
                        rg += usize::from(g);
                        rl += usize::from(l);
                    }
                    (rg, rl)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker"))
            .fold((0, 0), |x, y| (x.0 + y.0, x.1 + y.1))
    });
    (trials.len(), rg, rl)
}

fn analyse_trial(id: &[f64], arm: &[f64], visit: &[f64], week: &[f64], y: &[f64]) -> (bool, bool) {
    use rct_stats::models::design::Design;
    use rct_stats::models::gee::{CorStr, GeeData, GeeOptions};
    use rct_stats::survival::{GroupedSurvival, LogrankOptions};
    let n = y.len();
    let mut columns: Vec<(String, Vec<f64>)> = Vec::with_capacity(11);
    for a in 1..3 {
        columns.push((
            format!("arm{a}"),
            arm.iter()
                .map(|&v| f64::from(u8::from(v as i64 == a)))
                .collect(),
        ));
    }
    for v in 1..10 {
        columns.push((
            format!("visit{v}"),
            visit
                .iter()
                .map(|&w| f64::from(u8::from(w as i64 == v)))
                .collect(),
        ));
    }
    let design = Design::new(n, &columns)
        .and_then(|d| d.with_terms(&[("arm", vec!["arm1", "arm2"])]))
        .expect("valid design");
    let ids: Vec<i64> = id.iter().map(|&v| v as i64).collect();
    let gee = GeeData::new(y, &design, &ids, visit)
        .and_then(|d| d.fit(&GeeOptions::default().corstr(CorStr::Exchangeable)))
        .map(|f| f.term_tests[0].p_value < 0.05)
        .unwrap_or(false);
    // Response: first visit with CD4 > 1.3 x baseline; else censored at the last week.
    let (mut time, mut event, mut group) = (Vec::new(), Vec::new(), Vec::new());
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j < n && id[j] == id[i] {
            j += 1;
        }
        let base = y[i];
        let hit = (i + 1..j).find(|&k| y[k] > 1.3 * base);
        time.push(hit.map_or(week[j - 1], |k| week[k]));
        event.push(f64::from(u8::from(hit.is_some())));
        group.push(arm[i] as i64);
        i = j;
    }
    let lr = GroupedSurvival::new(&time, &event, &group)
        .and_then(|g| g.logrank(&LogrankOptions::default()))
        .map(|r| r.p_value < 0.05)
        .unwrap_or(false);
    (gee, lr)
}
