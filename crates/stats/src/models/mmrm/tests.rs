//! Tests of the MMRM fit.
