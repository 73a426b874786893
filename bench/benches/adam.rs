//! Criterion benchmark of SDTM validation and ADaM derivation on demo
//! studies of 1,000 and 4,000 randomized subjects: the derivations must
//! scale linearly (a per-subject scan of every lab record once made a
//! 10,000-subject study take 46 s instead of 5). Compare the two sizes: the
//! larger should take about four times as long. Each run checks its result
//! inside the timed closure (`cargo bench --bench adam -- --test` runs each
//! once).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use rct_cdisc::adam::{derive_all, AdamConfig};
use rct_cdisc::sdtm::Sdtm;
use rct_cdisc::study::Study;
use rct_simulate::demo::{simulate_study, DemoConfig};

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("adam");
    group.sample_size(10);
    for n in [1_000usize, 4_000] {
        let demo = simulate_study(&DemoConfig::scaled(n), 20_260_101).expect("demo study");
        let study = Study::from_datasets(demo.datasets).expect("study");
        let config = AdamConfig::seed_trial();
        group.bench_function(format!("sdtm + derive_all, {n} randomized"), |b| {
            b.iter(|| {
                let sdtm = Sdtm::from_study(black_box(&study)).expect("valid SDTM");
                let adam = derive_all(&sdtm, &config).expect("derived");
                let randomized = adam
                    .adsl
                    .get("RANDFL")
                    .and_then(|(_, col)| col.as_character())
                    .map_or(0, |flags| flags.iter().filter(|f| *f == "Y").count());
                assert_eq!(randomized, n);
                adam
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
