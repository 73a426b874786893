//! Contingency tables: chi-square, Fisher exact, Cochran-Mantel-Haenszel.
