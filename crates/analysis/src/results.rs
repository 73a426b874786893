//! Machine-readable results: one object per number-bearing result.

use serde::Serialize;
use serde_json::{Map, Value};

/// One result of the plan (a summary, a test, a model term...).
///
/// `method` uses the names of `validation/FORMAT.md` (e.g.
/// `kruskal_wallis`, `logrank`); the numbers are in `values` and are
/// serialized inline beside the descriptive fields.
#[derive(Debug, Clone, Serialize)]
pub struct ResultRecord {
    /// Stable identifier, e.g. `longitudinal.CD4.locf.kruskal_wallis.WEEK 48`.
    pub id: String,
    /// Method name.
    pub method: String,
    /// Parameter (e.g. "CD4") or the baseline variable.
    pub parameter: Option<String>,
    /// Visit label, or null.
    pub visit: Option<String>,
    /// Population label.
    pub population: String,
    /// What is compared, e.g. "all arms", "HIGH vs PLACEBO", "WEEK 48 vs BASELINE".
    pub comparison: String,
    /// The arm a per-arm result belongs to, or null.
    pub arm: Option<String>,
    /// Options that made the result (quantile type, ties, conf type...).
    pub options: Map<String, Value>,
    /// The numbers (n, median, q1, q3, statistic, df, p_value, ...).
    #[serde(flatten)]
    pub values: Map<String, Value>,
}

/// Builds a [`ResultRecord`] field by field.
pub(crate) struct Builder {
    record: ResultRecord,
}

impl Builder {
    pub(crate) fn new(id: impl Into<String>, method: &str, population: &str) -> Self {
        Builder {
            record: ResultRecord {
                id: id.into(),
                method: method.to_string(),
                parameter: None,
                visit: None,
                population: population.to_string(),
                comparison: String::new(),
                arm: None,
                options: Map::new(),
                values: Map::new(),
            },
        }
    }

    pub(crate) fn parameter(mut self, p: &str) -> Self {
        self.record.parameter = Some(p.to_string());
        self
    }

    pub(crate) fn visit(mut self, v: Option<&str>) -> Self {
        self.record.visit = v.map(str::to_string);
        self
    }

    pub(crate) fn comparison(mut self, c: impl Into<String>) -> Self {
        self.record.comparison = c.into();
        self
    }

    pub(crate) fn arm(mut self, a: &str) -> Self {
        self.record.arm = Some(a.to_string());
        self
    }

    pub(crate) fn option(mut self, k: &str, v: impl Into<Value>) -> Self {
        self.record.options.insert(k.to_string(), v.into());
        self
    }

    /// A number; non-finite values become null (never a silent NaN in JSON).
    pub(crate) fn num(mut self, k: &str, v: f64) -> Self {
        let value = serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number);
        self.record.values.insert(k.to_string(), value);
        self
    }

    pub(crate) fn opt(self, k: &str, v: Option<f64>) -> Self {
        match v {
            Some(v) => self.num(k, v),
            None => {
                let mut s = self;
                s.record.values.insert(k.to_string(), Value::Null);
                s
            }
        }
    }

    pub(crate) fn value(mut self, k: &str, v: impl Into<Value>) -> Self {
        self.record.values.insert(k.to_string(), v.into());
        self
    }

    /// The numbers of a descriptive summary (n, median, quartiles, mean, SD,
    /// range) and the quantile definition that made them.
    pub(crate) fn summary(self, s: &rct_stats::descriptive::Summary, quantile_type: u8) -> Self {
        self.option("quantile_type", quantile_type)
            .value("n", s.n)
            .num("median", s.median)
            .num("q1", s.q1)
            .num("q3", s.q3)
            .num("mean", s.mean)
            .opt("sd", s.sd)
            .num("min", s.min)
            .num("max", s.max)
    }

    pub(crate) fn build(self) -> ResultRecord {
        self.record
    }
}
