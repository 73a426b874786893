//! Any bytes: `Ok` or `Err`, never a panic; what reads writes and reads back
//! the same.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rct_cdisc::xport;

fuzz_target!(|data: &[u8]| {
    if let Ok(members) = xport::from_bytes(data) {
        if let Ok(bytes) = xport::to_bytes(&members, &xport::WriteOptions::default()) {
            let back = xport::from_bytes(&bytes).expect("our own output reads");
            assert_eq!(back, members);
        }
    }
});
