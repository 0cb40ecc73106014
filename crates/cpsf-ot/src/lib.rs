//! Factory systems and IoT as data: the asset inventory, the Factory Systems Guidelines' model (operations,
//! assets, zones, conduits, damage scenarios, measure plans), checks of observed flows against conduits, IoT-SSF
//! categories, and CSAF 2.0 advisories matched to devices.

pub mod identity;

pub use identity::DeviceIdentity;
