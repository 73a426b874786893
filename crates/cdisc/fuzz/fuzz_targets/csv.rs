//! CSV, with types inferred and with a schema: any bytes give `Ok` or
//! `Err`, never a panic; what reads (types inferred) writes and reads back
//! with its own schema unchanged.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rct_cdisc::{csv, Format, Variable};

fuzz_target!(|data: &[u8]| {
    if let Ok(ds) = csv::from_bytes(data, &csv::ReadOptions::default()) {
        let bytes = csv::to_bytes(&ds).expect("writing to memory");
        let opts = csv::ReadOptions::default().with_schema(ds.variables().to_vec());
        let back = csv::from_bytes(&bytes, &opts).expect("our own output reads");
        assert_eq!(back, ds);
    }
    // A fixed DM-like schema: a text key, a number, a date, a datetime.
    let schema = vec![
        Variable::character("USUBJID", 20),
        Variable::numeric("AGE"),
        Variable::numeric("RFSTDT").with_format(Format::new("DATE", 9, 0)),
        Variable::numeric("RFSTDTM").with_format(Format::new("E8601DT", 19, 0)),
    ];
    let opts = csv::ReadOptions::default().with_schema(schema);
    if let Ok(ds) = csv::from_bytes(data, &opts) {
        let bytes = csv::to_bytes(&ds).expect("writing to memory");
        let back = csv::from_bytes(&bytes, &opts).expect("our own output reads");
        assert_eq!(back, ds);
    }
});
