//! Survival: Kaplan-Meier, log-rank, two-stage test for crossing hazards, Cox.
