//! Bad input never panics: every bundled case's input, mutated at random
//! (values set to NaN, negative, zero, huge; arrays emptied or shortened),
//! goes through its method, which must return a result or an error.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use serde_json::Value;

/// Counts the mutable places (numbers and arrays) in a JSON value.
fn places(v: &Value) -> usize {
    match v {
        Value::Number(_) => 1,
        Value::Array(a) => 1 + a.iter().map(places).sum::<usize>(),
        Value::Object(o) => o.values().map(places).sum(),
        _ => 0,
    }
}

/// Applies mutation `op` at the `target`-th place (depth-first).
fn mutate(v: &mut Value, target: &mut usize, op: u8) -> bool {
    match v {
        Value::Number(_) => {
            if *target == 0 {
                *v = match op % 6 {
                    0 => Value::Null,
                    1 => serde_json::json!(-1.5),
                    2 => serde_json::json!(0),
                    3 => serde_json::json!(1e300),
                    4 => serde_json::json!(-1e-300),
                    _ => serde_json::json!(2.5),
                };
                return true;
            }
            *target -= 1;
            false
        }
        Value::Array(a) => {
            if *target == 0 {
                match op % 3 {
                    0 => a.clear(),
                    1 => {
                        a.pop();
                    }
                    _ => a.truncate(1),
                }
                return true;
            }
            *target -= 1;
            a.iter_mut().any(|x| mutate(x, target, op))
        }
        Value::Object(o) => o.values_mut().any(|x| mutate(x, target, op)),
        _ => false,
    }
}

fn cases() -> &'static [rct_validation::Case] {
    static CASES: std::sync::OnceLock<Vec<rct_validation::Case>> = std::sync::OnceLock::new();
    CASES.get_or_init(|| {
        rct_validation::bundled_cases()
            .unwrap()
            .into_iter()
            // Keep inputs small so each mutated run is quick.
            .filter(|c| places(&c.input) < 400)
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]
    #[test]
    fn mutated_inputs_never_panic(pick in any::<prop::sample::Index>(), muts in prop::collection::vec((any::<prop::sample::Index>(), 0u8..6), 1..4)) {
        let case = pick.get(cases());
        let mut input = case.input.clone();
        for (place, op) in muts {
            let n = places(&input);
            if n == 0 { break; }
            let mut target = place.index(n);
            mutate(&mut input, &mut target, op);
        }
        // Either outcome is fine; a panic fails the test.
        let _ = rct_validation::methods::run(&case.method, &input);
    }
}
