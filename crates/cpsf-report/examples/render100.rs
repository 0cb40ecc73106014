//! Times the rendering of the 100-entry test assessment as HTML and PDF (Japanese and English) and, given a
//! directory, writes the files there: `cargo run --release -p cpsf-report --example render100 [DIR]`.

#[path = "../tests/it/fixture.rs"]
mod fixture;

use std::time::Instant;

use cpsf_catalog::Lang;
use cpsf_report::{FontSource, Format, render};

fn main() {
    let out = std::env::args_os().nth(1).map(std::path::PathBuf::from);
    for lang in [Lang::Ja, Lang::En] {
        let report = fixture::report(lang);
        for format in [Format::Html, Format::Pdf] {
            let start = Instant::now();
            let bytes = match render(&report, format, &FontSource::Auto) {
                Ok(bytes) => bytes,
                Err(e) => {
                    eprintln!("{} {}: {e}", lang.code(), format.extension());
                    std::process::exit(1);
                }
            };
            let ms = start.elapsed().as_secs_f64() * 1000.0;
            println!(
                "{} {}: {:.1} ms, {} bytes, {} entries",
                lang.code(),
                format.extension(),
                ms,
                bytes.len(),
                report.entries.len()
            );
            if let Some(dir) = &out {
                let path = dir.join(format!("report-{}.{}", lang.code(), format.extension()));
                if let Err(e) = std::fs::write(&path, &bytes) {
                    eprintln!("{}: {e}", path.display());
                    std::process::exit(1);
                }
            }
        }
    }
}
