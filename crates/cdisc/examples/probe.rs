//! Probe: summarise XPORT files.
#![allow(clippy::unwrap_used, clippy::print_stdout)]
fn main() {
    for p in std::env::args().skip(1) {
        match rct_cdisc::xport::read_path(&p) {
            Ok(ds) => {
                for d in ds {
                    let mut special = 0;
                    let mut informats = 0;
                    let mut shortnum = 0;
                    let mut fmts = std::collections::BTreeSet::new();
                    for (v, c) in d.variables().iter().zip(d.columns()) {
                        if let Some(n) = c.as_numeric() {
                            if n.has_special_missing() {
                                special += 1;
                            }
                        }
                        if v.informat.is_some() {
                            informats += 1;
                        }
                        if v.kind == rct_cdisc::VarKind::Numeric && v.length != 8 {
                            shortnum += 1;
                        }
                        if let Some(f) = &v.format {
                            fmts.insert(f.to_string());
                        }
                    }
                    println!("{p}: {} '{}' vars={} rows={} special={special} informats={informats} shortnum={shortnum} fmts={fmts:?}", d.name(), d.label(), d.variables().len(), d.n_rows());
                }
            }
            Err(e) => println!("ERR {e}"),
        }
    }
}
