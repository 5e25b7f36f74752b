#![no_main]
//! AWS Config files (snapshot, history, API output): the loader `snapshot` fuzzes decides the
//! format by the top-level keys; this target starts from AWS Config seeds. See `fuzz/harness.rs`.

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::snapshot(data));
