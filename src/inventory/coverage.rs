//! What a source records, so that absence is judged against it.
//!
//! "No password policy in the account" is a failure only if the source would have recorded one. A
//! live scan reads every type its collectors cover; an attestor snapshot says what it collected; an
//! AWS Config snapshot covers, per account and region, only the types that appear in it (its
//! recorder may record a subset, and the file does not say which) and never attestor's own data
//! (credential report, password policy, trail status…). Evaluation asks [`Coverage`] before it
//! concludes anything from absence; where the source does not cover the data, the result is
//! `error` with the reason this module words.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::resource_schema::{ANY_TYPE, ResourceSchema};

/// The region key of a coverage entry that stands for every region (a global collector lists S3
/// buckets wherever they live).
pub const ANY_REGION: &str = "*";
/// The region global resources (IAM) are recorded under.
pub const GLOBAL_REGION: &str = "global";

/// One account and region, and the resource types the source records there.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CoverageEntry {
    pub account_id: String,
    /// A region, `global` for global resources, or `*` for every region.
    pub region: String,
    pub resource_types: Vec<String>,
}

/// How a source covers data, for the wording of gaps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Every type everywhere, attestor's own data included: policy unit tests state their world.
    Complete,
    /// attestor's collectors: live, or an attestor snapshot.
    Attestor,
    /// An AWS Config snapshot or history file.
    AwsConfig,
    /// A Terraform plan: it declares some resources and says nothing of the rest of the account,
    /// so it covers no type and absence is never evidence.
    TerraformPlan,
}

#[derive(Debug, Clone)]
pub struct Coverage {
    basis: Basis,
    /// account → region → the resource types recorded there (by account first: a lookup is
    /// per item, and an organisation has thousands of accounts).
    entries: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
}

impl Coverage {
    pub fn complete() -> Self {
        Coverage {
            basis: Basis::Complete,
            entries: BTreeMap::new(),
        }
    }

    pub fn new(basis: Basis) -> Self {
        Coverage {
            basis,
            entries: BTreeMap::new(),
        }
    }

    pub fn basis(&self) -> Basis {
        self.basis
    }

    pub fn add(&mut self, account_id: &str, region: &str, resource_type: &str) {
        self.entries
            .entry(account_id.to_string())
            .or_default()
            .entry(region.to_string())
            .or_default()
            .insert(resource_type.to_string());
    }

    /// Removes a type from one account and region (e.g. the recorder said it did not record it).
    pub fn remove(&mut self, account_id: &str, region: &str, resource_type: &str) {
        if let Some(types) = self
            .entries
            .get_mut(account_id)
            .and_then(|regions| regions.get_mut(region))
        {
            types.remove(resource_type);
        }
    }

    pub fn from_entries(basis: Basis, entries: &[CoverageEntry]) -> Self {
        let mut coverage = Coverage::new(basis);
        for entry in entries {
            for t in &entry.resource_types {
                coverage.add(&entry.account_id, &entry.region, t);
            }
        }
        coverage
    }

    pub fn entries(&self) -> Vec<CoverageEntry> {
        self.entries
            .iter()
            .flat_map(|(account_id, regions)| {
                regions.iter().map(|(region, types)| CoverageEntry {
                    account_id: account_id.clone(),
                    region: region.clone(),
                    resource_types: types.iter().cloned().collect(),
                })
            })
            .collect()
    }

    /// Whether the source can hold attestor's own data (types and fields AWS Config never records).
    pub fn records_attestor_data(&self) -> bool {
        self.basis != Basis::AwsConfig
    }

    /// Whether the source records `resource_type` in this account and region; `None` asks about
    /// any region of the account.
    pub fn covers(&self, resource_type: &str, account_id: &str, region: Option<&str>) -> bool {
        if self.basis == Basis::Complete || resource_type == ANY_TYPE {
            return true;
        }
        let Some(regions) = self.entries.get(account_id) else {
            return false;
        };
        let recorded_in = |r: &str| regions.get(r).is_some_and(|t| t.contains(resource_type));
        match region {
            Some(region) => recorded_in(region) || recorded_in(ANY_REGION),
            None => regions.values().any(|t| t.contains(resource_type)),
        }
    }

    /// The regions (of `regions`, the ones the source speaks for) where the type is not covered,
    /// with the reason; empty when absence there is evidence.
    pub fn gaps(&self, resource_type: &str, account_id: &str, regions: &[String]) -> Vec<Gap> {
        if self.basis == Basis::Complete {
            return Vec::new();
        }
        // No source records every AWS type, so "nothing of any type failed" is never evidence.
        if resource_type == ANY_TYPE {
            return vec![Gap {
                region: ANY_REGION.to_string(),
                reason: format!(
                    "no source records every AWS resource type, so a conclusion about all resources (`*`) of account {account_id} from what was not found is not evidence; write one policy per resource type"
                ),
            }];
        }
        // attestor's collectors say which regions they read; AWS Config data speaks for the
        // regions its items come from.
        let spoken_for: Vec<&str> = match self.basis {
            Basis::AwsConfig => regions.iter().map(String::as_str).collect(),
            _ => self
                .entries
                .get(account_id)
                .into_iter()
                .flat_map(|regions| regions.keys().map(String::as_str))
                .collect(),
        };
        let mut candidates: Vec<&str> = if is_global_type(resource_type) {
            vec![GLOBAL_REGION]
        } else {
            spoken_for
                .into_iter()
                .filter(|r| *r != GLOBAL_REGION && *r != ANY_REGION)
                .collect()
        };
        if candidates.is_empty() {
            // The source speaks for no region where this type lives: nothing of it was recorded.
            candidates.push(ANY_REGION);
        }
        candidates
            .into_iter()
            .filter(|region| {
                *region == ANY_REGION && !self.covers(resource_type, account_id, None)
                    || *region != ANY_REGION
                        && !self.covers(resource_type, account_id, Some(region))
            })
            .map(|region| Gap {
                region: region.to_string(),
                reason: self.type_reason(resource_type, account_id, region),
            })
            .collect()
    }

    /// Why absence of `resource_type` in the account (and region) is not evidence.
    pub fn type_reason(&self, resource_type: &str, account_id: &str, region: &str) -> String {
        let place = if region == ANY_REGION || region == GLOBAL_REGION {
            format!("account {account_id}")
        } else {
            format!("account {account_id} region {region}")
        };
        let attestor_defined = ResourceSchema::builtin()
            .get(resource_type)
            .is_some_and(|t| t.attestor_defined);
        match self.basis {
            Basis::AwsConfig if attestor_defined => format!(
                "AWS Config does not record {}, so its absence is not evidence; scan with --live or from an attestor snapshot",
                describe_type(resource_type)
            ),
            Basis::AwsConfig => format!(
                "the AWS Config data has no {resource_type} for {place}, and its configuration recorder may not record that type, \
                 so absence is not evidence; record {resource_type} in AWS Config (then pass --recorded-types), or scan with --live"
            ),
            Basis::TerraformPlan => format!(
                "the Terraform plan manages no {resource_type} of {place}, and resources outside the plan are not seen, \
                 so the plan cannot decide this; scan the account (--live or a snapshot) for it"
            ),
            _ => format!(
                "the snapshot did not collect {resource_type} for {place}, so absence is not evidence; \
                 take the snapshot again with a current attestor, or scan with --live"
            ),
        }
    }

    /// Why a missing attestor-only field is not evidence, if the source cannot hold it.
    pub fn field_gap(&self, full_path: &str) -> Option<String> {
        if self.records_attestor_data() {
            return None;
        }
        Some(format!(
            "`{full_path}` is not recorded by AWS Config ({}); scan with --live or from an attestor snapshot",
            describe_field(full_path)
        ))
    }
}

/// A place where the source does not cover a resource type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub region: String,
    pub reason: String,
}

/// IAM is global: AWS Config and attestor record its resources under region `global`.
pub fn is_global_type(resource_type: &str) -> bool {
    resource_type.starts_with("AWS::IAM::") || resource_type.starts_with("Attestor::IAM::")
}

/// What an attestor-defined type holds, in words, for messages.
fn describe_type(resource_type: &str) -> String {
    let what = match resource_type {
        "Attestor::IAM::PasswordPolicy" => "the IAM account password policy",
        "Attestor::IAM::AccountSummary" => "the IAM account summary (root user MFA)",
        "Attestor::EC2::EbsEncryptionByDefault" => "the EBS encryption-by-default setting",
        "Attestor::S3::AccountPublicAccessBlock" => {
            "the account-level S3 Block Public Access setting"
        }
        "AWS::Logs::LogGroup" => "CloudWatch Logs log groups",
        _ => return resource_type.to_string(),
    };
    format!("{what} ({resource_type})")
}

/// What an attestor-only field holds, in words, for messages.
fn describe_field(full_path: &str) -> &'static str {
    const FIELDS: &[(&str, &str)] = &[
        (
            "supplementaryConfiguration.CredentialReport",
            "attestor reads it from the IAM credential report",
        ),
        (
            "supplementaryConfiguration.AccessKeys",
            "attestor reads access keys with ListAccessKeys",
        ),
        (
            "supplementaryConfiguration.MfaDevices",
            "attestor reads MFA devices with ListMFADevices",
        ),
        (
            "supplementaryConfiguration.TrailStatus",
            "attestor reads it with CloudTrail GetTrailStatus",
        ),
        (
            "supplementaryConfiguration.RotationPeriodInDays",
            "attestor reads it with KMS GetKeyRotationStatus",
        ),
        (
            "supplementaryConfiguration.NextRotationDate",
            "attestor reads it with KMS GetKeyRotationStatus",
        ),
    ];
    FIELDS
        .iter()
        .find(|(prefix, _)| {
            full_path == *prefix
                || full_path
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
        .map_or("attestor collects it itself", |(_, what)| what)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regions(list: &[&str]) -> Vec<String> {
        list.iter().map(std::string::ToString::to_string).collect()
    }

    #[test]
    fn aws_config_covers_only_types_seen_per_region() {
        let mut c = Coverage::new(Basis::AwsConfig);
        c.add("1", "eu-west-1", "AWS::RDS::DBInstance");
        c.add("1", "global", "AWS::IAM::User");
        assert!(c.covers("AWS::RDS::DBInstance", "1", Some("eu-west-1")));
        assert!(!c.covers("AWS::RDS::DBInstance", "1", Some("us-east-1")));
        assert!(!c.covers("AWS::RDS::DBInstance", "2", None));
        let gaps = c.gaps(
            "AWS::RDS::DBInstance",
            "1",
            &regions(&["eu-west-1", "global", "us-east-1"]),
        );
        assert_eq!(gaps.len(), 1);
        assert_eq!(gaps[0].region, "us-east-1");
        assert!(gaps[0].reason.contains("recorder may not record"));
        assert!(
            c.gaps("AWS::IAM::User", "1", &regions(&["eu-west-1", "global"]))
                .is_empty()
        );
        let gaps = c.gaps("Attestor::IAM::PasswordPolicy", "1", &regions(&["global"]));
        assert_eq!(gaps.len(), 1);
        assert!(
            gaps[0]
                .reason
                .starts_with("AWS Config does not record the IAM account password policy"),
            "{}",
            gaps[0].reason
        );
        assert!(
            c.field_gap("supplementaryConfiguration.TrailStatus.isLogging")
                .is_some()
        );
    }

    #[test]
    fn a_regional_type_with_no_region_in_the_source_is_one_gap() {
        let c = Coverage::new(Basis::AwsConfig);
        let gaps = c.gaps("AWS::EC2::Volume", "1", &regions(&["global"]));
        assert_eq!(gaps.len(), 1);
        assert_eq!(gaps[0].region, ANY_REGION);
    }

    #[test]
    fn any_region_entries_cover_every_region() {
        let mut c = Coverage::new(Basis::Attestor);
        c.add("1", ANY_REGION, "AWS::S3::Bucket");
        assert!(c.covers("AWS::S3::Bucket", "1", Some("ap-south-1")));
        assert!(
            c.field_gap("supplementaryConfiguration.TrailStatus")
                .is_none()
        );
    }

    #[test]
    fn complete_coverage_has_no_gaps() {
        let c = Coverage::complete();
        assert!(c.gaps("Attestor::IAM::PasswordPolicy", "1", &[]).is_empty());
        assert!(
            c.field_gap("supplementaryConfiguration.CredentialReport")
                .is_none()
        );
    }
}
