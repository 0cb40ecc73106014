//! Gradle parsers: `gradle.lockfile` (Gradle 6+), the per-configuration `gradle/dependency-locks/*.lockfile`
//! of Gradle 4.8 to 5, and `gradle/verification-metadata.xml`, with broken files and bad entries.
//!
//! Each fixture directory under `tests/data/gradle/` holds the file and `expected.txt`, a plain rendering of what
//! the parser returns. `CPSF_BLESS=1` rewrites `expected.txt` (review the diff before keeping it).

use crate::common;

use cpsf_inventory::LockfileKind;

fn lock(scenario: &str, path: &str) -> String {
    common::check(LockfileKind::GradleLockfile, "gradle", scenario, path)
}

fn verification(scenario: &str) -> String {
    common::check(LockfileKind::GradleVerificationMetadata, "gradle", scenario, "gradle/verification-metadata.xml")
}

#[test]
fn lockfile_scopes_from_configurations() {
    let out = lock("lockfile", "gradle.lockfile");
    // Needed at run time: required, whatever else also uses it.
    assert!(out.contains("component pkg:maven/ch.qos.logback/logback-classic@1.4.14\n  at gradle.lockfile:Some(4) direct=None scope=Some(Required)\n"));
    // Only annotation processing and compilation: still not a test configuration.
    assert!(out.contains("component pkg:maven/org.projectlombok/lombok@1.18.30\n  at gradle.lockfile:Some(17) direct=None scope=Some(Required)\n"));
    // Only test configurations, including a test suite's (`integrationTest…`).
    assert!(out.contains("component pkg:maven/org.junit.jupiter/junit-jupiter-engine@5.10.1\n  at gradle.lockfile:Some(14) direct=None scope=Some(Dev)\n"));
    assert!(out.contains("component pkg:maven/org.testcontainers/testcontainers@1.19.3\n  at gradle.lockfile:Some(19) direct=None scope=Some(Dev)\n"));
    assert!(out.contains(
        "component pkg:maven/net.java.dev.jna/jna@5.13.0\n  at gradle.lockfile:Some(11) direct=None scope=Some(Dev)\n"
    ));
    // Platforms are modules like any other.
    assert!(out.contains("component pkg:maven/com.fasterxml.jackson/jackson-bom@2.15.3\n"));
    // `empty=` names configurations, not a module; no edges in a lock.
    assert!(!out.contains("empty"));
    assert!(!out.contains("depends"));
    assert!(!out.contains("diagnostic"));
    assert_eq!(out.lines().filter(|l| l.starts_with("component ")).count(), 16);
}

#[test]
fn legacy_per_configuration_lockfiles() {
    let path = "gradle/dependency-locks/compileClasspath.lockfile";
    let out = lock("legacy-per-configuration", path);
    assert!(out.contains(&format!(
        "component pkg:maven/com.google.guava/guava@28.1-jre\n  at {path}:Some(7) direct=None scope=Some(Required)\n"
    )));
    assert!(
        out.contains(
            "component pkg:maven/com.google.guava/listenablefuture@9999.0-empty-to-avoid-conflict-with-guava\n"
        )
    );
    assert_eq!(out.lines().filter(|l| l.starts_with("component ")).count(), 8);
    assert!(!out.contains("diagnostic"));

    // The configuration is named by the file: a test one makes every module dev.
    let source = common::load_fixture("gradle", "legacy-per-configuration");
    let test_path = "gradle/dependency-locks/testRuntimeClasspath.lockfile";
    let test = common::render(&common::parse(LockfileKind::GradleLockfile, test_path, &source));
    assert_eq!(
        test,
        format!(
            "component pkg:maven/com.google.guava/guava@28.1-jre\n  at {test_path}:Some(4) direct=None scope=Some(Dev)\n\
             component pkg:maven/junit/junit@4.12\n  at {test_path}:Some(5) direct=None scope=Some(Dev)\n\
             component pkg:maven/org.hamcrest/hamcrest-core@1.3\n  at {test_path}:Some(6) direct=None scope=Some(Dev)\n"
        )
    );
}

#[test]
fn lockfile_bad_lines_are_skipped() {
    let out = lock("bad-lines", "gradle.lockfile");
    // Listed twice, for compile and for tests: one component, required, found on both lines.
    assert!(out.contains("component pkg:maven/com.squareup.okio/okio@3.6.0\n  at gradle.lockfile:Some(4) gradle.lockfile:Some(10) direct=None scope=Some(Required)\n"));
    // Spaces around `=` and `,` are tolerated.
    assert!(out.contains("component pkg:maven/org.jetbrains.kotlin/kotlin-stdlib@1.9.20\n  at gradle.lockfile:Some(13) direct=None scope=Some(Required)\n"));
    // No configuration listed: the scope is not known.
    assert!(out.contains(
        "component pkg:maven/org.jetbrains/annotations@13.0\n  at gradle.lockfile:Some(9) direct=None scope=None\n"
    ));
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(5): line skipped: expected `GROUP:NAME:VERSION` coordinates, found `com.squareup.okhttp3:okhttp`"));
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(6): line skipped: expected `GROUP:NAME:VERSION=CONFIGURATIONS`, found `com.squareup.moshi:moshi:1.15.0`"));
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(7): line skipped: `:kotlin-stdlib:1.9.20` has an empty group, name or version"));
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(8): line skipped: expected `GROUP:NAME:VERSION` coordinates, found `org.jetbrains.kotlin:kotlin-stdlib-jdk8:1.9.20:extra`"));
    assert_eq!(out.lines().filter(|l| l.starts_with("component ")).count(), 3);
    assert_eq!(out.matches("diagnostic ").count(), 4);
}

#[test]
fn verification_metadata_components_and_main_artifact_hashes() {
    let out = verification("verification-metadata");
    let path = "gradle/verification-metadata.xml";
    // The jar's checksum and its also-trust alternative; not the POM's, module's or sources'.
    assert!(out.contains(&format!(
        "component pkg:maven/com.google.guava/guava@33.2.1-jre\n  at {path}:Some(23) direct=None scope=None\n  \
         hash SHA-256 dcb6de0703b4ab7ed013e50181d960e9558c1530a493afbb8b64cb580fac27cd\n  \
         hash SHA-256 8995efeba9032050d09c5892503e12b47fa42f93ceaf2ffbf3e0b6e9aba45ee6\ncomponent "
    )));
    assert!(!out.contains("ebc57f4590641e1f037860cf29ae36563d8b6da25a43a846eb31e7ea468c6414"), "module checksum");
    assert!(!out.contains("ce9da201e0c0d1a0dc00f0e71a714a16e81c1aad236d31def0b9d2993134b65a"), "pom checksum");
    assert!(!out.contains("b3adf32b1cc8fa650bdf6593d1b61b4b171b2f3a9f889eeaf77ee09a4496e0ed"), "sources checksum");
    // Several algorithms of one file; a pgp key is not a checksum.
    assert!(out.contains(
        "component pkg:maven/org.jetbrains.kotlin/kotlin-stdlib@1.9.24\n  at gradle/verification-metadata.xml:Some(61) direct=None scope=None\n  \
         hash SHA-256 88dc10da5bffacefd697312bba82af983eadec108b08c3ce052e96819b8ac3e6\n  hash SHA-512 dfeb63cc"
    ));
    assert!(!out.contains("8756c4f765c9ac3cb6b85d62379ce192d401ab61"));
    // Android archives are main artifacts too.
    assert!(out.contains("component pkg:maven/androidx.core/core@1.13.1\n  at gradle/verification-metadata.xml:Some(15) direct=None scope=None\n  hash SHA-256 a84bba07931db925306a0799dc6ebd718b8c764d1c0acb3dea13519a60a077bb\n"));
    // POM-only components (parent POM, BOM, plugin marker) keep their POM's checksum.
    assert!(out.contains("component pkg:maven/com.google.guava/guava-parent@33.2.1-jre\n  at gradle/verification-metadata.xml:Some(39) direct=None scope=None\n  hash SHA-256 7afceaa86dc3f3464849a845d1f7c3a0579f09222a2bed27a584d21b54fa8973\n"));
    assert!(out.contains("component pkg:maven/org.junit/junit-bom@5.10.2\n  at gradle/verification-metadata.xml:Some(76) direct=None scope=None\n  hash SHA-256 8c6daa9b7fcd3ce2818f26ff6bff254199c973226b722641b0e812e92776e205\n"));
    assert!(out.contains("component pkg:maven/org.jetbrains.kotlin.jvm/org.jetbrains.kotlin.jvm.gradle.plugin@1.9.24\n  at gradle/verification-metadata.xml:Some(71) direct=None scope=None\n  hash SHA-256 ebd0bd6ba93e3c411a056d753e37876d6dd9f9b9f5f9707d5bbd933e4a241d65\n"));
    // A snapshot's files carry its timestamp; SHA-1 and MD5 are kept as written.
    assert!(out.contains("component pkg:maven/com.acme/shared-model@2.1.0-SNAPSHOT\n  at gradle/verification-metadata.xml:Some(44) direct=None scope=None\n  hash SHA-1 381f412a0a4f9fa423350b233931da53f50a0be5\n  hash MD5 "));
    // Only a classified file besides the POM: the component's own file is not listed, so no checksum.
    assert!(out.contains("component pkg:maven/io.netty/netty-transport-native-epoll@4.1.110.Final\n  at gradle/verification-metadata.xml:Some(53) direct=None scope=None\ncomponent"));
    // Trusted artifacts and keys of <configuration> are not components.
    assert!(!out.contains("com.example.internal"));
    assert!(!out.contains("diagnostic"));
    assert_eq!(out.lines().filter(|l| l.starts_with("component ")).count(), 8);
}

#[test]
fn verification_metadata_bad_entries() {
    let out = verification("verification-bad-entries");
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(8): component skipped: expected `group`, `name` and `version` attributes"));
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(15): sha256 checksum of slf4j-simple-2.0.13.jar (org.slf4j:slf4j-simple:2.0.13) skipped: expected 64 hex digits"));
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(17): sha1 checksum of slf4j-simple-2.0.13.jar (org.slf4j:slf4j-simple:2.0.13) skipped: expected 40 hex digits, found `not-a-checksum`"));
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(25): component skipped: expected `group`, `name` and `version` attributes"));
    // The good SHA-1 stays; an unknown algorithm element is ignored.
    assert!(out.contains("component pkg:maven/org.slf4j/slf4j-simple@2.0.13\n  at gradle/verification-metadata.xml:Some(13) direct=None scope=None\n  hash SHA-1 "));
    assert!(!out.contains("SHA3"));
    // Upper-case hex is accepted and kept in lower case.
    assert!(out.contains("component pkg:maven/com.squareup.okio/okio@3.9.0\n  at gradle/verification-metadata.xml:Some(26) direct=None scope=None\n  hash SHA-256 "));
    // Only Gradle module metadata: no POM, no main artifact, so no checksum.
    assert!(out.contains("component pkg:maven/org.jetbrains.kotlinx/kotlinx-coroutines-core@1.8.1\n  at gradle/verification-metadata.xml:Some(31) direct=None scope=None\ncomponent"));
    assert!(!out.contains("ed7b9bbb"));
    assert!(out.contains("  hash SHA-256 359de37f11e9577d7d5abfdcb64f3f0468e068a29301ffdb801678332777c027\n"));
    assert_eq!(out.lines().filter(|l| l.starts_with("component ")).count(), 3);
}

#[test]
fn verification_metadata_broken_files_name_the_line() {
    let out = verification("verification-broken");
    assert!(out.starts_with("error unsupported=false line=Some(7): invalid XML"), "{out}");
    assert_eq!(
        verification("verification-wrong-root"),
        "error unsupported=false line=Some(2): expected Gradle verification metadata with a <verification-metadata> root, found <project>\n"
    );
}

/// Damaged copies of every fixture (prefixes, a line removed) parse or fail cleanly.
#[test]
fn damaged_inputs_never_panic() {
    assert!(common::assert_damage_tolerant("gradle", 3) > 100);
}
