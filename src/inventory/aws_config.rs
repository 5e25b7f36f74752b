//! AWS Config data as AWS writes it: snapshot and history files delivered to S3
//! (`{"fileVersion": ..., "configurationItems": [...]}`, often `.json.gz`), and the Config API's
//! output (`configurationItems` from GetResourceConfigHistory, `baseConfigurationItems` from
//! BatchGetResourceConfig).
//!
//! They load with no conversion. Several items for one resource (a history file) resolve to the
//! newest; deleted resources are skipped; the capture time is the newest
//! `configurationItemCaptureTime`. Coverage: per account and region, the types that appear in the
//! file, and never attestor's own data (the recorder may record a subset; the file does not say).

use super::coverage::{Basis, Coverage};
use super::stream::Streamed;
use super::{Inventory, Loaded, Origin, SourceInfo, SourceKind};
use crate::diagnostics::Diagnostic;

/// Builds the inventory of an AWS Config file read by [`super::stream`]. Other top-level keys
/// (`fileVersion`, `configSnapshotId`, `nextToken`, …) are AWS's and carry nothing evaluated.
pub(crate) fn parse(
    name: &str,
    streamed: Streamed,
    origin: &Origin<'_>,
) -> Result<Loaded, Diagnostic> {
    // A file with both lists is not one AWS writes; the items list is the one that describes resources.
    let list = streamed
        .lists
        .into_iter()
        .min_by_key(|l| l.key != "configurationItems")
        .ok_or_else(|| super::not_a_snapshot(name))?;
    let read = super::read_items(name, origin, list, "awsAccountId");
    let mut coverage = Coverage::new(Basis::AwsConfig);
    for (account, region, resource_type) in &read.recorded {
        coverage.add(account, region, resource_type);
    }
    let (mut account_ids, mut regions) = super::accounts_and_regions(&read.items);
    for (account, region, _) in &read.recorded {
        account_ids.push(account.clone());
        regions.push(region.clone());
    }
    account_ids.sort();
    account_ids.dedup();
    regions.sort();
    regions.dedup();
    let mut notes = read.notes;
    notes.push(
        "AWS Config data: absence counts as evidence only for resource types that appear in the file, per account \
         and region (the recorder may record a subset); attestor's own data (IAM credential report, password \
         policy, root MFA, trail status, EBS encryption by default) is not recorded by AWS Config"
            .into(),
    );
    let source = SourceInfo {
        kind: SourceKind::AwsConfigSnapshot,
        path: None,
        sha256: None,
        captured_at: read.captured_at,
        account_ids,
        regions,
        notes,
        files: Vec::new(),
    };
    Ok(Loaded {
        inventory: Inventory::new(source, read.items, read.errors, coverage),
        warnings: read.warnings,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_delivered_field_names_and_embedded_json() {
        let text = r#"{"fileVersion": "1.0", "configurationItems": [
          {"configurationItemVersion": "1.3", "configurationItemCaptureTime": "2026-10-30T08:00:00.000Z",
           "configurationItemStatus": "OK", "resourceType": "AWS::S3::Bucket", "resourceId": "logs",
           "awsAccountId": "111122223333", "awsRegion": "eu-west-1", "ARN": "arn:aws:s3:::logs",
           "configuration": {"name": "logs"},
           "supplementaryConfiguration": {"BucketVersioningConfiguration": "{\"status\":\"Enabled\"}"}},
          {"configurationItemCaptureTime": "2026-10-31T08:00:00.000Z", "configurationItemStatus": "ResourceDeleted",
           "resourceType": "AWS::S3::Bucket", "resourceId": "gone", "awsAccountId": "111122223333", "awsRegion": "eu-west-1"}
        ]}"#;
        let inv = crate::inventory::parse_snapshot("c.json", text.as_bytes())
            .unwrap()
            .inventory;
        assert_eq!(inv.items.len(), 1);
        let doc = &inv.items[0].doc;
        assert_eq!(doc["arn"], "arn:aws:s3:::logs");
        assert_eq!(
            doc["supplementaryConfiguration"]["BucketVersioningConfiguration"]["status"],
            "Enabled"
        );
        // The deletion was recorded later: the data describes the account as of then.
        assert_eq!(
            inv.source.captured_at.unwrap().to_string(),
            "2026-10-31T08:00:00Z"
        );
    }
}
