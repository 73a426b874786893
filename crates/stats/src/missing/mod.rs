//! Missing data: last observation carried forward.
