//! The report page in a real browser: headless Chromium renders the demo
//! report with no console messages, and its screenshot is kept in
//! `target/tmp/report.png` as a test artifact.
//!
//! Skipped when no Chromium is installed, unless `RCT_REQUIRE_BROWSER` is
//! set (CI installs Debian's chromium package and sets it).
#![allow(clippy::unwrap_used, clippy::print_stderr)]

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::rct;

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

#[test]
fn report_renders_in_headless_chromium_without_console_errors() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("RCT_REQUIRE_BROWSER").is_none(),
            "RCT_REQUIRE_BROWSER is set but no chromium is on PATH"
        );
        eprintln!("skipping: no chromium on PATH");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("demo");
    let (code, _, stderr) = rct(&["demo", "--out", out.to_str().unwrap(), "--quiet"]);
    assert_eq!(code, 0, "{stderr}");
    let page = out.join("report/report.html");
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report.png");
    let _ = std::fs::remove_file(&shot);
    let profile = tmp.path().join("profile");
    let output = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,2400",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "chromium failed: {log}");
    let console: Vec<&str> = log.lines().filter(|l| l.contains("CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // A blank page compresses to a few KB; a rendered report does not.
    assert!(png.len() > 20_000, "screenshot only {} bytes", png.len());
    eprintln!("screenshot: {}", shot.display());
}
