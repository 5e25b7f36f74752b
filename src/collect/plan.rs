//! What a live run collects: what the loaded policies read, and nothing else.
//!
//! Most of a live scan's calls are per-resource settings (five per S3 bucket, two per KMS key):
//! a call whose answer no loaded policy reads costs time and API quota for nothing. The plan is
//! built from the policies' property paths (their own and their `related` lookups'); a collector
//! asks it before each call, and a call it skips is recorded as a [`NOT_COLLECTED`] collection
//! error naming the operation, the types and the properties it would have filled. A policy that
//! later reads that data from the snapshot gets `error` saying it was not collected, never a
//! verdict on data that was never read.

use std::collections::{BTreeMap, BTreeSet};

use crate::inventory::paths_overlap;
use crate::resource_schema::ANY_TYPE;

/// The error code of data a run chose not to collect.
pub use crate::inventory::NOT_COLLECTED;

/// The types and property paths a run reads.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// None: collect everything (a snapshot for any later policies).
    reads: Option<Reads>,
}

#[derive(Debug, Clone, Default)]
struct Reads {
    /// Full property paths read, by resource type.
    by_type: BTreeMap<String, BTreeSet<String>>,
    /// Paths read by policies over every type (`*`).
    every_type: BTreeSet<String>,
    /// A policy over `*` lists every type.
    any_type: bool,
}

impl Plan {
    /// Collect every type and every setting.
    pub fn everything() -> Self {
        Plan { reads: None }
    }

    /// Collect nothing until [`Plan::read_type`] and [`Plan::read`] say what.
    pub fn only_read() -> Self {
        Plan {
            reads: Some(Reads::default()),
        }
    }

    pub fn is_everything(&self) -> bool {
        self.reads.is_none()
    }

    /// Some policy reads resources of `resource_type` (`*`: of every type).
    pub fn read_type(&mut self, resource_type: &str) {
        if let Some(reads) = &mut self.reads {
            if resource_type == ANY_TYPE {
                reads.any_type = true;
            } else {
                reads.by_type.entry(resource_type.to_string()).or_default();
            }
        }
    }

    /// Some policy reads `path` (a full property path) of `resource_type` (`*`: of every type).
    pub fn read(&mut self, resource_type: &str, path: &str) {
        self.read_type(resource_type);
        if let Some(reads) = &mut self.reads {
            if resource_type == ANY_TYPE {
                reads.every_type.insert(path.to_string());
            } else if let Some(paths) = reads.by_type.get_mut(resource_type) {
                paths.insert(path.to_string());
            }
        }
    }

    /// Whether resources of `resource_type` are listed at all.
    pub fn wants_type(&self, resource_type: &str) -> bool {
        match &self.reads {
            None => true,
            Some(reads) => reads.any_type || reads.by_type.contains_key(resource_type),
        }
    }

    /// Whether any of `properties` of `resource_type` is read (a path through it, or the whole
    /// of something it is part of).
    pub fn wants(&self, resource_type: &str, properties: &[&str]) -> bool {
        let Some(reads) = &self.reads else {
            return true;
        };
        if !self.wants_type(resource_type) {
            return false;
        }
        let own = reads.by_type.get(resource_type).into_iter().flatten();
        own.chain(&reads.every_type)
            .any(|path| properties.iter().any(|p| paths_overlap(path, p)))
    }

    /// Whether some policy reads any of `types` (a listing of them is worth a call).
    pub fn wants_any(&self, types: &[&str]) -> bool {
        types.iter().any(|t| self.wants_type(t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_wants_everything() {
        let plan = Plan::everything();
        assert!(plan.wants_type("AWS::S3::Bucket"));
        assert!(plan.wants("AWS::S3::Bucket", &["tags"]));
    }

    #[test]
    fn a_setting_is_wanted_when_a_read_path_goes_through_it_or_contains_it() {
        let mut plan = Plan::only_read();
        plan.read(
            "AWS::S3::Bucket",
            "supplementaryConfiguration.ServerSideEncryptionConfiguration.rules",
        );
        plan.read("AWS::KMS::Key", "supplementaryConfiguration");
        let bucket = "AWS::S3::Bucket";
        assert!(plan.wants(
            bucket,
            &["supplementaryConfiguration.ServerSideEncryptionConfiguration"]
        ));
        assert!(!plan.wants(
            bucket,
            &["supplementaryConfiguration.BucketVersioningConfiguration"]
        ));
        assert!(!plan.wants(bucket, &["tags"]));
        // A read of the whole supplementary object needs every setting in it.
        assert!(plan.wants(
            "AWS::KMS::Key",
            &["supplementaryConfiguration.KeyRotationStatus"]
        ));
        // A prefix of a name is not a path through it.
        assert!(!plan.wants(bucket, &["supplementaryConfiguration.ServerSideEncryption"]));
        assert!(!plan.wants_type("AWS::RDS::DBInstance"));
        assert!(plan.wants_any(&["AWS::S3::Bucket", "AWS::RDS::DBInstance"]));
        assert!(!plan.wants_any(&["AWS::RDS::DBInstance"]));
    }

    #[test]
    fn a_type_read_without_paths_is_listed_but_its_settings_are_not_fetched() {
        let mut plan = Plan::only_read();
        plan.read_type("AWS::S3::Bucket");
        assert!(plan.wants_type("AWS::S3::Bucket"));
        assert!(!plan.wants("AWS::S3::Bucket", &["tags"]));
    }

    #[test]
    fn a_policy_over_every_type_lists_every_type_and_reads_its_paths_on_each() {
        let mut plan = Plan::only_read();
        plan.read(ANY_TYPE, "tags.owner");
        assert!(plan.wants_type("AWS::RDS::DBInstance"));
        assert!(plan.wants("AWS::S3::Bucket", &["tags"]));
        assert!(!plan.wants(
            "AWS::S3::Bucket",
            &["supplementaryConfiguration.BucketVersioningConfiguration"]
        ));
    }
}
