//! SBOM quality scoring against named profiles (being written).
