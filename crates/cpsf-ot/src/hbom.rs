//! The asset inventory as a hardware BOM: a CycloneDX 1.6 JSON document with one `device` component per
//! asset. The vendor is the component's `manufacturer`, the hardware version its `version`, the first CPE its
//! `cpe`; serial number, model, product code, kind, addresses, VLAN, zone, location, importance and the
//! asset's source are `cpsf:` properties; firmware (and software) versions are nested `firmware` (and
//! `application`) components. Only facts the asset holds appear.

use serde_json::{Map, Value, json};

use crate::asset::{Asset, AssetField};

/// Document-level values the caller chooses (so the output is reproducible).
#[derive(Clone, Debug, Default)]
pub struct HbomOptions {
    /// `urn:uuid:...`; left out when `None`.
    pub serial_number: Option<String>,
    /// RFC 3339 time for `metadata.timestamp`; left out when `None`.
    pub timestamp: Option<String>,
    /// The plant's name, as `metadata.component` (a `device` named after it); left out when `None`.
    pub plant: Option<String>,
    /// The tool version for `metadata.tools`.
    pub tool_version: Option<String>,
}

fn property(name: &str, value: impl Into<String>) -> Value {
    json!({ "name": name, "value": value.into() })
}

/// The bom-ref of an asset's device component.
pub fn bom_ref(asset: &Asset) -> String {
    format!("asset:{}", asset.id)
}

fn device(asset: &Asset) -> Value {
    let mut c = Map::new();
    c.insert("type".into(), json!("device"));
    c.insert("bom-ref".into(), json!(bom_ref(asset)));
    if let Some(vendor) = &asset.vendor {
        c.insert("manufacturer".into(), json!({ "name": vendor }));
    }
    c.insert(
        "name".into(),
        json!(asset.name.clone().or_else(|| asset.model.clone()).unwrap_or_else(|| asset.id.clone())),
    );
    if let Some(hw) = &asset.hardware {
        c.insert("version".into(), json!(hw));
    }
    if let Some(d) = &asset.description {
        c.insert("description".into(), json!(d));
    }
    if let Some(cpe) = asset.cpes.first() {
        c.insert("cpe".into(), json!(cpe));
    }
    let mut props = vec![property("cpsf:asset_id", asset.id.clone())];
    let simple = [
        ("cpsf:kind", AssetField::Kind),
        ("cpsf:model", AssetField::Model),
        ("cpsf:product_code", AssetField::ProductCode),
        ("cpsf:serial_number", AssetField::Serial),
        ("cpsf:os", AssetField::Os),
        ("cpsf:vlan", AssetField::Vlan),
        ("cpsf:zone", AssetField::Zone),
        ("cpsf:purdue_level", AssetField::PurdueLevel),
        ("cpsf:site", AssetField::Site),
        ("cpsf:building", AssetField::Building),
        ("cpsf:line", AssetField::Line),
        ("cpsf:cell", AssetField::Cell),
        ("cpsf:location", AssetField::Location),
        ("cpsf:importance", AssetField::Importance),
        ("cpsf:owner", AssetField::Owner),
        ("cpsf:installed", AssetField::Installed),
        ("cpsf:end_of_support", AssetField::EndOfSupport),
        ("cpsf:last_seen", AssetField::LastSeen),
    ];
    for (name, field) in simple {
        for v in asset.get(field) {
            props.push(property(name, v));
        }
    }
    for (name, field) in [
        ("cpsf:ip", AssetField::Ip),
        ("cpsf:mac", AssetField::Mac),
        ("cpsf:protocol", AssetField::Protocols),
        ("cpsf:service", AssetField::Services),
        ("cpsf:sbom", AssetField::Sboms),
    ] {
        for v in asset.get(field) {
            props.push(property(name, v));
        }
    }
    for cpe in asset.cpes.iter().skip(1) {
        props.push(property("cpsf:cpe", cpe.clone()));
    }
    if let Some(source) = &asset.source {
        props.push(property("cpsf:source", source.to_string()));
    }
    c.insert("properties".into(), Value::Array(props));
    let label = asset.model.clone().or_else(|| asset.name.clone()).unwrap_or_else(|| asset.id.clone());
    let mut children = Vec::new();
    if let Some(fw) = &asset.firmware {
        let mut f = json!({
            "type": "firmware",
            "bom-ref": format!("{}:firmware", bom_ref(asset)),
            "name": format!("{label} firmware"),
            "version": fw,
        });
        if let (Some(vendor), Some(obj)) = (&asset.vendor, f.as_object_mut()) {
            obj.insert("supplier".into(), json!({ "name": vendor }));
        }
        children.push(f);
    }
    if let Some(sw) = &asset.software {
        children.push(json!({
            "type": "application",
            "bom-ref": format!("{}:software", bom_ref(asset)),
            "name": format!("{label} software"),
            "version": sw,
        }));
    }
    if !children.is_empty() {
        c.insert("components".into(), Value::Array(children));
    }
    Value::Object(c)
}

/// The assets as a CycloneDX 1.6 hardware BOM.
pub fn hbom(assets: &[Asset], options: &HbomOptions) -> Value {
    let mut doc = Map::new();
    doc.insert("bomFormat".into(), json!("CycloneDX"));
    doc.insert("specVersion".into(), json!("1.6"));
    if let Some(serial) = &options.serial_number {
        doc.insert("serialNumber".into(), json!(serial));
    }
    doc.insert("version".into(), json!(1));
    let mut metadata = Map::new();
    if let Some(ts) = &options.timestamp {
        metadata.insert("timestamp".into(), json!(ts));
    }
    let mut tool = json!({ "type": "application", "name": "cpsf" });
    if let (Some(v), Some(obj)) = (&options.tool_version, tool.as_object_mut()) {
        obj.insert("version".into(), json!(v));
    }
    metadata.insert("tools".into(), json!({ "components": [tool] }));
    if let Some(plant) = &options.plant {
        metadata.insert("component".into(), json!({ "type": "device", "bom-ref": "plant", "name": plant }));
    }
    doc.insert("metadata".into(), Value::Object(metadata));
    doc.insert("components".into(), Value::Array(assets.iter().map(device).collect()));
    Value::Object(doc)
}
