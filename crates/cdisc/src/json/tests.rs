//! The streaming reader of the single-object form against the tree reader
//! it replaced, kept below as it was (it parsed the whole document into a
//! `serde_json::Value` first) as the oracle: the same dataset, or the same
//! error (variant, location and message), on the fuzz corpus, on random
//! documents with their keys in any order, and on mutated files.

use std::path::Path;

use proptest::prelude::*;

use super::*;

// The tree reader, as it was before streaming (`push_value` and `push_row`
// as they were, too, so that the oracle shares only `plan`, `builders` and
// `finish` with the code under test).

fn tree_push_value(
    b: &mut Builder,
    plan: &ColumnPlan,
    value: &Value,
    at: impl Fn() -> Location,
) -> Result<(), CdiscError> {
    let bad = |problem: &str| CdiscError::BadValue {
        at: at().variable(plan.variable.name.clone()),
        value: shorten(&value.to_string()),
        problem: problem.to_owned(),
    };
    match b {
        Builder::Text(col) => match value {
            Value::String(s) => col.push(s),
            Value::Null => col.push(""),
            _ => return Err(bad("a string column holds a non-string value")),
        },
        Builder::Number(col) => {
            let x = match (value, plan.reading) {
                (Value::Null, _) => None,
                (Value::Number(n), _) => {
                    Some(n.as_f64().ok_or_else(|| bad("not a finite number"))?)
                }
                (Value::Bool(t), Reading::Boolean) => Some(if *t { 1.0 } else { 0.0 }),
                (Value::String(s), Reading::Decimal) => Some(
                    s.trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite())
                        .ok_or_else(|| bad("a decimal column holds text that is not a number"))?,
                ),
                (Value::String(s), Reading::Temporal(t)) => {
                    Some(from_iso(s, t).ok_or_else(|| {
                        bad(match t {
                            Temporal::Date => "not an ISO 8601 date (YYYY-MM-DD)",
                            Temporal::DateTime => "not an ISO 8601 datetime (YYYY-MM-DDThh:mm:ss)",
                            _ => "not an ISO 8601 time (hh:mm:ss)",
                        })
                    })?)
                }
                (Value::String(_), _) => {
                    return Err(bad("a numeric column holds text"));
                }
                _ => return Err(bad("a numeric column holds a value that is not a number")),
            };
            col.push(x);
        }
    }
    Ok(())
}

fn tree_push_row(
    builders: &mut [Builder],
    plans: &[ColumnPlan],
    row: &Value,
    at: impl Fn() -> Location,
) -> Result<(), CdiscError> {
    let Value::Array(values) = row else {
        return Err(syntax(at(), "a row must be an array of values"));
    };
    if values.len() != plans.len() {
        return Err(syntax(
            at(),
            format!(
                "the row has {} values but there are {} columns",
                values.len(),
                plans.len()
            ),
        ));
    }
    for ((b, p), v) in builders.iter_mut().zip(plans).zip(values) {
        tree_push_value(b, p, v, &at)?;
    }
    Ok(())
}

fn tree_from_bytes(bytes: &[u8]) -> Result<Dataset, CdiscError> {
    let file = Location::file(INPUT);
    let root: Value = serde_json::from_slice(bytes).map_err(|e| {
        syntax(
            file.clone().at(RecordKind::Line, e.line() as u64),
            format!("not valid JSON: {e}"),
        )
    })?;
    let Value::Object(mut root) = root else {
        return Err(CdiscError::BadHeader {
            at: file,
            problem: "the top level must be a JSON object".into(),
        });
    };
    let rows = root.remove("rows");
    let (name, label, plans, records) = plan(&root, &file)?;
    let rows = match rows {
        Some(Value::Array(rows)) => rows,
        None | Some(Value::Null) => Vec::new(),
        Some(_) => {
            return Err(CdiscError::BadHeader {
                at: file,
                problem: "`rows` must be an array of arrays".into(),
            })
        }
    };
    let mut b = builders(&plans, rows.len());
    for (i, row) in rows.iter().enumerate() {
        tree_push_row(&mut b, &plans, row, || {
            file.clone().at(RecordKind::Row, i as u64 + 1)
        })?;
    }
    finish(name, label, plans, b, records, &file)
}

/// A reader's outcome, compared in full: the dataset, or the error's
/// variant, fields and message.
fn outcome(read: Result<Dataset, CdiscError>) -> String {
    match read {
        Ok(ds) => format!("Ok({ds:?})"),
        Err(e) => format!("Err({e:?}: {e})"),
    }
}

fn agree(bytes: &[u8]) -> Result<(), TestCaseError> {
    let (new, old) = (outcome(from_bytes(bytes)), outcome(tree_from_bytes(bytes)));
    prop_assert_eq!(&new, &old, "input: {}", String::from_utf8_lossy(bytes));
    Ok(())
}

/// A Dataset-JSON document from its members (`"key":value` texts) in the
/// given order.
fn document(members: &[String]) -> String {
    format!("{{{}}}", members.join(","))
}

/// TA, the trial arms of the CDISC pilot study (tests/data/ta.xpt).
fn ta() -> Dataset {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ta.xpt");
    let bytes = std::fs::read(path).unwrap();
    crate::xport::from_bytes(&bytes).unwrap().remove(0)
}

/// The members of our own Dataset-JSON for `ds`, `rows` last.
fn members_of(ds: &Dataset) -> Vec<String> {
    let text = to_bytes(ds, &WriteOptions::default()).unwrap();
    let Value::Object(m) = serde_json::from_slice::<Value>(&text).unwrap() else {
        panic!("not an object");
    };
    m.iter()
        .map(|(k, v)| format!("{}:{v}", Value::from(k.as_str())))
        .collect()
}

#[test]
fn fuzz_corpus_reads_as_the_tree_reader_did() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/dataset_json");
    let (mut read, mut refused) = (0, 0);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let new = outcome(from_bytes(&bytes));
        assert_eq!(new, outcome(tree_from_bytes(&bytes)), "{}", path.display());
        if new.starts_with("Ok") {
            read += 1;
        } else {
            refused += 1;
        }
    }
    // The corpus exercises both outcomes.
    assert!(read > 10 && refused > 100, "{read} read, {refused} refused");
}

#[test]
fn ta_reads_alike_with_rows_anywhere() {
    let ds = ta();
    let members = members_of(&ds);
    let rows = members.len() - 1;
    assert!(members[rows].starts_with("\"rows\":[["));
    // `rows` at every position: first (kept as a tree), between the
    // metadata keys (streamed, with `name`, `records`... after it), last.
    for at in 0..=rows {
        let mut m = members.clone();
        let r = m.remove(rows);
        m.insert(at, r);
        let text = document(&m);
        assert_eq!(from_bytes(text.as_bytes()).unwrap(), ds, "rows at {at}");
        agree(text.as_bytes()).unwrap();
    }
}

#[test]
fn cells_are_shown_as_the_tree_showed_them() {
    let columns = r#""columns":[{"itemOID":"A","name":"A","dataType":"string"},
        {"itemOID":"N","name":"N","dataType":"integer"},
        {"itemOID":"D","name":"D","dataType":"date","targetDataType":"integer"},
        {"itemOID":"B","name":"B","dataType":"boolean"},
        {"itemOID":"X","name":"X","dataType":"decimal"}]"#;
    let long = "é\\\"x".repeat(30);
    let cells = [
        r#"["a",1,"2014-01-02",true,"1.5"]"#.to_owned(),
        r#"[1,1,"2014-01-02",true,"1.5"]"#.to_owned(),
        r#"[18446744073709551615,1,null,null,null]"#.to_owned(),
        r#"[-1.5e300,1,null,null,null]"#.to_owned(),
        r#"[true,1,null,null,null]"#.to_owned(),
        r#"[[1,"two",{"k":[null,false]}],1,null,null,null]"#.to_owned(),
        r#"[{"z":1,"a":{"b":"c"}},1,null,null,null]"#.to_owned(),
        format!(r#"[[{}],1,null,null,null]"#, "1234567890,".repeat(9) + "0"),
        format!(r#"["a","{long}",null,null,null]"#),
        format!(r#"["a",["{long}"],null,null,null]"#),
        r#"["a","\u00e9\n\t",null,null,null]"#.to_owned(),
        r#"["a",true,null,null,null]"#.to_owned(),
        r#"["a",{},null,null,null]"#.to_owned(),
        r#"["a",null,"2014-02-30",null,null]"#.to_owned(),
        r#"["a",null,12,null,null]"#.to_owned(),
        r#"["a",null,null,1,null]"#.to_owned(),
        r#"["a",null,null,"yes",null]"#.to_owned(),
        r#"["a",null,null,null," 2.5 "]"#.to_owned(),
        r#"["a",null,null,null,"1e999"]"#.to_owned(),
        r#"["a",null,null,null,"abc"]"#.to_owned(),
        r#"["a",null,null,null]"#.to_owned(),
        r#"["a",null,null,null,null,7,8]"#.to_owned(),
        r#"["a",null,null,null,null,1e400]"#.to_owned(),
        r#"["a","bad",null,null,null,[1e400]]"#.to_owned(),
        r#"["a","bad",null,null,null,7]"#.to_owned(),
        r#"{"a":1}"#.to_owned(),
        r#""row""#.to_owned(),
        r#"null"#.to_owned(),
    ];
    let head = r#""datasetJSONVersion":"1.1.0","name":"T","label":"t""#;
    for cell in &cells {
        // The row alone, and as row 2 after a good row.
        for rows in [
            format!("[{cell}]"),
            format!(r#"[["a",1,null,null,null],{cell}]"#),
        ] {
            for text in [
                format!("{{{head},{columns},\"rows\":{rows}}}"),
                format!("{{\"rows\":{rows},{head},{columns}}}"),
            ] {
                agree(text.as_bytes()).unwrap();
            }
        }
    }
}

#[test]
fn a_bad_row_yields_to_syntax_and_header_errors() {
    let columns = r#""columns":[{"itemOID":"N","name":"N","dataType":"double"}]"#;
    let rows = r#""rows":[[1],["x"],[2]]"#;
    // The bad row, alone.
    let text = format!(r#"{{"datasetJSONVersion":"1.1.0",{columns},{rows}}}"#);
    let err = from_bytes(text.as_bytes()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`<input>`, row 2, variable `N`: bad value \"\\\"x\\\"\": a numeric column holds text"
    );
    // Broken JSON after it: the syntax error wins, as with a tree.
    let err = from_bytes(format!(r#"{{"datasetJSONVersion":"1.1.0",{columns},{rows},"#).as_bytes())
        .unwrap_err();
    assert!(matches!(err, CdiscError::Syntax { .. }), "{err}");
    assert!(err.to_string().contains("not valid JSON"), "{err}");
    // An unsupported version after the rows: the header error wins.
    let text = format!(r#"{{{columns},{rows},"datasetJSONVersion":"1.0.0"}}"#);
    let err = from_bytes(text.as_bytes()).unwrap_err();
    assert!(matches!(err, CdiscError::BadHeader { .. }), "{err}");
    agree(text.as_bytes()).unwrap();
    // `records` is checked after the rows.
    let text = format!(r#"{{"records":5,"datasetJSONVersion":"1.1.0",{columns},{rows}}}"#);
    let err = from_bytes(text.as_bytes()).unwrap_err();
    assert!(matches!(err, CdiscError::BadValue { .. }), "{err}");
}

/// JSON keys should be unique; a tree keeps the last of duplicates, and so
/// does the streaming reader, except that it cannot reread rows that
/// followed a `columns` later replaced by a different one.
#[test]
fn duplicate_keys() {
    let a = r#""columns":[{"itemOID":"N","name":"N","dataType":"double"}]"#;
    let b = r#""columns":[{"itemOID":"T","name":"T","dataType":"string"}]"#;
    let v = r#""datasetJSONVersion":"1.1.0""#;
    // The last `rows` wins, whatever the earlier ones held.
    for text in [
        format!(r#"{{{v},{a},"rows":[["x"]],"rows":[[1],[2]]}}"#),
        format!(r#"{{"rows":[["x"]],{v},{a},"rows":[[1],[2]]}}"#),
        format!(r#"{{{v},{b},"rows":[[1]],{a},"rows":[[1],[2]]}}"#),
        format!(r#"{{{v},{a},"rows":[[1]],{a},"records":1}}"#),
    ] {
        agree(text.as_bytes()).unwrap();
    }
    let ds =
        from_bytes(format!(r#"{{{v},{b},"rows":[[1]],{a},"rows":[[1],[2]]}}"#).as_bytes()).unwrap();
    assert_eq!(ds.n_rows(), 2);
    // Rows read by a `columns` that a later one replaces: refused.
    let err = from_bytes(format!(r#"{{{v},{b},"rows":[["x"]],{a}}}"#).as_bytes()).unwrap_err();
    assert!(matches!(err, CdiscError::BadHeader { .. }), "{err}");
    assert!(err.to_string().contains("`columns` appears twice"), "{err}");
}

/// Column definitions as Dataset-JSON spells them.
const DATA_TYPES: [&str; 10] = [
    r#""dataType":"string""#,
    r#""dataType":"integer""#,
    r#""dataType":"double""#,
    r#""dataType":"decimal""#,
    r#""dataType":"boolean""#,
    r#""dataType":"date","targetDataType":"integer""#,
    r#""dataType":"datetime","targetDataType":"integer""#,
    r#""dataType":"time","targetDataType":"integer""#,
    r#""dataType":"date""#,
    r#""dataType":"bogus""#,
];

/// A JSON value for a cell: mostly values some column accepts, and some
/// that no column does.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just("null".to_owned()),
        3 => any::<i32>().prop_map(|x| x.to_string()),
        1 => any::<u64>().prop_map(|x| x.to_string()),
        3 => (-1e6f64..1e6).prop_map(|x| Value::from(x).to_string()),
        1 => any::<bool>().prop_map(|x| x.to_string()),
        3 => "[ -~é]{0,8}".prop_map(|s| Value::from(s).to_string()),
        2 => (1900u32..2100, 1u32..13, 1u32..32)
            .prop_map(|(y, m, d)| format!("\"{y:04}-{m:02}-{d:02}\"")),
        1 => (0u32..25, 0u32..61).prop_map(|(h, m)| format!("\"2014-01-02T{h:02}:{m:02}:00\"")),
        1 => (0u32..25, 0u32..61).prop_map(|(h, m)| format!("\"{h:02}:{m:02}:30\"")),
        1 => (-1e6f64..1e6).prop_map(|x| format!("\" {x} \"")),
        1 => "[a-z]{55,70}".prop_map(|s| format!("\"{s}\\n\"")),
        1 => Just(r#"[1,"a",{"k":null}]"#.to_owned()),
        1 => Just(r#"{"b":1,"a":[true]}"#.to_owned()),
        // Beyond f64: serde_json refuses it, even where it is skipped.
        1 => Just("-2e400".to_owned()),
    ]
}

/// A row: the right number of cells, one too few or too many, or not an
/// array.
fn row(columns: usize) -> impl Strategy<Value = String> {
    let cells = |n: usize| proptest::collection::vec(cell(), n).prop_map(|c| c.join(","));
    prop_oneof![
        12 => cells(columns).prop_map(|c| format!("[{c}]")),
        1 => cells(columns.saturating_sub(1)).prop_map(|c| format!("[{c}]")),
        1 => cells(columns + 1).prop_map(|c| format!("[{c}]")),
        1 => prop_oneof![Just("5".to_owned()), Just("{}".to_owned()), Just("null".to_owned())],
    ]
}

/// A whole document: random columns, rows, header values and key order.
fn random_document() -> impl Strategy<Value = String> {
    let columns = proptest::collection::vec(0..DATA_TYPES.len(), 1..4);
    columns
        .prop_flat_map(|types| {
            let n = types.len();
            (
                Just(types),
                proptest::collection::vec(row(n), 0..5),
                prop_oneof![
                    6 => Just(Some(r#""1.1.0""#)),
                    1 => Just(Some(r#""1.0.0""#)),
                    1 => Just(None),
                ],
                0u8..4,
                any::<bool>(),
            )
        })
        .prop_flat_map(|(types, rows, version, records, mostly_valid)| {
            let defs: Vec<String> = types
                .iter()
                .enumerate()
                .map(|(i, &t)| {
                    // Mostly types that fit the usual cells.
                    let t = if mostly_valid && t > 2 { t % 3 } else { t };
                    format!(r#"{{"itemOID":"IT.{i}","name":"V{i}",{}}}"#, DATA_TYPES[t])
                })
                .collect();
            let mut members = vec![
                format!(r#""name":"R""#),
                format!(r#""label":"random""#),
                format!(r#""columns":[{}]"#, defs.join(",")),
                format!(r#""rows":[{}]"#, rows.join(",")),
            ];
            if let Some(v) = version {
                members.push(format!(r#""datasetJSONVersion":{v}"#));
            }
            match records {
                0 => {}
                1 => members.push(format!(r#""records":{}"#, rows.len())),
                2 => members.push(format!(r#""records":{}"#, rows.len() + 1)),
                _ => members.push(r#""records":"many""#.to_owned()),
            }
            Just(members).prop_shuffle().prop_map(|m| document(&m))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Random documents, keys in any order: the same outcome.
    #[test]
    fn random_documents_read_as_the_tree_reader_did(text in random_document()) {
        agree(text.as_bytes())?;
    }

    /// A real file with its keys in any order, then a few bytes changed:
    /// the same outcome.
    #[test]
    fn mutated_files_read_as_the_tree_reader_did(
        order in Just((0..8usize).collect::<Vec<_>>()).prop_shuffle(),
        edits in proptest::collection::vec((any::<usize>(), 32u8..127), 0..4),
    ) {
        let members = members_of(&ta());
        prop_assert_eq!(members.len(), 8);
        let shuffled: Vec<String> = order.iter().map(|&i| members[i].clone()).collect();
        let mut bytes = document(&shuffled).into_bytes();
        for (at, v) in &edits {
            let i = at % bytes.len();
            bytes[i] = *v;
        }
        agree(&bytes)?;
    }
}
