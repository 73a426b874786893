//! Criterion benchmarks of the rct-cdisc codecs on a 1e6-row LB-like
//! dataset (SDTM laboratory results: identifiers, test code, numeric result
//! with some missing, a date, a visit number). Each benchmark checks its
//! result inside the timed closure (`cargo bench --bench cdisc -- --test`
//! runs each once).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use rct_cdisc::{csv, json, xport, Column, Dataset, Format, NumericColumn, TextColumn, Variable};

const ROWS: usize = 1_000_000;

/// A deterministic LB-like dataset: 1000 subjects x 1000 records.
fn lb(rows: usize) -> Dataset {
    let tests = ["CD4", "CD8", "CD4CD8", "VL", "ALT", "AST"];
    let mut usubjid = TextColumn::with_capacity(rows, rows * 11);
    let mut testcd = TextColumn::with_capacity(rows, rows * 6);
    let mut result = NumericColumn::with_capacity(rows);
    let mut date = NumericColumn::with_capacity(rows);
    let mut visit = NumericColumn::with_capacity(rows);
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    for i in 0..rows {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        usubjid.push(&format!("01-{:03}-{:04}", i / 100_000, (i / 1000) % 10_000));
        testcd.push(tests[i % tests.len()]);
        let u = (state >> 11) as f64 / (1u64 << 53) as f64;
        result.push(if i % 50 == 0 {
            None
        } else {
            Some((u * 1e6).round() / 1e3)
        });
        date.push(Some(19_725.0 + (i % 365) as f64));
        visit.push(Some((i % 12) as f64 + 1.0));
    }
    Dataset::new(
        "LB",
        "Laboratory Test Results",
        vec![
            Variable::character("STUDYID", 12).with_label("Study Identifier"),
            Variable::character("USUBJID", 11).with_label("Unique Subject Identifier"),
            Variable::character("LBTESTCD", 8).with_label("Lab Test or Examination Short Name"),
            Variable::numeric("LBSTRESN").with_label("Numeric Result/Finding in Std Units"),
            Variable::numeric("LBDT").with_format(Format::new("DATE", 9, 0)),
            Variable::numeric("VISITNUM").with_label("Visit Number"),
        ],
        vec![
            Column::Character(std::iter::repeat_n("CDISCPILOT01", rows).collect()),
            Column::Character(usubjid),
            Column::Character(testcd),
            Column::Numeric(result),
            Column::Numeric(date),
            Column::Numeric(visit),
        ],
    )
    .expect("a valid dataset")
}

fn bench_cdisc(c: &mut Criterion) {
    let ds = lb(ROWS);
    let xpt = xport::to_bytes(std::slice::from_ref(&ds), &xport::WriteOptions::default()).unwrap();
    let js = json::to_bytes(&ds, &json::WriteOptions::default()).unwrap();
    let cs = csv::to_bytes(&ds).unwrap();
    let schema = csv::ReadOptions::default()
        .with_name("LB")
        .with_label("Laboratory Test Results")
        .with_schema(ds.variables().to_vec());

    let mut g = c.benchmark_group("cdisc_lb_1e6");
    g.sample_size(10);
    g.bench_function("xport_write", |b| {
        b.iter(|| {
            let out = xport::to_bytes(
                black_box(std::slice::from_ref(&ds)),
                &xport::WriteOptions::default(),
            )
            .unwrap();
            assert_eq!(out.len(), xpt.len());
        })
    });
    g.bench_function("xport_read", |b| {
        b.iter(|| {
            let back = xport::from_bytes(black_box(&xpt)).unwrap();
            assert_eq!(back[0].n_rows(), ROWS);
        })
    });
    g.bench_function("json_write", |b| {
        b.iter(|| {
            let out = json::to_bytes(black_box(&ds), &json::WriteOptions::default()).unwrap();
            assert_eq!(out.len(), js.len());
        })
    });
    g.bench_function("json_read", |b| {
        b.iter(|| {
            let back = json::from_bytes(black_box(&js)).unwrap();
            assert_eq!(back.n_rows(), ROWS);
        })
    });
    g.bench_function("csv_write", |b| {
        b.iter(|| {
            let out = csv::to_bytes(black_box(&ds)).unwrap();
            assert_eq!(out.len(), cs.len());
        })
    });
    g.bench_function("csv_read", |b| {
        b.iter(|| {
            let back = csv::from_bytes(black_box(&cs), &schema).unwrap();
            assert_eq!(back.n_rows(), ROWS);
        })
    });
    g.finish();
}

criterion_group!(benches, bench_cdisc);
criterion_main!(benches);
