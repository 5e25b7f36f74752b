//! The parse floor for scale benchmarks (scripts/bench-scale): read one snapshot file (`.json` or
//! `.json.gz`) and parse it whole into `serde_json::Value`, with attestor's serde_json features
//! (`preserve_order`). No attestor code runs; a scan cannot read its input faster than this.
//!
//!     cargo bench --no-default-features --bench parse_floor -- FILE
//!
//! Prints seconds for read and parse, and the number of configuration items.

use std::io::Read;
use std::time::Instant;

fn main() {
    // `cargo bench` passes `--bench`; the first other argument is the file.
    // `cargo test --all-targets` runs it without a file: there is nothing to time then.
    let Some(path) = std::env::args().skip(1).find(|a| !a.starts_with("--")) else {
        println!("parse_floor: no file given, nothing to time (usage: parse_floor FILE)");
        return;
    };
    let start = Instant::now();
    let mut bytes = std::fs::read(&path).unwrap_or_else(|e| {
        eprintln!("cannot read {path}: {e}");
        std::process::exit(2);
    });
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut text = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes.as_slice())
            .read_to_end(&mut text)
            .expect("gzip");
        bytes = text;
    }
    let read = start.elapsed().as_secs_f64();
    let value: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
    let total = start.elapsed().as_secs_f64();
    let items = value
        .get("configurationItems")
        .and_then(serde_json::Value::as_array)
        .map_or(0, Vec::len);
    println!(
        "read {read:.3} s, parse {:.3} s, total {total:.3} s, {items} items",
        total - read
    );
}
