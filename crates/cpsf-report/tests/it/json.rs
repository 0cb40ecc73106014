//! The JSON report: the report model as it is, so other tools read the same figures.

use cpsf_catalog::Lang;
use cpsf_report::{FontSource, Format, render};

use crate::fixture;

#[test]
fn json_is_the_report_model() {
    let report = fixture::report(Lang::En);
    let bytes = render(&report, Format::Json, &FontSource::File("/nonexistent/font.ttf".into())).unwrap();
    let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(value["lang"], "en");
    assert_eq!(value["entries"].as_array().unwrap().len(), 100);
    assert_eq!(value["gaps"].as_array().unwrap().len(), report.gaps.len());
    assert_eq!(value["gaps"][0]["entry"], report.gaps[0].entry.as_str());
    assert_eq!(value["overall"]["score"].as_f64(), report.overall.score);
    assert_eq!(Format::parse("PDF"), Some(Format::Pdf));
    assert_eq!(Format::parse("docx"), None);
}
