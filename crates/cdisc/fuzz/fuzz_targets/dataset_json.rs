//! Dataset-JSON v1.1, single-object and NDJSON forms: any bytes give `Ok` or
//! `Err`, never a panic; what reads writes and reads back the same.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rct_cdisc::json;

fuzz_target!(|data: &[u8]| {
    for ds in [json::from_bytes(data), json::from_ndjson_bytes(data)]
        .into_iter()
        .flatten()
    {
        let opts = json::WriteOptions::default();
        if let Ok(bytes) = json::to_bytes(&ds, &opts) {
            let back = json::from_bytes(&bytes).expect("our own output reads");
            assert_eq!(back.n_rows(), ds.n_rows());
            assert_eq!(back.variables().len(), ds.variables().len());
        }
        if let Ok(bytes) = json::to_ndjson_bytes(&ds, &opts) {
            let back = json::from_ndjson_bytes(&bytes).expect("our own NDJSON reads");
            assert_eq!(back.n_rows(), ds.n_rows());
        }
    }
});
