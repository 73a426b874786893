//! Dataset-JSON and NDJSON: any bytes give `Ok` or `Err`, never a panic;
//! what reads writes and reads back the same.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rct_cdisc::json;

fuzz_target!(|data: &[u8]| {
    for ds in [json::from_bytes(data), json::from_ndjson_bytes(data)]
        .into_iter()
        .flatten()
    {
        if let Ok(bytes) = json::to_bytes(&ds, &json::WriteOptions::default()) {
            let back = json::from_bytes(&bytes).expect("our own output reads");
            assert_eq!(back.n_rows(), ds.n_rows());
        }
    }
});
