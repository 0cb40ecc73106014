//! Merging several inventories into one (being written).
