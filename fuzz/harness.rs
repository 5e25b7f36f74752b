#![allow(dead_code)] // each target uses one of these functions
//! What each fuzz target does with its input, shared by the targets (`fuzz_targets/`) and by the
//! replay test (`tests/fuzz_corpus.rs`), so CI runs every committed input through exactly the
//! code the fuzzer ran. Each function feeds the bytes to a loader the way the CLI does, then uses
//! what loaded as the CLI would (lint, evaluate, render every diagnostic and report format).
//! Nothing here may panic, whatever the input: a panic is the bug the fuzzer looks for.

use std::io::sink;
use std::sync::{Arc, OnceLock};

use attestor::diagnostics::{self, Diagnostic, SourceFile};
use attestor::eval::{self, Options};
use attestor::inventory::{self, Inventory};
use attestor::policy::PolicySet;
use attestor::report::{self, Format, RenderOptions, Report};

/// Every report format, in the order `attestor scan --format` lists them.
const FORMATS: [Format; 9] = [
    Format::Table,
    Format::Json,
    Format::Markdown,
    Format::Html,
    Format::Sarif,
    Format::Junit,
    Format::Oscal,
    Format::Csv,
    Format::Jsonl,
];

/// The date every evaluation and expiry is judged on: fixed, so a run is reproducible.
fn as_of() -> jiff::Timestamp {
    "2026-06-01T00:00:00Z".parse().expect("a valid timestamp")
}

fn builtin() -> &'static PolicySet {
    static SET: OnceLock<PolicySet> = OnceLock::new();
    SET.get_or_init(|| attestor::policy::load::builtin().0)
}

/// A small real inventory (the shipped non-compliant fixture) for fuzzed policies to run over.
fn fixture_inventory() -> &'static Inventory {
    static INVENTORY: OnceLock<Inventory> = OnceLock::new();
    INVENTORY.get_or_init(|| {
        let bytes = include_bytes!("../fixtures/noncompliant.snapshot.json");
        inventory::parse_snapshot("noncompliant.snapshot.json", bytes)
            .expect("the shipped fixture loads")
            .inventory
    })
}

/// Renders diagnostics both ways the CLI can: their spans must lie inside their files.
fn show(diagnostics: &[Diagnostic]) {
    let _ = diagnostics::render_human(diagnostics, false);
    let _ = diagnostics::render_json(diagnostics);
}

/// Evaluates `set` over `inventory` and writes the report in one format, picked by the input's
/// length: rendering every format for every input would spend most of the fuzzer's time on the
/// same report; the `report` target renders all of them for each input.
fn evaluate_and_render(set: &PolicySet, inventory: &Inventory, data: &[u8]) {
    let options = Options {
        as_of: Some(as_of()),
        ..Options::default()
    };
    match eval::evaluate(set, inventory, &options) {
        Ok(evaluation) => render_one(&Report::new(set, inventory, evaluation), data),
        Err(diagnostics) => show(&diagnostics),
    }
}

fn render_one(report: &Report, data: &[u8]) {
    let format = FORMATS[data.len() % FORMATS.len()];
    let options = RenderOptions {
        color: false,
        max_rows: Some(3),
    };
    let _ = report::render_to(report, format, &options, &mut sink());
}

fn render_all(report: &Report) {
    let options = RenderOptions {
        color: false,
        max_rows: Some(3),
    };
    for format in FORMATS {
        let _ = report::render_to(report, format, &options, &mut sink());
    }
}

/// A policy file: parsed, linted, and (when valid) evaluated over a small inventory. The same
/// text is also read as a policy unit-test file (`*.test.yaml`) and run against the policies.
pub fn policy(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = SourceFile::new("fuzz.yaml", text);
    let (set, diagnostics) = attestor::policy::load::from_sources(vec![Arc::clone(&file)]);
    let diagnostics = attestor::lint::lint(&set, diagnostics);
    show(&diagnostics);
    if !diagnostics::has_errors(&diagnostics) {
        evaluate_and_render(&set, fixture_inventory(), data);
    }
    let test_file = SourceFile::new("fuzz.test.yaml", text);
    let (test, diagnostics) = attestor::policytest::parse(&test_file);
    show(&diagnostics);
    if let Some(test) = test {
        let (_, diagnostics) = attestor::policytest::run(&test, builtin());
        show(&diagnostics);
    }
}

/// A snapshot (attestor's format or any of AWS Config's): loaded keeping what the built-in
/// policies read, as `attestor scan --snapshot` does, then evaluated and reported.
pub fn snapshot(data: &[u8]) {
    let keep = eval::keep_for(builtin());
    match inventory::parse_snapshot_keeping("fuzz.json", data, &keep) {
        Ok(loaded) => {
            show(&loaded.warnings);
            evaluate_and_render(builtin(), &loaded.inventory, data);
        }
        Err(diagnostic) => show(&[diagnostic]),
    }
}

/// A snapshot file as the CLI opens it: gzip-compressed or plain, read through the streaming
/// reader (the fuzzer's bytes are written to a scratch file first).
pub fn snapshot_file(data: &[u8]) {
    let path = scratch_path("snapshot.json.gz");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let keep = eval::keep_for(builtin());
    let loaded = inventory::load_snapshot_keeping(&path, &keep);
    let _ = std::fs::remove_file(&path);
    match loaded {
        Ok(loaded) => {
            show(&loaded.warnings);
            evaluate_and_render(builtin(), &loaded.inventory, data);
        }
        Err(diagnostic) => show(&[diagnostic]),
    }
}

/// One scratch file per process and name (fuzzers may run several processes side by side).
fn scratch_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("attestor-fuzz-{}-{name}", std::process::id()))
}

/// A Terraform plan (`terraform show -json`), evaluated with the built-in policies.
pub fn terraform_plan(data: &[u8]) {
    match inventory::terraform::parse_terraform_plan("fuzz.plan.json", data) {
        Ok(loaded) => {
            show(&loaded.warnings);
            evaluate_and_render(builtin(), &loaded.inventory, data);
        }
        Err(diagnostic) => show(&[diagnostic]),
    }
}

/// A waivers file: parsed, checked against the built-in policy IDs, and applied to a scan.
pub fn waivers(data: &[u8]) {
    let file = match diagnostics::source_from_bytes("fuzz.waivers.yaml".into(), data.to_vec()) {
        Ok(file) => file,
        Err(diagnostic) => return show(&[diagnostic]),
    };
    let (waivers, diagnostics) = attestor::waivers::parse(&file);
    show(&diagnostics);
    let ids: Vec<&str> = builtin()
        .policies
        .iter()
        .map(|p| p.id.value.as_str())
        .collect();
    let day = as_of().to_zoned(jiff::tz::TimeZone::UTC).date();
    show(&waivers.check(&ids, day, false));
    let options = Options {
        as_of: Some(as_of()),
        waivers: waivers.active(day),
        ..Options::default()
    };
    if let Ok(evaluation) = eval::evaluate(builtin(), fixture_inventory(), &options) {
        render_one(
            &Report::new(builtin(), fixture_inventory(), evaluation),
            data,
        );
    }
}

/// An attestations file: parsed and checked against the built-in manual claims.
pub fn attestations(data: &[u8]) {
    let file = match diagnostics::source_from_bytes("fuzz.attestations.yaml".into(), data.to_vec())
    {
        Ok(file) => file,
        Err(diagnostic) => return show(&[diagnostic]),
    };
    let (attestations, diagnostics) = attestor::questionnaire::attestations::parse(&file);
    show(&diagnostics);
    let claims: Vec<&str> = builtin()
        .manual
        .iter()
        .map(|c| c.id.value.as_str())
        .collect();
    let day = as_of().to_zoned(jiff::tz::TimeZone::UTC).date();
    show(&attestations.check(&claims, Some(day)));
    for attestation in &attestations.items {
        let _ = attestation.describe();
    }
}

/// A JSON report, as `attestor report` reads it, re-rendered in every format.
pub fn report(data: &[u8]) {
    match report::parse_json("fuzz.report.json", data) {
        Ok(report) => render_all(&report),
        Err(diagnostic) => show(&[diagnostic]),
    }
}
