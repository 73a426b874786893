//! Criterion benchmarks of the classical tests at the sizes the issues name.
//! Each benchmark checks its result inside the timed closure, so a wrong
//! answer cannot be fast (`cargo bench -- --test` runs each once).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use rct_stats::contingency::{fisher_exact, Table};
use rct_stats::rank::{friedman, kruskal_wallis};

/// A small deterministic generator (SplitMix64) so the benchmark data need
/// no files: normal-ish values with 4 decimals, as the peers' data.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn normal4(&mut self) -> f64 {
        let s: f64 = (0..12).map(|_| self.next()).sum::<f64>() - 6.0;
        (s * 1e4).round() / 1e4
    }
}

fn groups(n: usize) -> Vec<Vec<f64>> {
    let mut g = Mix(20240601);
    let mut out = vec![Vec::new(); 3];
    for i in 0..n {
        out[i % 3].push(g.normal4() + 0.01 * (i % 3) as f64);
    }
    out
}

fn bench_kw(c: &mut Criterion) {
    let mut group = c.benchmark_group("kruskal_wallis");
    group.sample_size(10);
    for n in [1_000_000usize, 10_000_000] {
        let g = groups(n);
        let refs: Vec<&[f64]> = g.iter().map(Vec::as_slice).collect();
        group.bench_function(format!("n={n}"), |b| {
            b.iter(|| {
                let r = kruskal_wallis(black_box(&refs)).unwrap();
                assert!(r.p_value >= 0.0 && r.p_value <= 1.0);
                r
            })
        });
    }
    group.finish();
}

fn bench_friedman(c: &mut Criterion) {
    let mut g = Mix(7);
    let y: Vec<Vec<f64>> = (0..100_000)
        .map(|_| (0..10).map(|_| g.normal4()).collect())
        .collect();
    let mut group = c.benchmark_group("friedman");
    group.sample_size(10);
    group.bench_function("100000x10", |b| {
        b.iter(|| {
            let r = friedman(black_box(&y)).unwrap();
            assert!(r.df == 9.0);
            r
        })
    });
    group.finish();
}

fn bench_fisher(c: &mut Criterion) {
    let t23 = Table::new(&[vec![60.0, 45.0, 45.0], vec![40.0, 55.0, 55.0]]).unwrap();
    let t34 = Table::new(&[
        vec![14.0, 10.0, 8.0, 6.0],
        vec![9.0, 11.0, 10.0, 8.0],
        vec![6.0, 9.0, 13.0, 16.0],
    ])
    .unwrap();
    let mut group = c.benchmark_group("fisher_exact");
    group.bench_function("2x3 n=300", |b| {
        b.iter(|| {
            let r = fisher_exact(black_box(&t23)).unwrap();
            assert!(r.p_value > 0.0 && r.p_value < 1.0);
            r
        })
    });
    group.bench_function("3x4 n=120", |b| {
        b.iter(|| {
            let r = fisher_exact(black_box(&t34)).unwrap();
            assert!(r.p_value > 0.0 && r.p_value < 1.0);
            r
        })
    });
    group.finish();
}

/// Exponential survival times by arm with exponential censoring, as the
/// peers' km data.
fn survival_data(n: usize) -> (Vec<f64>, Vec<f64>, Vec<u8>) {
    let mut g = Mix(11);
    let (mut time, mut status, mut arm) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for i in 0..n {
        let a = (i % 3) as u8;
        let rate = [0.10, 0.08, 0.06][a as usize];
        let t = -(1.0 - g.next()).ln() / rate;
        let c = -(1.0 - g.next()).ln() / 0.0343;
        time.push((t.min(c) * 1e6).round() / 1e6 + 1e-6);
        status.push(f64::from(u8::from(t <= c)));
        arm.push(a);
    }
    (time, status, arm)
}

fn bench_survival(c: &mut Criterion) {
    use rct_stats::survival::{
        sort_times, CoxData, CoxOptions, CoxPh, GroupedSurvival, KaplanMeierOptions,
        LogrankOptions, SurvivalData,
    };
    let mut group = c.benchmark_group("survival");
    group.sample_size(10);
    let (time, status, arm) = survival_data(1_000_000);
    group.bench_function("km x3 + logrank n=1e6", |b| {
        b.iter(|| {
            let data = GroupedSurvival::new(black_box(&time), &status, &arm).unwrap();
            let curves = data.kaplan_meier(&KaplanMeierOptions::default()).unwrap();
            let lr = data.logrank(&LogrankOptions::default()).unwrap();
            assert!(lr.p_value < 1e-10 && curves.iter().all(|(_, k)| k.median.is_some()));
            (curves, lr)
        })
    });
    // The floor of the KM target: sorting the time column alone, with the
    // radix sort the survival constructors use.
    group.bench_function("sort time column n=1e6", |b| {
        b.iter(|| {
            let s = sort_times(black_box(&time));
            assert!(s.windows(2).all(|w| w[0] <= w[1]));
            s
        })
    });
    let (time, status, arm) = survival_data(100_000);
    let mut g = Mix(5);
    let x1: Vec<f64> = (0..time.len()).map(|_| g.normal4()).collect();
    let x2: Vec<f64> = arm.iter().map(|&a| f64::from(a)).collect();
    let x3: Vec<f64> = (0..time.len()).map(|_| 45.0 + 10.0 * g.normal4()).collect();
    group.bench_function("cox 3 covariates n=1e5", |b| {
        b.iter(|| {
            let surv = SurvivalData::new(black_box(&time), &status).unwrap();
            let cols = vec![
                ("x1".to_string(), x1.clone()),
                ("arm".to_string(), x2.clone()),
                ("x3".to_string(), x3.clone()),
            ];
            let fit = CoxPh::new(CoxOptions::default())
                .fit(&CoxData::new(surv, &cols, None::<&[u8]>).unwrap())
                .unwrap();
            assert!(fit.coef[1] < 0.0);
            fit
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_kw,
    bench_friedman,
    bench_fisher,
    bench_survival
);
criterion_main!(benches);
