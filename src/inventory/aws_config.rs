//! AWS Config snapshot files as delivered to S3: `{"fileVersion": ..., "configurationItems": [...]}`.
//!
//! They load with no conversion. The capture time is the newest `configurationItemCaptureTime`;
//! items whose status says the resource was deleted are skipped.

use serde::Deserialize;

use super::{Inventory, RawItem, SourceInfo, SourceKind, json_error};
use crate::diagnostics::Diagnostic;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfigSnapshotFile {
    #[serde(default)]
    #[allow(dead_code)]
    // Present in every delivered snapshot; its value does not change the shape.
    file_version: Option<serde_json::Value>,
    configuration_items: Vec<RawItem>,
}

pub fn parse(name: &str, bytes: &[u8]) -> Result<Inventory, Diagnostic> {
    let file: ConfigSnapshotFile =
        serde_json::from_slice(bytes).map_err(|e| json_error("snapshot", name, bytes, &e))?;
    let mut items = Vec::with_capacity(file.configuration_items.len());
    let mut captured_at: Option<jiff::Timestamp> = None;
    for (index, raw) in file.configuration_items.into_iter().enumerate() {
        if raw.is_deleted() {
            continue;
        }
        if let Some(text) = raw.capture_time() {
            let time: jiff::Timestamp = text.parse().map_err(|e| {
                Diagnostic::error(
                    "invalid-input",
                    format!("{name}: configurationItems[{index}].configurationItemCaptureTime `{text}`: {e}"),
                )
            })?;
            captured_at = Some(captured_at.map_or(time, |t| t.max(time)));
        }
        items.push(raw.into_item_at(name, index, "awsAccountId")?);
    }
    super::check_duplicates(name, &items)?;
    let (account_ids, regions) = super::accounts_and_regions(&items);
    let source = SourceInfo {
        kind: SourceKind::AwsConfigSnapshot,
        path: None,
        sha256: None,
        captured_at,
        account_ids,
        regions,
    };
    Ok(Inventory::new(source, items, Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let inv = parse("c.json", text.as_bytes()).unwrap();
        assert_eq!(inv.items.len(), 1);
        let doc = &inv.items[0].doc;
        assert_eq!(doc["arn"], "arn:aws:s3:::logs");
        assert_eq!(
            doc["supplementaryConfiguration"]["BucketVersioningConfiguration"]["status"],
            "Enabled"
        );
        assert_eq!(
            inv.source.captured_at.unwrap().to_string(),
            "2026-10-30T08:00:00Z"
        );
    }
}
