//! What identifies a device for advisory matching: vendor, product name, model / order number, version and
//! CPE, as an asset record or a discovered device states them.

use serde::{Deserialize, Serialize};

/// The identifying facts of one device (any may be missing).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceIdentity {
    pub vendor: Option<String>,
    pub product: Option<String>,
    /// Model name, model number, product code or order number (Siemens MLFB, Rockwell catalog number).
    pub model: Option<String>,
    /// Firmware version (or the software version when a device has no firmware of its own).
    pub version: Option<String>,
    pub serial: Option<String>,
    /// CPE 2.3 names the asset owner recorded.
    pub cpes: Vec<String>,
}
