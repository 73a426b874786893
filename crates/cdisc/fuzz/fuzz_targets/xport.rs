//! SAS XPORT: any bytes give `Ok` or `Err`, never a panic, a hang or an
//! allocation out of proportion to the input; what reads, writes (when it
//! fits XPORT v5) and reads back the same.
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
    // The strict encoding takes the other text path.
    let strict = xport::ReadOptions::default().with_encoding(xport::Encoding::Utf8);
    let _ = xport::from_bytes_with(data, &strict);
});
