//! Integration tests of the study reader, the typed SDTM domains and the
//! ADaM derivations: hand-written fixtures with hand-computed expectations,
//! and the CDISC pilot study.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::path::PathBuf;

use rct_cdisc::sdtm::Sdtm;
use rct_cdisc::study::Study;

/// The pilot study folder (`../shared/cdisc-pilot` beside the workspace
/// root); `None`, with a notice, when absent.
fn pilot() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/cdisc-pilot");
    if dir.join("sdtm/dm.xpt").is_file() {
        Some(dir)
    } else {
        eprintln!("notice: {} not found; pilot tests skipped", dir.display());
        None
    }
}

#[test]
fn pilot_sdtm_reads() {
    let Some(dir) = pilot() else { return };
    let study = Study::read_dir(dir.join("sdtm")).unwrap();
    assert_eq!(study.paths().len(), 18);
    let sdtm = Sdtm::from_study(&study).unwrap();
    assert_eq!(sdtm.dm.len(), 306);
}
