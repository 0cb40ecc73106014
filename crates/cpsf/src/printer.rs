//! The printer: owns quiet/verbose, colour and progress on stderr. Standard output carries only the product.

use std::io::{IsTerminal, Write};

use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::ColorChoice;

/// Styles used in human output.
#[derive(Clone, Copy)]
pub enum Style {
    Error,
    Warning,
    Ok,
    Bold,
    Dim,
}

#[derive(Clone)]
pub struct Printer {
    pub quiet: bool,
    pub verbose: bool,
    /// Colour on stderr.
    pub color_stderr: bool,
    /// Colour in human output on stdout (or a file).
    pub color_stdout: bool,
    /// Whether a progress bar may be drawn.
    progress: bool,
}

impl Printer {
    pub fn new(quiet: bool, verbose: bool, color: ColorChoice) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let decide = |tty: bool| match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color,
        };
        let stderr_tty = std::io::stderr().is_terminal();
        Self {
            quiet,
            verbose,
            color_stderr: decide(stderr_tty),
            color_stdout: decide(std::io::stdout().is_terminal()),
            progress: stderr_tty && !quiet,
        }
    }

    pub fn paint(&self, enabled: bool, style: Style, text: &str) -> String {
        if !enabled {
            return text.to_owned();
        }
        let code = match style {
            Style::Error => "1;31",
            Style::Warning => "1;33",
            Style::Ok => "1;32",
            Style::Bold => "1",
            Style::Dim => "2",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }

    pub fn warn(&self, message: &str) {
        if !self.quiet {
            eprintln!("{} {message}", self.paint(self.color_stderr, Style::Warning, "warning:"));
        }
    }

    pub fn info(&self, message: &str) {
        if !self.quiet {
            eprintln!("{message}");
        }
    }

    pub fn detail(&self, message: &str) {
        if self.verbose && !self.quiet {
            eprintln!("{}", self.paint(self.color_stderr, Style::Dim, message));
        }
    }

    pub fn error(&self, message: &str) {
        let _ = writeln!(std::io::stderr(), "{} {message}", self.paint(self.color_stderr, Style::Error, "error:"));
    }

    /// A progress bar over `total` items, drawn only when stderr is a terminal and the job is long enough to notice.
    pub fn progress(&self, total: usize, what: &str) -> Option<ProgressBar> {
        if !self.progress || total < 20 {
            return None;
        }
        let bar = ProgressBar::new(total as u64);
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} {wide_msg:.dim}") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(what.to_owned());
        Some(bar)
    }

    /// A spinner counting items of unknown total, drawn only when stderr is a terminal.
    pub fn spinner(&self, what: &str) -> Option<ProgressBar> {
        if !self.progress {
            return None;
        }
        let bar = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {pos}") {
            bar.set_style(style);
        }
        bar.set_message(what.to_owned());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Some(bar)
    }

    /// A progress bar over bytes (a download), drawn only when stderr is a terminal.
    pub fn bytes_progress(&self, total: Option<u64>, what: &str) -> Option<ProgressBar> {
        if !self.progress {
            return None;
        }
        let bar = match total {
            Some(total) => ProgressBar::new(total),
            None => ProgressBar::new_spinner(),
        };
        let template = if total.is_some() {
            "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}"
        } else {
            "{spinner} {msg} {bytes} {bytes_per_sec}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(what.to_owned());
        Some(bar)
    }

    /// Print warnings: all of them when verbose, else the first `limit` and a count of the rest.
    pub fn warn_many(&self, warnings: &[String], limit: usize) {
        let shown = if self.verbose { warnings.len() } else { warnings.len().min(limit) };
        for w in &warnings[..shown] {
            self.warn(w);
        }
        if shown < warnings.len() {
            self.warn(&format!("… and {} more warnings (--verbose shows all)", warnings.len() - shown));
        }
    }
}
