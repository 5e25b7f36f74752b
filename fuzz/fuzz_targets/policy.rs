#![no_main]
//! See `fuzz/harness.rs`: what the target feeds its input to.

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::policy(data));
