//! Embeds every case file under `validation/cases/` in the library, so
//! `rct validate` runs the bundled cases from any directory.

#![allow(clippy::expect_used)] // a build script may stop the build with a message
use std::{env, fs, path::PathBuf};

fn main() {
    let manifest =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let cases = manifest.join("../../validation/cases");
    println!("cargo:rerun-if-changed={}", cases.display());
    let mut files: Vec<PathBuf> = fs::read_dir(&cases)
        .expect("validation/cases exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut out = String::from("/// The bundled case files: (file name, contents).\npub const BUNDLED: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().expect("a file name").to_string_lossy();
        let abs = fs::canonicalize(f).expect("case file readable");
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            abs.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("bundled.rs");
    fs::write(dest, out).expect("OUT_DIR writable");
}
