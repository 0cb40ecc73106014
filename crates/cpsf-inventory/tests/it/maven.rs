//! Maven `pom.xml` parser: declared dependencies, interpolation, parents and BOMs found in the tree,
//! multi-module projects, and broken files.
//!
//! Each fixture directory under `tests/data/maven/` is a small source tree; the POM named in each test is parsed
//! with the rest of the directory visible as the tree, and the result is compared with `expected.txt`.

use crate::common;

use cpsf_inventory::LockfileKind;

fn check(scenario: &str, pom: &str) -> String {
    common::check(LockfileKind::MavenPom, "maven", scenario, pom)
}

/// Parse another POM of a fixture tree (no expected.txt) and render it.
fn render_other(scenario: &str, pom: &str) -> String {
    let source = common::load_fixture("maven", scenario);
    common::render(&common::parse(LockfileKind::MavenPom, pom, &source))
}

#[test]
fn declared_dependencies_with_properties_scopes_and_qualifiers() {
    let out = check("declared", "pom.xml");
    // Versions written in the POM, directly or through (nested) properties.
    assert!(out.contains("component pkg:maven/com.google.guava/guava@33.2.1-jre\n  at pom.xml:Some(24) pom.xml:Some(103) direct=Some(true) scope=Some(Required)\n"));
    assert!(out.contains("component pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.17.1\n"));
    assert!(out.contains("component pkg:maven/org.slf4j/slf4j-api@2.0.13\n"));
    assert!(out.contains("component pkg:maven/com.example.billing/invoice-model@2.4.1\n"), "${{project.version}}");
    // Scopes: runtime is required; test, provided and system are dev; optional is optional.
    assert!(out.contains("component pkg:maven/ch.qos.logback/logback-classic@1.5.6\n  at pom.xml:Some(40) direct=Some(true) scope=Some(Required)"));
    assert!(out.contains("component pkg:maven/jakarta.servlet/jakarta.servlet-api@6.0.0\n  at pom.xml:Some(46) direct=Some(true) scope=Some(Dev)"));
    assert!(out.contains("component pkg:maven/com.oracle.database.jdbc/ojdbc11@23.4.0.24.05\n  at pom.xml:Some(70) direct=Some(true) scope=Some(Dev)"));
    assert!(out.contains("component pkg:maven/org.projectlombok/lombok@1.18.32\n  at pom.xml:Some(52) direct=Some(true) scope=Some(Optional)"));
    assert!(out.contains("component pkg:maven/org.junit.jupiter/junit-jupiter@5.10.2\n  at pom.xml:Some(82) direct=Some(true) scope=Some(Dev)"));
    // Classifier and type become qualifiers; `jar` is the default and is not written.
    assert!(out.contains(
        "component pkg:maven/io.netty/netty-tcnative-boringssl-static@2.0.65.Final?classifier=linux-x86_64\n"
    ));
    assert!(out.contains("component pkg:maven/org.apache.groovy/groovy-all@4.0.21?type=pom\n"));
    assert!(out.contains("component pkg:maven/org.apache.hadoop/hadoop-common@3.4.0?type=test-jar\n"));
    assert!(out.contains("component pkg:maven/org.apache.kafka/kafka-clients@3.7.0?classifier=test\n"));
    // Plugin dependencies and profile dependencies are not the project's dependencies.
    assert!(!out.contains("junit-platform-launcher"));
    assert!(!out.contains("postgresql"));
    assert!(!out.contains("invoice-service"), "the project itself is not a component");
    assert!(!out.contains("diagnostic"));
    assert_eq!(out.matches("component ").count(), 13);
}

#[test]
fn multi_module_parent_bom_import_and_siblings() {
    let out = check("multi-module", "web/pom.xml");
    // Sibling modules (jar and test-jar) are not external components; the module itself is not either.
    assert!(!out.contains("shop-core"));
    assert!(!out.contains("shop-web"));
    assert!(!out.contains("shop-parent"));
    // ${project.parent.version}
    assert!(out.contains("component pkg:maven/com.acme.shop/shop-client@1.3.0-SNAPSHOT\n"));
    // The module's own property wins over the parent's.
    assert!(out.contains("component pkg:maven/org.springframework/spring-webmvc@6.1.10\n"));
    // Managed in the BOM imported by the parent, interpolated with the BOM's own properties.
    assert!(out.contains("component pkg:maven/io.netty/netty-codec-http@4.1.110.Final\n  at web/pom.xml:Some(41) direct=Some(true) scope=Some(Required)"));
    // The parent's own management wins over the imported BOM's 3.12.0; the written scope wins over none.
    assert!(out.contains("component pkg:maven/org.apache.commons/commons-lang3@3.14.0\n  at web/pom.xml:Some(45) direct=Some(true) scope=Some(Required)"));
    // Scopes come from dependencyManagement when the dependency has none.
    assert!(out.contains("component pkg:maven/jakarta.servlet/jakarta.servlet-api@6.0.0\n  at web/pom.xml:Some(50) direct=Some(true) scope=Some(Dev)"));
    assert!(out.contains("component pkg:maven/org.mockito/mockito-core@5.12.0\n  at web/pom.xml:Some(54) direct=Some(true) scope=Some(Dev)"));
    // Management is keyed by classifier too.
    assert!(out.contains("component pkg:maven/io.netty/netty-handler@4.1.109.Final?classifier=sources\n"));
    assert!(!out.contains("diagnostic"));
    assert_eq!(out.matches("component ").count(), 7);

    let core = render_other("multi-module", "core/pom.xml");
    assert!(core.contains("component pkg:maven/io.netty/netty-handler@4.1.110.Final\n  at core/pom.xml:Some(16) direct=Some(true) scope=Some(Required)"), "{core}");
    assert!(core.contains("component pkg:maven/org.apache.commons/commons-lang3@3.14.0\n"), "{core}");
    assert!(core.contains("component pkg:maven/org.junit.jupiter/junit-jupiter@5.10.2\n  at core/pom.xml:Some(20) direct=Some(true) scope=Some(Dev)"), "{core}");
    assert!(!core.contains("diagnostic"), "{core}");

    let root = render_other("multi-module", "pom.xml");
    assert_eq!(
        root,
        "component pkg:maven/org.slf4j/slf4j-api@2.0.13\n  at pom.xml:Some(64) direct=Some(true) scope=Some(Required)\n"
    );

    // A BOM declares no dependencies of its own.
    assert_eq!(render_other("multi-module", "bom/pom.xml"), "");
}

#[test]
fn parents_found_by_coordinates_across_the_tree() {
    let out = check("parent-by-coordinates", "services/api/pom.xml");
    assert!(out.contains("component pkg:maven/com.google.guava/guava@33.2.1-jre\n"));
    // The grandparent's managed entry, interpolated with the parent's overriding property; its managed scope.
    assert!(out.contains("component pkg:maven/io.grpc/grpc-netty-shaded@1.64.1\n  at services/api/pom.xml:Some(19) direct=Some(true) scope=Some(Required)"));
    assert!(out.contains("component pkg:maven/io.grpc/grpc-stub@1.64.1\n"));
    // Version 7 of the parent, not the version 6 listed first in the tree.
    assert!(out.contains("component pkg:maven/com.google.protobuf/protobuf-java@3.25.3\n"));
    assert!(!out.contains("3.21.12"));
    assert!(!out.contains("diagnostic"));

    // <relativePath> naming a directory; a dependency on another POM of the tree is not a component.
    let worker = render_other("parent-by-coordinates", "services/worker/pom.xml");
    assert_eq!(
        worker,
        "component pkg:maven/com.google.protobuf/protobuf-java@3.25.3\n  at services/worker/pom.xml:Some(21) direct=Some(true) scope=Some(Required)\n"
    );
}

#[test]
fn parent_outside_the_tree_leaves_versions_unknown() {
    let out = check("parent-missing", "pom.xml");
    assert!(out.contains("diagnostic include-missing line=Some(4): parent POM org.springframework.boot:spring-boot-starter-parent:3.3.0 is not in the scanned tree"));
    assert!(out.contains("component pkg:maven/org.springframework.boot/spring-boot-starter-web\n  at pom.xml:Some(20) direct=Some(true) scope=Some(Required)"));
    assert!(out.contains("diagnostic unpinned-requirement line=Some(20): org.springframework.boot:spring-boot-starter-web has no <version>"));
    assert!(out.contains("component pkg:maven/org.springdoc/springdoc-openapi-starter-webmvc-ui@2.5.0\n"));
    // An undefined property: reported without a version, the diagnostic names the <version> line.
    assert!(out.contains("component pkg:maven/com.fasterxml.jackson.core/jackson-databind\n"));
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(32): version `${jackson.version}` of com.fasterxml.jackson.core:jackson-databind uses undefined property ${jackson.version}"));
    assert!(out.contains("component pkg:maven/org.springframework.boot/spring-boot-starter-test\n  at pom.xml:Some(34) direct=Some(true) scope=Some(Dev)"));
}

#[test]
fn bad_entries_are_skipped_or_reported_without_version() {
    let out = check("bad-entries", "pom.xml");
    assert!(out.contains("diagnostic include-missing line=Some(16): imported BOM software.amazon.awssdk:bom:2.25.60 (declared in pom.xml line 16) is not in the scanned tree"));
    assert!(out.contains(
        "diagnostic lockfile-entry-skipped line=Some(32): dependency skipped: expected a <groupId> in <dependency>"
    ));
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(36): dependency skipped: its groupId `${vendor.group}` uses undefined property ${vendor.group}"));
    assert!(out.contains("component pkg:maven/org.apache.httpcomponents.client5/httpclient5@5.3.1\n"));
    assert!(out.contains("component pkg:maven/org.apache.httpcomponents.core5/httpcore5\n"));
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(49): version `${httpcore.version}` of org.apache.httpcomponents.core5:httpcore5 uses undefined property ${httpcore.version}"));
    assert!(out.contains("component pkg:maven/com.squareup.okhttp3/okhttp\n"));
    assert!(out.contains("diagnostic unpinned-requirement line=Some(56): com.squareup.okhttp3:okhttp asks for the version range `[4.9,5.0)`"));
    assert!(out.contains("component pkg:maven/io.micrometer/micrometer-core\n"));
    assert!(out.contains("line=Some(58): the managed version of io.micrometer:micrometer-core (pom.xml line 26) uses undefined property ${micrometer.version}"));
    assert!(out.contains("component pkg:maven/software.amazon.awssdk/s3\n"));
    assert!(out.contains(
        "line=Some(62): software.amazon.awssdk:s3 has no <version> and no managed version in the scanned tree"
    ));
    // An undefined classifier is left out rather than invented.
    assert!(out.contains("component pkg:maven/net.java.dev.jna/jna@5.14.0\n"));
    assert!(out.contains("line=Some(66): dependency classifier `${os.detected.classifier}` uses undefined property ${os.detected.classifier}; the classifier is left out"));
    assert!(out.contains("component pkg:maven/org.jetbrains/annotations@24.1.0\n  at pom.xml:Some(72) direct=Some(true) scope=Some(Optional)"));
    // Coordinates that interpolate to nothing skip the dependency; an empty version is a missing one.
    assert!(out.contains("line=Some(79): dependency skipped: its groupId `${blank.group}` is empty"));
    assert!(out.contains("component pkg:maven/org.yaml/snakeyaml\n"));
    assert!(out.contains("unpinned-requirement line=Some(84): org.yaml:snakeyaml has no <version>"));
    assert!(!out.contains("blank-group"));
    assert!(!out.contains("no-group"));
    assert!(!out.contains("vendor-sdk"));
}

#[test]
fn parent_cycles_are_cut() {
    let out = check("parent-cycle", "a/pom.xml");
    assert!(out.contains("component pkg:maven/commons-io/commons-io@2.16.1\n"));
    // b is still read once: its property resolves.
    assert!(out.contains("component pkg:maven/commons-codec/commons-codec@1.17.0\n"));
    assert!(out.contains("diagnostic include-missing line=None: parent POM org.example.cycle:a:1 of b/pom.xml is a/pom.xml, already part of this POM's parent chain (a cycle)"));
}

#[test]
fn broken_files_name_the_line() {
    let broken = check("broken-xml", "pom.xml");
    assert!(broken.starts_with("error unsupported=false line=Some(11): invalid XML"), "{broken}");
    let unclosed = check("unclosed", "pom.xml");
    assert!(
        unclosed.starts_with(
            "error unsupported=false line=Some(10): invalid XML: the document ends inside <dependency> opened on line 8"
        ),
        "{unclosed}"
    );
    assert_eq!(
        check("not-a-pom", "pom.xml"),
        "error unsupported=false line=Some(3): expected a Maven POM with a <project> root element, found <settings>\n"
    );
}

/// Damaged copies of every fixture (prefixes, a line removed) parse or fail cleanly.
#[test]
fn damaged_inputs_never_panic() {
    assert!(common::assert_damage_tolerant("maven", 3) > 100);
}
