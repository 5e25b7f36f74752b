//! attestor: check security claims against the real state of an AWS account.
//!
//! The pipeline, one module each: [`policy`] (YAML policies, parsed with spans) → [`inventory`]
//! (configuration items from a snapshot) → [`eval`] (findings, no I/O) → [`report`] (output
//! formats). [`lint`] checks policies against the resource schema and control catalogs; [`cli`] is a
//! thin layer over all of it.

// A Diagnostic (message, span, label, help) is ~128 bytes; it only travels on the cold error path.
#![allow(clippy::result_large_err)]

pub mod cli;
#[cfg(feature = "live")]
pub mod collect;
pub mod controls;
pub mod diagnostics;
pub mod duration;
pub mod eval;
pub mod inventory;
pub mod json;
pub mod lint;
pub mod policy;
pub mod policytest;
pub mod questionnaire;
pub mod report;
pub mod resource_schema;
#[cfg(test)]
mod testing;
pub mod waivers;

/// Files compiled into the binary by build.rs.
mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

pub const TOOL_NAME: &str = "attestor";
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
