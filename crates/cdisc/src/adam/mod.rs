//! ADaM derivations.
