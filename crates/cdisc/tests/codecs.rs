//! Integration tests of the codecs: the CDISC pilot study files (read,
//! hand-checked facts, round trips through every format) and malformed
//! input.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::path::PathBuf;

use rct_cdisc::{
    csv, json, xport, CdiscError, Column, Dataset, Format, Missing, NumericColumn, VarKind,
    Variable,
};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The pilot study folder: `$RCT_CDISC_PILOT`, else `../shared/cdisc-pilot`
/// beside the workspace root. `None` (with a notice) when absent.
fn pilot() -> Option<PathBuf> {
    let dir = match std::env::var_os("RCT_CDISC_PILOT") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/cdisc-pilot"),
    };
    if dir.join("adam/adsl.xpt").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "notice: {} not found; pilot-study tests skipped (set RCT_CDISC_PILOT)",
            dir.display()
        );
        None
    }
}

fn pilot_files() -> Vec<PathBuf> {
    let Some(dir) = pilot() else {
        return Vec::new();
    };
    let mut files = Vec::new();
    for sub in ["sdtm", "adam"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "xpt") {
                files.push(p);
            }
        }
    }
    files.sort();
    assert_eq!(
        files.len(),
        22,
        "the pilot copy holds 18 SDTM + 4 ADaM files"
    );
    files
}

fn one(path: &PathBuf) -> Dataset {
    let mut ds = xport::read_path(path).unwrap();
    assert_eq!(ds.len(), 1, "{}", path.display());
    ds.remove(0)
}

fn text(ds: &Dataset, var: &str) -> Vec<String> {
    ds.get(var).unwrap().1.as_character().unwrap().to_vec()
}

fn num<'a>(ds: &'a Dataset, var: &str) -> &'a NumericColumn {
    ds.get(var).unwrap().1.as_numeric().unwrap()
}

/// Source: the pilot README (CDISCPILOT01: 254 randomized subjects, 86
/// placebo, 84 low dose, 84 high dose by TRT01P; 1,191 ADAE records), and
/// pandas 2.3.3 `read_sas(path, format="xport")` on the same files for the
/// row counts and the sums below
/// (script: tests/data/crosscheck_pandas.py).
#[test]
fn pilot_facts() {
    let Some(dir) = pilot() else { return };
    let adsl = one(&dir.join("adam/adsl.xpt"));
    assert_eq!(adsl.name(), "ADSL");
    assert_eq!(adsl.n_rows(), 254);
    let trt = text(&adsl, "TRT01P");
    let count = |arm: &str| trt.iter().filter(|t| *t == arm).count();
    assert_eq!(count("Placebo"), 86);
    assert_eq!(count("Xanomeline Low Dose"), 84);
    assert_eq!(count("Xanomeline High Dose"), 84);
    let usubjid = text(&adsl, "USUBJID");
    let unique: std::collections::HashSet<_> = usubjid.iter().collect();
    assert_eq!(unique.len(), 254);
    let (age, age_col) = adsl.get("AGE").unwrap();
    assert_eq!(age.kind, VarKind::Numeric);
    assert_eq!(age.label, "Age");
    let ages = age_col.as_numeric().unwrap();
    let sum: f64 = ages.values().iter().flatten().sum();
    assert_eq!(sum, 19_072.0);
    let (trtsdt, _) = adsl.get("TRTSDT").unwrap();
    assert_eq!(trtsdt.format, Some(Format::new("DATE", 9, 0)));
    // First subject 01-701-1015 started treatment 2014-01-02 (day 19725).
    assert_eq!(usubjid[0], "01-701-1015");
    assert_eq!(num(&adsl, "TRTSDT").get(0), Some(19_725.0));

    let adae = one(&dir.join("adam/adae.xpt"));
    assert_eq!(adae.n_rows(), 1191);
    let adtte = one(&dir.join("adam/adtte.xpt"));
    assert_eq!(adtte.n_rows(), 254);
    assert!(text(&adtte, "PARAMCD").iter().all(|p| p == "TTDE"));
    let cnsr = num(&adtte, "CNSR");
    assert!(cnsr
        .values()
        .iter()
        .all(|c| matches!(c, Some(x) if *x == 0.0 || *x == 1.0)));
    let dm = one(&dir.join("sdtm/dm.xpt"));
    assert_eq!(dm.n_rows(), 306);
}

/// Per file: rows, columns, the sum of all numeric values, the number of
/// missing numerics and the number of characters of text (trailing blanks
/// removed).
/// Source: pandas 2.3.3 `read_sas(path, format="xport", encoding="cp1252")`,
/// script tests/data/crosscheck_pandas.py.
const PANDAS: &[(&str, usize, usize, f64, usize, usize)] = &[
    ("adam/adae.xpt", 1191, 55, 84012359.0, 7400, 291257),
    ("adam/adqscibc.xpt", 730, 36, 47698074.0, 239, 74573),
    ("adam/adsl.xpt", 254, 48, 25765640.799999997, 2, 44953),
    ("adam/adtte.xpt", 254, 26, 19962771.0, 102, 35149),
    ("sdtm/ae.xpt", 1191, 35, 106992.0, 7645, 275146),
    ("sdtm/cm.xpt", 7510, 21, 1499165.969, 12598, 794949),
    ("sdtm/dm.xpt", 306, 25, 20183.0, 52, 51131),
    ("sdtm/ds.xpt", 596, 13, 81045.0, 52, 60007),
    ("sdtm/ex.xpt", 591, 17, 122344.0, 6, 47752),
    ("sdtm/mh.xpt", 1818, 19, -19632.0, 0, 288661),
    ("sdtm/relrec.xpt", 234, 7, 0.0, 0, 11466),
    ("sdtm/sc.xpt", 254, 14, 699.0, 0, 20244),
    ("sdtm/se.xpt", 752, 9, 2202.0, 0, 41843),
    ("sdtm/suppae.xpt", 1191, 10, 0.0, 0, 108488),
    ("sdtm/suppdm.xpt", 1197, 10, 0.0, 0, 109166),
    ("sdtm/suppds.xpt", 3, 10, 0.0, 0, 222),
    ("sdtm/sv.xpt", 3559, 8, 226469.8, 196, 194772),
    ("sdtm/ta.xpt", 8, 10, 16.0, 0, 507),
    ("sdtm/te.xpt", 7, 7, 0.0, 0, 660),
    ("sdtm/ti.xpt", 31, 6, 0.0, 0, 3638),
    ("sdtm/ts.xpt", 33, 6, 46.0, 0, 2570),
    ("sdtm/tv.xpt", 21, 9, 2413.9, 2, 1323),
];

#[test]
fn pilot_files_agree_with_pandas() {
    let Some(dir) = pilot() else { return };
    for &(file, rows, cols, numsum, nmissing, textchars) in PANDAS {
        let ds = one(&dir.join(file));
        let mut sum = 0.0;
        let mut missing = 0;
        let mut chars = 0;
        for c in ds.columns() {
            match c {
                Column::Numeric(c) => {
                    sum += c.values().iter().flatten().sum::<f64>();
                    missing += c.values().iter().filter(|v| v.is_none()).count();
                }
                Column::Character(c) => chars += c.iter().map(|t| t.chars().count()).sum::<usize>(),
            }
        }
        assert_eq!((ds.n_rows(), ds.variables().len()), (rows, cols), "{file}");
        assert!(
            (sum - numsum).abs() <= 1e-9 * numsum.abs().max(1.0),
            "{file}: {sum} vs {numsum}"
        );
        assert_eq!((missing, chars), (nmissing, textchars), "{file}");
    }
}

#[test]
fn every_pilot_file_reads() {
    for p in pilot_files() {
        let ds = one(&p);
        let stem = p
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .to_ascii_uppercase();
        assert_eq!(ds.name(), stem);
        assert!(
            ds.n_rows() > 0 && !ds.variables().is_empty(),
            "{}",
            p.display()
        );
    }
}

/// Asserts two datasets are equal, naming the first difference.
fn same(a: &Dataset, b: &Dataset, what: &str) {
    if a == b {
        return;
    }
    assert_eq!((a.name(), a.label()), (b.name(), b.label()), "{what}");
    assert_eq!(a.variables(), b.variables(), "{what}");
    for (v, (x, y)) in a
        .variables()
        .iter()
        .zip(a.columns().iter().zip(b.columns()))
    {
        match (x, y) {
            (Column::Numeric(x), Column::Numeric(y)) => {
                for i in 0..x.len().max(y.len()) {
                    assert_eq!(
                        (x.values().get(i), x.missing(i)),
                        (y.values().get(i), y.missing(i)),
                        "{what}: {} row {}",
                        v.name,
                        i + 1
                    );
                }
            }
            (Column::Character(x), Column::Character(y)) => {
                for i in 0..x.len().max(y.len()) {
                    assert_eq!(x.get(i), y.get(i), "{what}: {} row {}", v.name, i + 1);
                }
            }
            _ => panic!("{what}: {} kinds differ", v.name),
        }
    }
    panic!("{what}: datasets differ");
}

fn assert_round_trips(ds: &Dataset, what: &str) {
    // XPORT -> XPORT: equal datasets, and the observation bytes equal the
    // original's (checked by the caller on the file).
    let xpt = xport::to_bytes(std::slice::from_ref(ds), &xport::WriteOptions::default()).unwrap();
    same(
        &xport::from_bytes(&xpt).unwrap()[0],
        ds,
        &format!("{what}: xpt"),
    );
    // XPORT -> JSON -> XPORT.
    let j = json::to_bytes(ds, &json::WriteOptions::default()).unwrap();
    let back = json::from_bytes(&j).unwrap();
    same(&back, ds, &format!("{what}: json"));
    let xpt2 = xport::to_bytes(&[back], &xport::WriteOptions::default()).unwrap();
    assert_eq!(xpt2, xpt, "{what}: xpt -> json -> xpt bytes");
    // NDJSON.
    let nd = json::to_ndjson_bytes(ds, &json::WriteOptions::default()).unwrap();
    same(
        &json::from_ndjson_bytes(&nd).unwrap(),
        ds,
        &format!("{what}: ndjson"),
    );
    // XPORT -> CSV -> XPORT with the schema: equal data and metadata.
    let c = csv::to_bytes(ds).unwrap();
    let opts = csv::ReadOptions::default()
        .with_name(ds.name())
        .with_label(ds.label())
        .with_schema(ds.variables().to_vec());
    let back = csv::from_bytes(&c, &opts).unwrap();
    same(&back, ds, &format!("{what}: csv"));
    let xpt3 = xport::to_bytes(&[back], &xport::WriteOptions::default()).unwrap();
    assert_eq!(xpt3, xpt, "{what}: xpt -> csv -> xpt bytes");
    // CSV without a schema keeps every value (types inferred).
    let inferred = csv::from_bytes(&c, &csv::ReadOptions::default()).unwrap();
    assert_eq!(inferred.n_rows(), ds.n_rows());
    let c2 = csv::to_bytes(&inferred).unwrap();
    let again = csv::from_bytes(&c2, &csv::ReadOptions::default()).unwrap();
    assert_eq!(
        csv::to_bytes(&again).unwrap(),
        c2,
        "{what}: inferred csv is stable"
    );
}

/// The observation records of an XPORT file: everything after the OBS
/// header.
fn observations(bytes: &[u8]) -> &[u8] {
    let obs = b"HEADER RECORD*******OBS     HEADER RECORD!!!!!!!";
    let at = bytes.chunks(80).position(|r| r.starts_with(obs)).unwrap();
    &bytes[(at + 1) * 80..]
}

#[test]
fn pilot_round_trips() {
    for p in pilot_files() {
        let original = std::fs::read(&p).unwrap();
        let ds = one(&p);
        assert_round_trips(&ds, &p.display().to_string());
        // Our XPORT writer reproduces SAS's observation bytes exactly
        // (ts.xpt excepted: its Windows-1252 text is rewritten as UTF-8).
        if !p.ends_with("ts.xpt") {
            let ours = xport::to_bytes(&[ds], &xport::WriteOptions::default()).unwrap();
            assert_eq!(
                observations(&ours),
                observations(&original),
                "{}",
                p.display()
            );
        }
    }
}

/// Two small SDTM files kept in the repository, so these checks always
/// run: TA (trial arms, 8 records) and TS (trial summary, 33 records,
/// Windows-1252 text).
#[test]
fn bundled_files() {
    let ta = one(&data("ta.xpt"));
    assert_eq!(ta.n_rows(), 8);
    assert_eq!(text(&ta, "STUDYID")[0], "CDISCPILOT01");
    assert_round_trips(&ta, "ta.xpt");
    let original = std::fs::read(data("ta.xpt")).unwrap();
    let ours = xport::to_bytes(&[ta], &xport::WriteOptions::default()).unwrap();
    assert_eq!(observations(&ours), observations(&original));

    let ts = one(&data("ts.xpt"));
    assert_eq!(ts.n_rows(), 33);
    // Row 9's TSVAL holds byte 0x92, Windows-1252's right single quote.
    assert!(text(&ts, "TSVAL")[8].contains("Alzheimer\u{2019}s"));
    assert_round_trips(&ts, "ts.xpt");
    // Written back as Windows-1252, the bytes are SAS's again.
    let ours = xport::to_bytes(
        &[ts],
        &xport::WriteOptions::default().with_encoding(xport::Encoding::Windows1252),
    )
    .unwrap();
    let original = std::fs::read(data("ts.xpt")).unwrap();
    assert_eq!(observations(&ours), observations(&original));
    // Strict UTF-8 names the observation and variable.
    let err = xport::read_path_with(
        data("ts.xpt"),
        &xport::ReadOptions::default().with_encoding(xport::Encoding::Utf8),
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("ts.xpt`, observation 9, variable `TSVAL`"),
        "{msg}"
    );
    assert!(msg.contains("not UTF-8"), "{msg}");
}

fn special_dataset() -> Dataset {
    let mut x = NumericColumn::new();
    x.push(Some(1.0 / 3.0));
    x.push_missing(Missing::Dot);
    x.push_missing(Missing::Letter(b'A'));
    x.push_missing(Missing::Underscore);
    x.push(Some(-0.0));
    x.push(Some(1e75));
    let mut d = NumericColumn::new();
    for v in [Some(19_725.0), None, Some(-1.0), Some(0.5), Some(3e6), None] {
        d.push(v);
    }
    Dataset::new(
        "LB",
        "Laboratory Test Results",
        vec![
            Variable::numeric("LBSTRESN").with_label("Numeric Result"),
            Variable::numeric("LBDT").with_format(Format::new("DATE", 9, 0)),
            Variable::character("LBTEST", 12).with_label("Lab Test"),
        ],
        vec![
            Column::Numeric(x),
            Column::Numeric(d),
            Column::Character(
                vec![
                    "CD4".to_owned(),
                    "".into(),
                    "  lead".into(),
                    "Ünïcode".into(),
                    "a,b\"c".into(),
                    "x".into(),
                ]
                .into(),
            ),
        ],
    )
    .unwrap()
}

#[test]
fn special_missing_and_odd_values_survive() {
    let ds = special_dataset();
    let xpt = xport::to_bytes(std::slice::from_ref(&ds), &xport::WriteOptions::default()).unwrap();
    let back = xport::from_bytes(&xpt).unwrap().remove(0);
    assert_eq!(back, ds);
    let col = back.columns()[0].as_numeric().unwrap();
    assert_eq!(col.missing(2), Some(Missing::Letter(b'A')));
    assert_eq!(col.missing(3), Some(Missing::Underscore));
    assert_eq!(col.missing(1), Some(Missing::Dot));
    // CSV keeps special missings as `.A` and `._`; dates outside whole
    // days stay numbers.
    let c = String::from_utf8(csv::to_bytes(&ds).unwrap()).unwrap();
    assert!(c.contains(".A,1959-12-31,  lead"), "{c}");
    assert!(c.contains("0.5,"), "{c}");
    assert!(c.contains("3000000,") && c.contains("1959-12-31"), "{c}");
    let opts = csv::ReadOptions::default()
        .with_name("LB")
        .with_label("Laboratory Test Results")
        .with_schema(ds.variables().to_vec());
    assert_eq!(csv::from_bytes(c.as_bytes(), &opts).unwrap(), ds);
}

#[test]
fn short_numerics_truncate_like_sas() {
    let ds = Dataset::new(
        "X",
        "",
        vec![Variable::numeric("A").with_length(4)],
        vec![Column::Numeric(NumericColumn::from_values(vec![
            Some(1.0 / 3.0),
            Some(12345.0),
            None,
        ]))],
    )
    .unwrap();
    let xpt = xport::to_bytes(std::slice::from_ref(&ds), &xport::WriteOptions::default()).unwrap();
    let back = xport::from_bytes(&xpt).unwrap().remove(0);
    let a = back.columns()[0].as_numeric().unwrap();
    // 4 bytes keep 24 bits of fraction: 1/3 becomes 0x41 55 55 55.
    assert_eq!(a.get(0), Some(f64::from(0x55_5555) / f64::from(1 << 24)));
    assert_eq!(a.get(1), Some(12345.0));
    assert_eq!(a.missing(2), Some(Missing::Dot));
    // Writing the truncated values again changes nothing.
    let again = xport::to_bytes(&[back], &xport::WriteOptions::default()).unwrap();
    assert_eq!(again, xpt);
}

#[test]
fn multi_member_files() {
    let a = special_dataset();
    let b = one(&data("ta.xpt"));
    let xpt = xport::to_bytes(&[a.clone(), b.clone()], &xport::WriteOptions::default()).unwrap();
    assert_eq!(xport::from_bytes(&xpt).unwrap(), vec![a, b]);
}

/// Malformed input: each error names the file (or `<input>`), the record
/// or line, the variable and the problem.
#[test]
fn malformed_input_is_named() {
    let good = std::fs::read(data("ta.xpt")).unwrap();

    let err = xport::from_bytes(&good[..good.len() - 100]).unwrap_err();
    assert!(matches!(err, CdiscError::Truncated { .. }), "{err}");
    let err = xport::from_bytes(&good[..300]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`<input>`, record 4: truncated: the file ends at byte 300 before a MEMBER header \
         (80-byte records)"
    );
    let err = xport::from_bytes(b"not an xport file").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("`<input>`, record 1: truncated"),
        "{err}"
    );
    let mut bad = good.clone();
    bad[0] = b'X';
    let err = xport::from_bytes(&bad).unwrap_err().in_file("ta.xpt");
    assert!(
        err.to_string()
            .starts_with("`ta.xpt`, record 1: bad header"),
        "{err}"
    );

    let j = br#"{"datasetJSONVersion":"1.1.0","name":"DM","label":"","records":2,
        "columns":[{"itemOID":"IT.AGE","name":"AGE","label":"Age","dataType":"integer"},
                   {"itemOID":"IT.D","name":"RFSTDT","label":"","dataType":"date","targetDataType":"integer"}],
        "rows":[[63,"2014-01-02"],["sixty","2014-01-02"]]}"#;
    let err = json::from_bytes(j).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`<input>`, row 2, variable `AGE`: bad value \"\\\"sixty\\\"\": a numeric column holds text"
    );
    let j2 = String::from_utf8_lossy(j).replace("\"sixty\",\"2014-01-02\"", "64,\"2014-02-30\"");
    let err = json::from_bytes(j2.as_bytes()).unwrap_err();
    assert!(
        err.to_string().contains("row 2, variable `RFSTDT`")
            && err.to_string().contains("not an ISO 8601 date"),
        "{err}"
    );
    let j3 = String::from_utf8_lossy(j)
        .replace("\"sixty\",\"2014-01-02\"", "64,\"2014-01-02\"")
        .replace("\"records\":2", "\"records\":3");
    assert!(matches!(
        json::from_bytes(j3.as_bytes()),
        Err(CdiscError::Truncated { .. })
    ));
    let err = json::from_bytes(b"{\"rows\": [").unwrap_err();
    assert!(matches!(err, CdiscError::Syntax { .. }), "{err}");

    let opts = csv::ReadOptions::default().with_schema(vec![
        Variable::character("USUBJID", 11),
        Variable::numeric("AGE"),
    ]);
    let err =
        csv::from_bytes(b"USUBJID,AGE\n01-701-1015,63\n01-701-1023,old\n", &opts).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`<input>`, line 3, variable `AGE`: bad value \"old\": a numeric column holds text"
    );
    let err = csv::from_bytes(b"USUBJID,AGE\n01-701-1015\n", &opts).unwrap_err();
    assert!(err.to_string().contains("line 2"), "{err}");
    let err = csv::from_bytes(b"USUBJID,AGE\n\xff\xfe,1\n", &opts).unwrap_err();
    assert!(
        err.to_string().contains("line 2, variable `USUBJID`"),
        "{err}"
    );
}

#[test]
fn writers_refuse_what_xport_cannot_hold() {
    let long = Dataset::new(
        "DM",
        "",
        vec![Variable::character("USUBJIDLONG", 4)],
        vec![Column::Character(vec!["a"].into())],
    )
    .unwrap();
    let err = xport::to_bytes(&[long], &xport::WriteOptions::default()).unwrap_err();
    assert!(err.to_string().contains("variable `USUBJIDLONG`"), "{err}");
    let big = Dataset::new(
        "X",
        "",
        vec![Variable::numeric("A")],
        vec![Column::Numeric(NumericColumn::from_values(vec![
            Some(1.0),
            Some(1e300),
        ]))],
    )
    .unwrap();
    let err = xport::to_bytes(&[big], &xport::WriteOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`<input>`, observation 2, variable `A`: value 1e300 cannot be written: beyond the \
         largest IBM double (7.2e75)"
    );
}

/// Splits our Dataset-JSON text into its metadata members before
/// `columns`, the `columns` member and the `rows` member (the writer puts
/// them in that order).
fn json_parts(text: &str) -> (&str, &str, &str) {
    let rows = text.find(",\"rows\":[").unwrap();
    let columns = text.find(",\"columns\":[").unwrap();
    assert!(columns < rows && text.ends_with('}'));
    (
        &text[1..columns],
        &text[columns + 1..rows],
        &text[rows + 1..text.len() - 1],
    )
}

/// The single-object reader streams `rows` when `columns` came first and
/// keeps them as a JSON tree otherwise: the datasets are the same either
/// way, and so is where the header keys are.
#[test]
fn json_rows_before_or_after_columns_read_alike() {
    for file in ["ta.xpt", "ts.xpt"] {
        let ds = one(&data(file));
        let text = String::from_utf8(json::to_bytes(&ds, &json::WriteOptions::default()).unwrap())
            .unwrap();
        let (head, columns, rows) = json_parts(&text);
        assert!(head.contains("\"datasetJSONVersion\":\"1.1.0\""), "{head}");
        assert!(
            head.contains(&format!("\"records\":{}", ds.n_rows())),
            "{head}"
        );
        let orders = [
            // As written: the header, `columns`, `rows`.
            text.clone(),
            // `rows` first: kept as a tree until `columns` arrives.
            format!("{{{rows},{head},{columns}}}"),
            // `columns`, `rows`, then the header (version, name, records).
            format!("{{{columns},{rows},{head}}}"),
            // Pretty-printed, `rows` between `columns` and the header.
            format!("{{\n  {columns},\n  {rows},\n  {head}\n}}\n"),
        ];
        for (k, doc) in orders.iter().enumerate() {
            let back = json::from_bytes(doc.as_bytes()).unwrap();
            assert_eq!(back, ds, "{file}: order {k}");
        }
        // And through a file, as `rct cdisc convert` reads it.
        let dir = std::env::temp_dir().join(format!("rct-cdisc-json-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("rows-first.json");
        std::fs::write(&path, &orders[1]).unwrap();
        assert_eq!(json::read_path(&path, false).unwrap(), ds, "{file}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// A problem inside `rows` names its 1-based row and the variable, whether
/// the rows were streamed (`columns` first) or kept as a tree (`rows`
/// first), and a row of the wrong length is reported as such even when it
/// also holds a bad value.
#[test]
fn json_errors_inside_the_rows_name_row_and_variable() {
    let head = r#""datasetJSONVersion":"1.1.0","name":"DM","label":"Demographics""#;
    let columns = r#""columns":[
        {"itemOID":"IT.DM.USUBJID","name":"USUBJID","dataType":"string","length":11},
        {"itemOID":"IT.DM.AGE","name":"AGE","dataType":"integer"},
        {"itemOID":"IT.DM.RFSTDT","name":"RFSTDT","dataType":"date","targetDataType":"integer"}]"#;
    let good = r#"["01-701-1015",63,"2014-01-02"],["01-701-1023",64,"2012-08-05"]"#;
    let cases = [
        (
            r#"["01-701-1028","old","2013-07-19"]"#,
            "`<input>`, row 3, variable `AGE`: bad value \"\\\"old\\\"\": a numeric column \
             holds text",
        ),
        (
            r#"["01-701-1028",71]"#,
            "`<input>`, row 3: the row has 2 values but there are 3 columns",
        ),
        (
            r#"["01-701-1028","old","2013-07-19",1]"#,
            "`<input>`, row 3: the row has 4 values but there are 3 columns",
        ),
        (
            r#"["01-701-1028",71,"2013-02-29"]"#,
            "`<input>`, row 3, variable `RFSTDT`: bad value \"\\\"2013-02-29\\\"\": not an ISO \
             8601 date (YYYY-MM-DD)",
        ),
        (
            r#"[1028,71,"2013-07-19"]"#,
            "`<input>`, row 3, variable `USUBJID`: bad value \"1028\": a string column holds a \
             non-string value",
        ),
        (
            r#"["01-701-1028",[71,72],"2013-07-19"]"#,
            "`<input>`, row 3, variable `AGE`: bad value \"[71,72]\": a numeric column holds a \
             value that is not a number",
        ),
        (
            r#"{"USUBJID":"01-701-1028"}"#,
            "`<input>`, row 3: a row must be an array of values",
        ),
    ];
    for (bad, message) in cases {
        // A later bad row (row 5) does not hide the first.
        let rows = format!(r#""rows":[{good},{bad},["01-701-1033",74,null],["x","y","z"]]"#);
        for doc in [
            format!("{{{head},{columns},{rows}}}"),
            format!("{{{rows},{head},{columns}}}"),
        ] {
            let err = json::from_bytes(doc.as_bytes()).unwrap_err();
            assert_eq!(err.to_string(), message, "{doc}");
            let at = err.location().unwrap();
            assert_eq!(at.record, Some((rct_cdisc::RecordKind::Row, 3)), "{doc}");
        }
    }
    // The same rows read when the bad one is mended.
    let rows = format!(r#""rows":[{good},["01-701-1028",71,"2013-07-19"]]"#);
    let ds = json::from_bytes(format!("{{{head},{columns},{rows}}}").as_bytes()).unwrap();
    assert_eq!(ds.n_rows(), 3);
    assert_eq!(text(&ds, "USUBJID")[2], "01-701-1028");
    assert_eq!(num(&ds, "AGE").get(2), Some(71.0));
    // 2013-07-19 is 19558 days after 1960-01-01.
    assert_eq!(num(&ds, "RFSTDT").get(2), Some(19_558.0));
}

mod never_panic {
    //! Cheap fuzzing in the test suite (the cargo-fuzz targets in `crates/cdisc/fuzz/`
    //! go further): random and mutated inputs give `Ok` or `Err`, never a
    //! panic.
    use super::*;
    use proptest::prelude::*;

    fn ta_bytes() -> Vec<u8> {
        std::fs::read(data("ta.xpt")).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn xport_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
            let _ = xport::from_bytes(&bytes);
        }

        /// Overwrite a few bytes of a real file, and cut it somewhere.
        #[test]
        fn xport_mutated(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6),
                         cut in any::<usize>()) {
            let mut b = ta_bytes();
            for (at, v) in edits {
                let i = at % b.len();
                b[i] = v;
            }
            let keep = if cut % 3 == 0 { cut % (b.len() + 1) } else { b.len() };
            if let Ok(members) = xport::from_bytes(&b[..keep]) {
                // What reads, writes (when XPORT can hold it) and reads back.
                if let Ok(out) = xport::to_bytes(&members, &xport::WriteOptions::default()) {
                    prop_assert_eq!(xport::from_bytes(&out).unwrap(), members);
                }
            }
        }

        #[test]
        fn json_and_csv_random_text(text in "\\PC{0,300}") {
            let _ = json::from_bytes(text.as_bytes());
            let _ = json::from_ndjson_bytes(text.as_bytes());
            let _ = csv::from_bytes(text.as_bytes(), &csv::ReadOptions::default());
        }

        /// Mutated Dataset-JSON and CSV of a real dataset.
        #[test]
        fn json_and_csv_mutated(edits in proptest::collection::vec((any::<usize>(), 32u8..127), 1..4)) {
            let ta = xport::from_bytes(&ta_bytes()).unwrap().remove(0);
            for mut b in [
                json::to_bytes(&ta, &json::WriteOptions::default()).unwrap(),
                csv::to_bytes(&ta).unwrap(),
            ] {
                for (at, v) in &edits {
                    let i = at % b.len();
                    b[i] = *v;
                }
                let _ = json::from_bytes(&b);
                let _ = json::from_ndjson_bytes(&b);
                let opts = csv::ReadOptions::default().with_schema(ta.variables().to_vec());
                let _ = csv::from_bytes(&b, &opts);
                let _ = csv::from_bytes(&b, &csv::ReadOptions::default());
            }
        }

        /// Any numbers in the IBM range and any text of at most the
        /// length survive XPORT, Dataset-JSON and CSV.
        #[test]
        fn random_datasets_round_trip(
            rows in proptest::collection::vec(
                (proptest::option::of(-1e70f64..1e70), "[ -~é]{0,6}", 0u8..30), 0..20)
        ) {
            let mut x = NumericColumn::new();
            let mut t = Vec::new();
            for (v, s, m) in &rows {
                match (v, m) {
                    (_, 0) => x.push_missing(Missing::Letter(b'Z')),
                    (Some(v), _) => x.push(Some(*v)),
                    (None, _) => x.push(None),
                }
                // SAS drops trailing blanks.
                t.push(s.trim_end().to_owned());
            }
            let ds = Dataset::new(
                "R",
                "random",
                vec![Variable::numeric("X"), Variable::character("T", 12)],
                vec![Column::Numeric(x), Column::Character(t.into())],
            ).unwrap();
            let xpt = xport::to_bytes(std::slice::from_ref(&ds), &xport::WriteOptions::default()).unwrap();
            prop_assert_eq!(&xport::from_bytes(&xpt).unwrap()[0], &ds);
            let c = csv::to_bytes(&ds).unwrap();
            let opts = csv::ReadOptions::default().with_name("R").with_label("random")
                .with_schema(ds.variables().to_vec());
            prop_assert_eq!(&csv::from_bytes(&c, &opts).unwrap(), &ds);
        }
    }
}

/// A member large enough (> 4 MB of observations) to be decoded by several
/// threads and in several blocks reads back exactly, special missings and
/// all, and a bad byte deep inside it is reported at its observation and
/// variable (strict UTF-8) or read as Windows-1252 (the default).
#[test]
fn large_members_decode_in_parallel_blocks() {
    let n = 70_000;
    let mut x = NumericColumn::new();
    let mut y = NumericColumn::new();
    let mut a = Vec::with_capacity(n);
    let mut b = Vec::with_capacity(n);
    for i in 0..n {
        match i % 997 {
            0 => x.push_missing(Missing::Letter(b'A' + (i % 26) as u8)),
            1 => x.push_missing(Missing::Dot),
            _ => x.push(Some(i as f64 / 7.0)),
        }
        y.push(Some(-(i as f64)));
        a.push(format!("SUBJ-{i:06}"));
        b.push(if i % 3 == 0 {
            String::new()
        } else {
            "x".repeat(i % 40)
        });
    }
    let ds = Dataset::new(
        "BIG",
        "",
        vec![
            Variable::character("A", 11),
            Variable::numeric("X"),
            Variable::character("B", 40),
            Variable::numeric("Y").with_length(8),
        ],
        vec![
            Column::Character(a.into()),
            Column::Numeric(x),
            Column::Character(b.into()),
            Column::Numeric(y),
        ],
    )
    .unwrap();
    let mut bytes =
        xport::to_bytes(std::slice::from_ref(&ds), &xport::WriteOptions::default()).unwrap();
    assert!(bytes.len() > 4 << 20);
    assert_eq!(xport::from_bytes(&bytes).unwrap(), vec![ds.clone()]);

    // Observation 50_001 (0-based 50_000), variable B (bytes 19.. of 67):
    // 0xE9 is not UTF-8.
    let obs = observations_start(&bytes) + 50_000 * 67 + 19;
    bytes[obs] = 0xE9;
    let strict = xport::ReadOptions::default().with_encoding(xport::Encoding::Utf8);
    let err = xport::from_bytes_with(&bytes, &strict).unwrap_err();
    let at = err.location().unwrap();
    assert_eq!(at.variable.as_deref(), Some("B"), "{err}");
    assert_eq!(
        at.record,
        Some((rct_cdisc::RecordKind::Observation, 50_001)),
        "{err}"
    );
    let latin = xport::from_bytes(&bytes).unwrap().remove(0);
    let text = latin.columns()[2].as_character().unwrap();
    assert!(text[50_000].starts_with('é'), "{:?}", &text[50_000]);
    assert_eq!(latin.columns()[0], ds.columns()[0]);
}

/// The offset of the first observation: just after the OBS header record.
fn observations_start(bytes: &[u8]) -> usize {
    let obs = b"HEADER RECORD*******OBS     HEADER RECORD!!!!!!!";
    bytes.windows(obs.len()).position(|w| w == obs).unwrap() + 80
}

/// A reader that hands out at most 1000 bytes per call, as pipes do.
struct Trickle<'a>(&'a [u8]);

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.0.len()).min(1000);
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

/// The streaming reader: a two-member file larger than one read chunk
/// (8 MB) reads the same from a slice, a file and a trickling reader; a
/// byte that is not UTF-8 in a late chunk turns the whole member, earlier
/// chunks included, into Windows-1252 text under the default encoding.
#[test]
fn streaming_reads_agree() {
    let n = 120_000;
    let text: Vec<String> = (0..n)
        .map(|i| {
            if i % 1000 == 0 {
                "Ünïcode".to_owned()
            } else {
                format!("row {i}")
            }
        })
        .collect();
    let big = Dataset::new(
        "BIG",
        "",
        vec![Variable::character("T", 80), Variable::numeric("X")],
        vec![
            Column::Character(text.clone().into()),
            Column::Numeric(NumericColumn::from_values(
                (0..n).map(|i| Some(i as f64)).collect(),
            )),
        ],
    )
    .unwrap();
    let small = special_dataset();
    let members = vec![big, small];
    let mut bytes = xport::to_bytes(&members, &xport::WriteOptions::default()).unwrap();
    assert!(bytes.len() > 9 << 20);
    let opts = xport::ReadOptions::default();
    assert_eq!(xport::from_bytes(&bytes).unwrap(), members);
    assert_eq!(xport::from_reader(Trickle(&bytes), &opts).unwrap(), members);
    let dir = std::env::temp_dir().join(format!("rct-cdisc-stream-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("two.xpt");
    std::fs::write(&path, &bytes).unwrap();
    assert_eq!(xport::read_path(&path).unwrap(), members);

    // Observation 110_002 of BIG: "row 110001" -> "row 11000\xE9".
    let at = observations_start(&bytes) + 110_001 * 88 + 9;
    assert_eq!(&bytes[at - 9..at + 1], b"row 110001");
    bytes[at] = 0xE9;
    let back = xport::from_reader(Trickle(&bytes), &opts).unwrap();
    let t = back[0].columns()[0].as_character().unwrap();
    assert_eq!(
        &t[0], "Ã\u{153}nÃ¯code",
        "earlier chunks re-read as Windows-1252"
    );
    assert_eq!(&t[110_001], "row 11000é");
    assert_eq!(&t[1], "row 1");
    assert_eq!(back[1], members[1]);
    let strict = xport::ReadOptions::default().with_encoding(xport::Encoding::Utf8);
    std::fs::write(&path, &bytes).unwrap();
    let err = xport::read_path_with(&path, &strict).unwrap_err();
    assert!(err.to_string().contains("two.xpt"), "{err}");
    let loc = err.location().unwrap();
    assert_eq!(
        loc.record,
        Some((rct_cdisc::RecordKind::Observation, 110_002)),
        "{err}"
    );
    assert_eq!(loc.variable.as_deref(), Some("T"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
