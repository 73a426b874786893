//! Running the `rct` binary from the integration tests.

use std::process::Command;

/// Runs `rct` with `args`; returns the exit code, stdout and stderr.
pub fn rct(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rct"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}
