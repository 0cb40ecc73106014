//! Differences between two inventories (being written).
