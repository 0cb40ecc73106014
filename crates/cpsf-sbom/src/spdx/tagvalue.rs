//! SPDX 2.x tag-value writer and reader (being written).

use cpsf_model::{Diagnostic, Inventory};

use crate::{ReadSbom, SbomError, SpdxVersion};

pub fn write(_inventory: &Inventory, _version: SpdxVersion) -> Result<(String, Vec<Diagnostic>), SbomError> {
    Err(SbomError::Unsupported("SPDX tag-value writer being written".into()))
}

pub fn read(_text: &str) -> Result<ReadSbom, SbomError> {
    Err(SbomError::Unsupported("SPDX tag-value reader being written".into()))
}
