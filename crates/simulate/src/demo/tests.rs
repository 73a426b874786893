//! Unit tests of the demo study's parts.

use super::*;

#[test]
fn seed_trial_config_is_valid() {
    assert!(DemoConfig::seed_trial().validate().is_ok());
}
