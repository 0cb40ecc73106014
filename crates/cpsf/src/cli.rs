//! The command-line definition: every subcommand, flag and its help text. Completions and the man page are generated from it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "cpsf",
    version,
    about = "Evidence for METI's cyber/physical security framework family: SBOMs, validation and quality scores",
    long_about = "cpsf produces the evidence that METI's Cyber/Physical Security Framework family asks for. \
                  This release covers the software inventory of the SBOM introduction guidance: SBOMs from lockfiles \
                  (CycloneDX and SPDX), schema validation, quality scores (NTIA, METI, BSI TR-03183-2), conversion, \
                  merge and diff.\n\nExit status: 0 success, 1 findings (invalid document, differences, failed gate), 2 error.",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Print nothing on stderr but errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail on stderr (every file read, every warning)
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// When to use colour on stderr and in human output; NO_COLOR in the environment means never for `auto`
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Configuration file (default: ./cpsf.toml when present, or $CPSF_CONFIG)
    #[arg(long, global = true, env = "CPSF_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Software bills of materials: generate, validate and score, convert, merge, diff
    #[command(subcommand)]
    Sbom(SbomCommand),
    /// Find known vulnerabilities in a source tree, a lockfile or an SBOM, using the local advisory database
    Scan(ScanArgs),
    /// Write a VEX document (OpenVEX or CycloneDX) from the current findings, for triage
    Vex(VexArgs),
    /// The local advisory database: import OSV/KEV/EPSS files, download updates, show what it holds
    #[command(subcommand)]
    Db(DbCommand),
    /// Run the team server: SBOM store, API (also Dependency-Track's upload API), monitoring, webhooks
    Serve(ServeArgs),
    /// Users of the team server
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens of the team server (for CI jobs)
    #[command(subcommand)]
    Token(TokenCommand),
    /// Upload an SBOM to a team server (for CI jobs; the token comes from CPSF_TOKEN)
    #[command(disable_version_flag = true)]
    Push(PushArgs),
    /// Framework catalogs: list, show, validate, import (OSCAL, CSV, CISO Assistant) and export (OSCAL)
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Assessments against a catalog: create, edit, refresh automatic evidence, score, report (HTML, PDF, JSON, OSCAL)
    #[command(subcommand)]
    Assess(AssessCommand),
    /// Passive discovery from network captures (never the network): devices, their identities, who talks to whom
    #[command(subcommand)]
    Pcap(PcapCommand),
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write the man pages (cpsf.1 and one per subcommand) into a directory
    Man {
        /// Directory to write into (created if missing)
        #[arg(short, long, default_value = ".", value_name = "DIR")]
        output: PathBuf,
    },
    // Factory systems and IoT (cpsf-ot): keep these together, at the end.
    /// Factory assets in a plant file: import spreadsheets (CSV, XLSX), export (CSV, XLSX, CycloneDX hardware BOM), list, check
    #[command(subcommand)]
    Asset(AssetCommand),
    /// CSAF 2.0 device advisories: match them to the assets of a plant file
    #[command(subcommand)]
    Csaf(CsafCommand),
    // The demo (`cpsf demo`): keep it here, after the factory commands.
    /// Create a data directory with a small demo plant (zones, conduits, assets, a generated capture, SBOMs, a
    /// device advisory, an assessment) and an administrator `demo`; then `cpsf serve --data-dir DIR` shows it
    Demo(DemoArgs),
}

#[derive(Debug, Subcommand)]
pub enum SbomCommand {
    /// Find every lockfile under PATH and write one SBOM for the tree
    Generate(GenerateArgs),
    /// Check an SBOM against its official schema and score its quality against named profiles
    Validate(ValidateArgs),
    /// Convert an SBOM from any supported format into another, saying what cannot be carried over
    Convert(ConvertArgs),
    /// Merge several SBOMs into one, deduplicated by purl
    Merge(MergeArgs),
    /// Compare two SBOMs: components added, removed, upgraded, downgraded, changed
    Diff(DiffArgs),
}

/// Output document formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SbomOutputFormat {
    /// CycloneDX JSON (default; spec version from --spec-version)
    #[value(name = "cyclonedx-json", alias = "cyclonedx", alias = "cdx")]
    CycloneDxJson,
    /// CycloneDX XML
    #[value(name = "cyclonedx-xml", alias = "cdx-xml")]
    CycloneDxXml,
    /// SPDX 2.3 JSON
    #[value(name = "spdx-json", alias = "spdx")]
    SpdxJson,
    /// SPDX 2.3 tag-value
    #[value(name = "spdx-tag-value", alias = "spdx-tv")]
    SpdxTagValue,
    /// SPDX 2.3 YAML
    #[value(name = "spdx-yaml")]
    SpdxYaml,
    /// SPDX 3.0 JSON-LD
    #[value(name = "spdx3-json", alias = "spdx3")]
    Spdx3Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CdxSpecVersion {
    #[value(name = "1.4")]
    V1_4,
    #[value(name = "1.5")]
    V1_5,
    #[value(name = "1.6")]
    V1_6,
    #[value(name = "1.7")]
    V1_7,
}

#[derive(Debug, Args)]
pub struct SbomOutputArgs {
    /// Document format [default: cyclonedx-json, or `format` in the config file]
    #[arg(short, long, value_enum)]
    pub format: Option<SbomOutputFormat>,
    /// CycloneDX spec version [default: 1.6]
    #[arg(long, value_enum, value_name = "VERSION")]
    pub spec_version: Option<CdxSpecVersion>,
    /// Write the document to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Byte-identical output across runs: fixed timestamp (SOURCE_DATE_EPOCH, else the Unix epoch) and a serial number derived from the content
    #[arg(long)]
    pub reproducible: bool,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Directory to scan, or one lockfile
    #[arg(default_value = ".")]
    pub path: PathBuf,
    #[command(flatten)]
    pub out: SbomOutputArgs,
    #[command(flatten)]
    pub discover: DiscoverArgs,
    /// Supplier of the described product, e.g. "Example Corp" or "Example Corp <sbom@example.com>"
    #[arg(long, value_name = "NAME")]
    pub supplier: Option<String>,
    /// Author of the SBOM data (repeatable), e.g. "Jane Doe <jane@example.com>"
    #[arg(long, value_name = "NAME")]
    pub author: Vec<String>,
    /// Name of the described product [default: the scanned directory's name]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Version of the described product
    #[arg(long = "product-version", value_name = "VERSION")]
    pub product_version: Option<String>,
}

/// How lockfiles are found under a directory.
#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// Leave out paths matching GLOB (relative to PATH; repeatable)
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Also read files that .gitignore ignores
    #[arg(long)]
    pub no_ignore: bool,
    /// Also descend into node_modules, target and vendor directories
    #[arg(long)]
    pub include_vendored: bool,
    /// Skip files larger than this many bytes (with a warning)
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024 * 1024)]
    pub max_file_size: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// For people
    Text,
    /// For programs
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProfileArg {
    /// NTIA minimum elements (2021)
    Ntia,
    /// METI SBOM introduction guidance minimum elements
    Meti,
    /// BSI TR-03183-2 (v2.0)
    Bsi,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The SBOM to check (CycloneDX 1.4–1.7 JSON/XML, SPDX 2.2/2.3 JSON/tag-value/YAML, SPDX 3.0 JSON-LD)
    pub file: PathBuf,
    /// Report format
    #[arg(short, long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Quality profiles to score (repeatable) [default: all]
    #[arg(long, value_enum)]
    pub profile: Vec<ProfileArg>,
    /// Exit 1 unless the document conforms to this profile (repeatable)
    #[arg(long, value_enum, value_name = "PROFILE")]
    pub require: Vec<ProfileArg>,
    /// Exit 1 when any scored profile is below this score (0–100)
    #[arg(long, value_name = "SCORE")]
    pub min_score: Option<u8>,
    /// Write the report to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The SBOM to convert
    pub file: PathBuf,
    #[command(flatten)]
    pub out: SbomOutputArgs,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// SBOMs to merge (any supported format, mixed)
    #[arg(required = true, num_args = 1..)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub out: SbomOutputArgs,
    /// Name of the merged product
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older SBOM
    pub old: PathBuf,
    /// The newer SBOM
    pub new: PathBuf,
    /// Report format
    #[arg(short, long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Write the report to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The advisory database file option shared by `scan`, `vex` and `db`.
#[derive(Debug, Args)]
pub struct DbArgs {
    /// Advisory database file [default: cpsf/advisories.db under the user's data directory]
    #[arg(long, env = "CPSF_DB", value_name = "FILE")]
    pub db: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Load OSV records (JSON, YAML, directories, OSV all.zip archives), the CISA KEV catalog (JSON) and EPSS scores (CSV)
    Import(DbImportArgs),
    /// Download OSV's per-ecosystem archives, the KEV catalog and EPSS scores, then import them
    Update(DbUpdateArgs),
    /// Records per ecosystem and source, newest `modified`, KEV and EPSS dates
    Stats(DbStatsArgs),
}

#[derive(Debug, Args)]
pub struct DbImportArgs {
    /// Files, directories (searched recursively) or zip archives
    #[arg(required = true, num_args = 1..)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct DbUpdateArgs {
    /// Base URL of the OSV archives; each ecosystem is fetched from BASE/ECOSYSTEM/all.zip
    #[arg(long, env = "CPSF_OSV_BASE_URL", value_name = "URL", default_value = cpsf_vuln::download::DEFAULT_BASE_URL)]
    pub base_url: String,
    /// Ecosystems to fetch (repeatable) [default: crates.io, npm, PyPI, Go, Maven, NuGet, RubyGems, Packagist, Pub, Hex]
    #[arg(long = "ecosystem", value_name = "NAME")]
    pub ecosystems: Vec<String>,
    /// URL of the CISA KEV catalog (JSON)
    #[arg(long, value_name = "URL", default_value = cpsf_vuln::download::DEFAULT_KEV_URL, conflicts_with = "no_kev")]
    pub kev_url: String,
    /// Do not fetch the KEV catalog
    #[arg(long)]
    pub no_kev: bool,
    /// URL of the EPSS scores (CSV, optionally gzip-compressed)
    #[arg(long, value_name = "URL", default_value = cpsf_vuln::download::DEFAULT_EPSS_URL, conflicts_with = "no_epss")]
    pub epss_url: String,
    /// Do not fetch EPSS scores
    #[arg(long)]
    pub no_epss: bool,
    /// Where downloads are kept (and resumed from) [default: a `downloads` directory beside the database]
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct DbStatsArgs {
    /// Report format
    #[arg(short, long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    #[command(flatten)]
    pub db: DbArgs,
}

/// Severity thresholds and filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum SeverityArg {
    /// No severity from any source (most Go advisories)
    Unknown,
    None,
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    /// Grouped by component, for people
    Table,
    /// Every finding with its evidence (schema: crates/cpsf-vuln/schema/scan-report.schema.json)
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards
    Sarif,
    /// CycloneDX 1.6 with a `vulnerabilities` section (a vulnerability disclosure report)
    #[value(name = "cyclonedx", alias = "vdr", alias = "cyclonedx-json")]
    CycloneDx,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// A directory (lockfiles are found as `sbom generate` finds them), one lockfile, or an SBOM (CycloneDX, SPDX)
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Output format
    #[arg(short, long, value_enum, default_value_t = ScanFormat::Table)]
    pub format: ScanFormat,
    /// Write the report to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when an unsuppressed finding has at least this severity (findings of unknown severity count as reaching any threshold)
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<SeverityArg>,
    /// Exit 1 when an unsuppressed finding is in CISA's Known Exploited Vulnerabilities catalog
    #[arg(long)]
    pub fail_on_kev: bool,
    /// Leave out findings with no fixed version
    #[arg(long)]
    pub ignore_unfixed: bool,
    /// Report only findings of these severities (comma-separated or repeated)
    #[arg(long, value_enum, value_delimiter = ',', value_name = "SEVERITY")]
    pub severity: Vec<SeverityArg>,
    /// VEX document (OpenVEX, CycloneDX VEX, CSAF 2.0 VEX) whose not-affected and fixed statements suppress findings (repeatable; a later file wins)
    #[arg(long, value_name = "FILE")]
    pub vex: Vec<PathBuf>,
    /// Also show findings that VEX statements suppress, with their justification
    #[arg(long)]
    pub show_suppressed: bool,
    #[command(flatten)]
    pub db: DbArgs,
    #[command(flatten)]
    pub discover: DiscoverArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VexFormat {
    /// OpenVEX 0.2.0
    Openvex,
    /// CycloneDX 1.6 VEX
    #[value(name = "cyclonedx", alias = "cdx")]
    CycloneDx,
}

#[derive(Debug, Args)]
pub struct VexArgs {
    /// A directory, one lockfile, or an SBOM, as for `scan`
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Document format
    #[arg(short, long, value_enum, default_value_t = VexFormat::Openvex)]
    pub format: VexFormat,
    /// Write the document to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Author of the statements (OpenVEX `author`)
    #[arg(long, value_name = "NAME", default_value = "cpsf")]
    pub author: String,
    /// Earlier VEX documents whose statements carry over (repeatable)
    #[arg(long, value_name = "FILE")]
    pub vex: Vec<PathBuf>,
    /// Byte-identical output across runs: fixed timestamp (SOURCE_DATE_EPOCH, else the Unix epoch)
    #[arg(long)]
    pub reproducible: bool,
    #[command(flatten)]
    pub db: DbArgs,
    #[command(flatten)]
    pub discover: DiscoverArgs,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}

/// Where the team server keeps its data; shared by `serve`, `user` and `token`.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// Data directory: the SQLite store (server.db) and the advisory database (advisories.db)
    /// [default: cpsf under the user's data directory]
    #[arg(long, env = "CPSF_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// A PostgreSQL URL (postgres://user@host/db) to keep the store there instead of SQLite
    #[arg(long, env = "CPSF_DATABASE", value_name = "URL")]
    pub database: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    pub listen: std::net::SocketAddr,
    #[command(flatten)]
    pub store: StoreArgs,
    /// Advisory database to match uploads against [default: advisories.db in the data directory]
    #[arg(long, env = "CPSF_DB", value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Largest SBOM accepted, in MiB
    #[arg(long, default_value_t = 50, value_name = "MIB")]
    pub max_upload: usize,
    /// Seconds between checks of the advisory database for changes (a change re-matches every stored SBOM)
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    pub rematch_interval: u64,
    /// URL to POST new and fixed findings to (JSON, signed with --webhook-secret)
    #[arg(long, env = "CPSF_WEBHOOK_URL", value_name = "URL", requires = "webhook_secret")]
    pub webhook_url: Option<String>,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key)
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Shared secret for the webhook's HMAC-SHA256 signature (X-Cpsf-Signature)
    #[arg(long, env = "CPSF_WEBHOOK_SECRET", value_name = "SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,
    #[command(flatten)]
    pub catalogs: CatalogDirArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Admin,
    Editor,
    Viewer,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user (the password is asked for, or read from standard input with --password-stdin)
    Add(UserAddArgs),
    /// List users
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Give a user access to one product only (repeat for more); without any grant a user reaches every product
    Grant {
        name: String,
        product: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    pub name: String,
    #[arg(long, value_enum)]
    pub role: RoleArg,
    /// Read the password from the first line of standard input instead of asking
    #[arg(long)]
    pub password_stdin: bool,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token and print it (shown once; only its digest is stored)
    Create(TokenCreateArgs),
    /// List tokens (never their secrets)
    List {
        /// Only this user's tokens
        #[arg(long)]
        user: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Revoke a token by its id (from `token list`)
    Revoke {
        id: i64,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// The user the token acts as
    #[arg(long)]
    pub user: String,
    /// The token's role (at most the user's)
    #[arg(long, value_enum)]
    pub role: RoleArg,
    /// A label to recognise the token by
    #[arg(long, default_value = "ci")]
    pub label: String,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct PushArgs {
    /// The SBOM file (CycloneDX or SPDX, any format cpsf reads)
    pub sbom: PathBuf,
    /// The server's base URL, e.g. http://127.0.0.1:8080
    #[arg(long, env = "CPSF_SERVER", value_name = "URL")]
    pub server: String,
    #[arg(long)]
    pub product: String,
    #[arg(long = "version", value_name = "VERSION")]
    pub product_version: String,
    /// API token [env: CPSF_TOKEN]
    #[arg(long, env = "CPSF_TOKEN", hide_env_values = true, value_name = "TOKEN")]
    pub token: String,
    /// Fail instead of creating the product or version when missing
    #[arg(long)]
    pub no_create: bool,
}

/// Where organization catalogs are kept, beside the shipped ones.
#[derive(Debug, Args, Clone)]
pub struct CatalogDirArgs {
    /// Directory of additional catalogs (*.yaml, *.json) [default: catalogs in the data directory]
    #[arg(long, env = "CPSF_CATALOG_DIR", value_name = "DIR")]
    pub catalog_dir: Option<PathBuf>,
}

/// Output of the catalog and assessment listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

/// A language for reports and listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    En,
    Ja,
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// List the catalogs: the shipped ones and those in the catalog directory
    List(CatalogListArgs),
    /// Show a catalog's tree, or one entry in full
    Show(CatalogShowArgs),
    /// Validate catalog files (schema, ids, parents, mappings, provenance); with no FILE, the shipped catalogs
    Validate(CatalogValidateArgs),
    /// Convert a catalog an organization holds (OSCAL catalog JSON, CSV, CISO Assistant library YAML) into a cpsf catalog
    Import(CatalogImportArgs),
    /// Write a catalog as OSCAL catalog JSON (or as cpsf YAML/JSON)
    Export(CatalogExportArgs),
}

#[derive(Debug, Args)]
pub struct CatalogListArgs {
    #[command(flatten)]
    pub dir: CatalogDirArgs,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
    /// Language of titles [default: from the locale]
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
}

#[derive(Debug, Args)]
pub struct CatalogShowArgs {
    /// Catalog id, e.g. meti-cpsf-1.0
    pub id: String,
    /// Show only this entry (with its summary, mappings, checks and provenance)
    #[arg(long, value_name = "ENTRY")]
    pub entry: Option<String>,
    #[command(flatten)]
    pub dir: CatalogDirArgs,
    /// text (a tree), json or yaml (the catalog itself)
    #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
    pub format: ShowFormat,
    /// Language of titles [default: from the locale]
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    Text,
    Json,
    Yaml,
}

#[derive(Debug, Args)]
pub struct CatalogValidateArgs {
    /// Catalog files to validate (mappings may point at the shipped catalogs and at each other)
    pub files: Vec<PathBuf>,
    /// Hold the files to the shipped catalogs' standard (both languages, a note on every unverified entry)
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    /// OSCAL 1.x catalog JSON
    Oscal,
    /// CSV with the documented columns (catalogs/README-import.md)
    Csv,
    /// CISO Assistant library YAML
    Ciso,
}

#[derive(Debug, Args)]
pub struct CatalogImportArgs {
    /// The file to import
    pub file: PathBuf,
    /// Its format [default: from the extension: .json oscal, .csv csv, .yaml/.yml ciso]
    #[arg(long, value_enum)]
    pub from: Option<ImportFormat>,
    /// Catalog id to give it [default: derived from the document]
    #[arg(long)]
    pub id: Option<String>,
    /// Language the document is written in
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
    /// Write the cpsf catalog here [default: <id>.yaml in the catalog directory]
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub dir: CatalogDirArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Oscal,
    Yaml,
    Json,
}

#[derive(Debug, Args)]
pub struct CatalogExportArgs {
    /// Catalog id
    pub id: String,
    #[arg(long, value_enum, default_value_t = ExportFormat::Oscal)]
    pub format: ExportFormat,
    /// Language of the exported text (OSCAL holds one language)
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Output file [default: standard output]
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub dir: CatalogDirArgs,
}

#[derive(Debug, Subcommand)]
pub enum AssessCommand {
    /// Write a new editable YAML assessment of a catalog for a scope
    Init(AssessInitArgs),
    /// Change one entry of an assessment file (status, level, owner, due, comments, evidence, override); history is kept
    Set(AssessSetArgs),
    /// Refresh automatic evidence from the team server's store (SBOMs, quality, advisories, findings, questionnaires)
    Evaluate(AssessEvaluateArgs),
    /// Print the scores and the gap list
    Show(AssessShowArgs),
    /// Write a report: HTML or PDF (Japanese or English), JSON, or OSCAL assessment results
    Report(AssessReportArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScopeKindArg {
    Company,
    Site,
    Product,
    Supplier,
}

#[derive(Debug, Args)]
pub struct AssessInitArgs {
    /// Catalog id (see `cpsf catalog list`)
    #[arg(long)]
    pub catalog: String,
    /// What is assessed: a company, site, product or supplier name
    #[arg(long)]
    pub scope: String,
    #[arg(long, value_enum, default_value_t = ScopeKindArg::Company)]
    pub scope_kind: ScopeKindArg,
    /// Language of the entry titles written into the file [default: from the locale]
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Output file [default: <catalog>-<scope>.yaml]
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Overwrite an existing file
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub dir: CatalogDirArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    NotAssessed,
    Implemented,
    Partially,
    NotImplemented,
    NotApplicable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OverrideArg {
    Met,
    Unmet,
}

#[derive(Debug, Args)]
pub struct AssessSetArgs {
    /// The assessment file
    pub file: PathBuf,
    /// The catalog entry, e.g. CPS.AM-1
    pub entry: String,
    #[arg(long, value_enum)]
    pub status: Option<StatusArg>,
    /// Maturity level id (see `cpsf catalog show`); empty to clear
    #[arg(long)]
    pub level: Option<String>,
    #[arg(long)]
    pub owner: Option<String>,
    /// Due date, YYYY-MM-DD; empty to clear
    #[arg(long)]
    pub due: Option<String>,
    #[arg(long)]
    pub comment: Option<String>,
    /// Attach a file as evidence (recorded by path and SHA-256)
    #[arg(long = "evidence-file", value_name = "FILE")]
    pub evidence_files: Vec<PathBuf>,
    /// Attach a link as evidence
    #[arg(long = "evidence-link", value_name = "URL")]
    pub evidence_links: Vec<String>,
    /// Override the automatic result (needs --justification)
    #[arg(long = "override", value_enum, requires = "justification")]
    pub override_result: Option<OverrideArg>,
    #[arg(long)]
    pub justification: Option<String>,
    /// Remove an override
    #[arg(long, conflicts_with = "override_result")]
    pub clear_override: bool,
    /// Who makes the change [default: $USER]
    #[arg(long)]
    pub by: Option<String>,
    #[command(flatten)]
    pub dir: CatalogDirArgs,
}

#[derive(Debug, Args)]
pub struct AssessEvaluateArgs {
    /// The assessment file
    pub file: PathBuf,
    #[command(flatten)]
    pub store: StoreArgs,
    /// Advisory database [default: advisories.db in the data directory]
    #[arg(long, env = "CPSF_DB", value_name = "FILE")]
    pub db: Option<PathBuf>,
    #[command(flatten)]
    pub dir: CatalogDirArgs,
}

#[derive(Debug, Args)]
pub struct AssessShowArgs {
    /// The assessment file
    pub file: PathBuf,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Gaps to list (0 for all)
    #[arg(long, default_value_t = 20)]
    pub gaps: usize,
    #[command(flatten)]
    pub dir: CatalogDirArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AssessReportFormat {
    Html,
    Pdf,
    Json,
    Oscal,
}

#[derive(Debug, Args)]
pub struct AssessReportArgs {
    /// The assessment file
    pub file: PathBuf,
    #[arg(long, value_enum, default_value_t = AssessReportFormat::Html)]
    pub format: AssessReportFormat,
    /// Report language [default: from the locale]
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Output file [default: standard output, except for PDF which needs -o]
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Font for PDF (TrueType/OpenType, .ttc allowed) [default: a Japanese font found on the system; also CPSF_REPORT_FONT]
    #[arg(long, value_name = "FILE")]
    pub font: Option<PathBuf>,
    #[command(flatten)]
    pub dir: CatalogDirArgs,
}

// Factory systems and IoT (cpsf-ot): `cpsf asset` and `cpsf csaf`. Keep these together, at the end.

#[derive(Debug, Subcommand)]
pub enum AssetCommand {
    /// Read assets from CSV or XLSX files and merge them into the plant file (declared beats imported beats discovered)
    Import(AssetImportArgs),
    /// Write the plant's assets as CSV, XLSX or a CycloneDX 1.6 hardware BOM
    Export(AssetExportArgs),
    /// List the plant's assets
    List(AssetListArgs),
    /// Check the plant file: structure, references, zone importance, security level gaps
    Check(AssetCheckArgs),
    /// Discover devices in captures and check them against the plant: flows that break a conduit, unknown
    /// devices, new protocols; list the candidates and merge the chosen ones into the inventory
    Discover(AssetDiscoverArgs),
}

#[derive(Debug, Args)]
pub struct AssetDiscoverArgs {
    /// Capture files (pcap or pcapng)
    #[arg(required = true)]
    pub captures: Vec<PathBuf>,
    #[command(flatten)]
    pub plant: PlantArg,
    /// Merge these candidates (by the id the listing shows) into the plant's inventory
    #[arg(long = "merge", value_name = "ID")]
    pub merge: Vec<String>,
    /// Merge every candidate
    #[arg(long, conflicts_with = "merge")]
    pub merge_all: bool,
    /// Show what a merge would change without writing the plant file
    #[arg(long)]
    pub dry_run: bool,
    /// An IEEE OUI registry CSV for MAC vendors (default: the system's, when installed)
    #[arg(long, value_name = "FILE")]
    pub oui: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct PlantArg {
    /// The plant file (format cpsf-plant/1)
    #[arg(long, default_value = "plant.yaml", value_name = "FILE")]
    pub plant: PathBuf,
}

#[derive(Debug, Args)]
pub struct AssetImportArgs {
    /// CSV or XLSX files (also XLS, XLSB, ODS)
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub plant: PlantArg,
    /// Column mapping (YAML: `columns: {header: field}`, optional `sheet`, `header_row`)
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// Read only this sheet of a workbook
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// The import's date for provenance [default: today]
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
    /// Report what would change without writing the plant file
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AssetExportFormat {
    Csv,
    Xlsx,
    /// CycloneDX 1.6 JSON with one `device` component per asset
    Hbom,
}

#[derive(Debug, Args)]
pub struct AssetExportArgs {
    #[command(flatten)]
    pub plant: PlantArg,
    #[arg(long, value_enum, default_value_t = AssetExportFormat::Csv)]
    pub format: AssetExportFormat,
    /// Header language for CSV and XLSX
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Output file [default: standard output, except for XLSX which needs -o]
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AssetListArgs {
    #[command(flatten)]
    pub plant: PlantArg,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct AssetCheckArgs {
    #[command(flatten)]
    pub plant: PlantArg,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Debug, Subcommand)]
pub enum CsafCommand {
    /// Match CSAF 2.0 advisories to the plant's assets by vendor, model number, name, version range, CPE and serial
    Match(CsafMatchArgs),
}

#[derive(Debug, Args)]
pub struct CsafMatchArgs {
    /// CSAF 2.0 JSON documents
    #[arg(required = true)]
    pub advisories: Vec<PathBuf>,
    #[command(flatten)]
    pub plant: PlantArg,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Debug, Subcommand)]
pub enum PcapCommand {
    /// Read pcap/pcapng captures and report the devices seen (vendor, model, firmware, serial number, name from
    /// Modbus, EtherNet/IP, S7comm, BACnet, PROFINET DCP, OPC UA, DNP3, IEC 104, MQTT, LLDP, SNMP, DHCP, ARP),
    /// each fact with the frames that stated it, and the communication matrix
    Discover(PcapDiscoverArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PcapFormat {
    /// Devices, then the communication matrix, then the counts
    Table,
    /// Everything, in cpsf's documented JSON shape
    Json,
    /// Devices as CSV (the communication matrix with --flows)
    Csv,
    /// CycloneDX 1.6 JSON with one `device` component per device, checked against the official schema
    #[value(alias = "cdx")]
    Cyclonedx,
}

#[derive(Debug, Args)]
pub struct PcapDiscoverArgs {
    /// Capture files (pcap or pcapng; Ethernet, VLAN, Linux cooked, raw IP)
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Output format
    #[arg(short, long, value_enum, default_value_t = PcapFormat::Table)]
    pub format: PcapFormat,
    /// Write the communication matrix as the CSV output instead of the devices
    #[arg(long)]
    pub flows: bool,
    /// Write to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// IEEE OUI registry CSV for MAC vendors (default: /usr/share/ieee-data/oui.csv when present, else cpsf's
    /// own table of industrial vendors)
    #[arg(long, value_name = "FILE")]
    pub oui: Option<PathBuf>,
    /// Byte-identical CycloneDX output across runs: fixed timestamp (SOURCE_DATE_EPOCH, else the Unix epoch) and
    /// a serial number derived from the content
    #[arg(long)]
    pub reproducible: bool,
}

/// `cpsf demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The data directory to create (the store server.db and the advisory database advisories.db)
    #[arg(long, default_value = "cpsf-demo", value_name = "DIR")]
    pub data_dir: PathBuf,
    /// Replace the store and advisory database of an existing demo directory (other files are left alone)
    #[arg(long)]
    pub force: bool,
    /// Read the password of the `demo` user from the first line of standard input instead of generating one
    #[arg(long)]
    pub password_stdin: bool,
}
