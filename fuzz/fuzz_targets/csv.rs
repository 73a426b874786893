//! CSV: any bytes give `Ok` or `Err`, never a panic; what reads (types
//! inferred) writes and reads back with its own schema unchanged.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rct_cdisc::csv;

fuzz_target!(|data: &[u8]| {
    if let Ok(ds) = csv::from_bytes(data, &csv::ReadOptions::default()) {
        let bytes = csv::to_bytes(&ds).expect("writing to memory");
        let opts = csv::ReadOptions::default().with_schema(ds.variables().to_vec());
        let back = csv::from_bytes(&bytes, &opts).expect("our own output reads");
        assert_eq!(back, ds);
    }
});
