//! Contingency tables: chi-square, Fisher's exact test (any r x c), and the
//! Cochran-Mantel-Haenszel test across strata (e.g. sites).

mod chi_square;
mod cmh;
mod fisher;
mod fisher_rxc;
mod table;

pub use chi_square::{chi_square, ChiSquare};
pub use cmh::{cmh, Cmh};
pub use fisher::{fisher_exact, FisherExact};
pub use table::Table;
