//! Sample size and power: two proportions (the seed trial's design) and the
//! number of events of a log-rank test.

mod logrank;
mod two_proportions;

pub use logrank::{sample_size_logrank, LogrankEvents, LogrankMethod};
pub use two_proportions::{
    inflate_for_dropout, power_two_proportions, sample_size_two_proportions, ProportionMethod,
    Sides, TwoProportions, TwoProportionsPower, TwoProportionsSize,
};

use crate::common::check_open_unit;
use crate::{dist, StatsError};

/// The one-sided critical value: `z_(1 - alpha/2)` for two-sided tests
/// (the far tail ignored, as PASS and R's `power.prop.test` do), `z_(1 - alpha)`
/// for one-sided ones.
fn z_alpha(alpha: f64, sides: Sides) -> Result<f64, StatsError> {
    check_open_unit("alpha", alpha)?;
    Ok(match sides {
        Sides::Two => dist::normal_upper_quantile(alpha / 2.0),
        Sides::One => dist::normal_upper_quantile(alpha),
    })
}

fn z_beta(power: f64) -> Result<f64, StatsError> {
    check_open_unit("power", power)?;
    Ok(dist::normal_quantile(power))
}

/// `ceil` that does not round an integer-valued result up because of
/// floating-point error in the last place (a computed 19.000000000000004
/// is 19, not 20).
fn ceil_tolerant(x: f64) -> u64 {
    let r = x.round();
    if (x - r).abs() <= 1e-9 * r.abs().max(1.0) {
        r as u64
    } else {
        x.ceil() as u64
    }
}
