//! Embeds data that ships inside the binary: the built-in policies (so `attestor scan` needs no files),
//! the AWS Config resource schema and attestor's extensions to it. Listing directories here, rather than
//! by hand in the source, means a new policy file cannot be forgotten.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let mut out = String::new();
    embed(&mut out, "BUILTIN_POLICY_FILES", &root, "policies", "yaml");
    embed(
        &mut out,
        "RESOURCE_SCHEMA_FILES",
        &root,
        "data/resource-schema",
        "json",
    );
    embed(
        &mut out,
        "RESOURCE_SCHEMA_EXTENSION_FILES",
        &root,
        "data/resource-schema-extensions",
        "json",
    );
    let dest =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    std::fs::write(dest, out).expect("write embedded.rs");
}

/// Writes `pub static NAME: &[(&str, &str)]` of (path relative to the crate root, file contents).
fn embed(out: &mut String, name: &str, root: &Path, dir: &str, ext: &str) {
    println!("cargo:rerun-if-changed={dir}");
    let mut files = Vec::new();
    collect(&root.join(dir), ext, &mut files);
    files.sort();
    writeln!(out, "pub static {name}: &[(&str, &str)] = &[").unwrap();
    for file in files {
        println!("cargo:rerun-if-changed={}", file.display());
        let relative = file
            .strip_prefix(root)
            .expect("under root")
            .to_string_lossy()
            .replace('\\', "/");
        writeln!(
            out,
            "    ({relative:?}, include_str!({:?})),",
            file.display().to_string()
        )
        .unwrap();
    }
    writeln!(out, "];").unwrap();
}

fn collect(dir: &Path, ext: &str, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            // Policy unit tests and example packs live beside policies but are not built in.
            if path
                .file_name()
                .is_some_and(|n| n == "tests" || n == "examples")
            {
                continue;
            }
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, ext, files);
        } else if path.extension().is_some_and(|e| e == ext)
            && !path.to_string_lossy().ends_with(&format!(".test.{ext}"))
        {
            files.push(path);
        }
    }
}
