//! attestor's own snapshot format: metadata (format version, capture time, accounts, regions, the
//! tool that wrote it, what could not be collected) plus configuration items.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::coverage::{Basis, Coverage, CoverageEntry};
use super::stream::Streamed;
use super::{CollectionError, Inventory, Loaded, Origin, SourceInfo, SourceKind};
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;

/// The snapshot format version this build reads and writes.
pub const SNAPSHOT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Metadata {
    /// When the data was read (RFC 3339). Ages in policies are measured from here unless `--as-of`.
    pub captured_at: String,
    pub tool: ToolInfo,
    pub account_ids: Vec<String>,
    pub regions: Vec<String>,
    /// What could not be collected and why; policies over these types give `error`.
    #[serde(default)]
    pub collection_errors: Vec<CollectionError>,
    /// Which resource types were collected, per account and region (`*`: every region). Absence
    /// of a resource counts as evidence only where its type is listed here. Snapshots written
    /// before this field existed cover the types that appear in them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Vec<CoverageEntry>>,
}

/// Documentation of the file for `attestor schema snapshot`.
#[derive(JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "attestor snapshot")]
#[allow(dead_code)] // Read by schemars' derive only.
struct SnapshotSchema {
    /// Format version; this build reads version 1.
    snapshot_version: u32,
    metadata: Metadata,
    configuration_items: Vec<ItemSchema>,
}

/// A configuration item in AWS Config's shape. Other AWS Config fields are allowed and ignored.
#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct ItemSchema {
    /// CloudFormation type name, e.g. `AWS::RDS::DBInstance`, or an attestor type (`Attestor::IAM::AccountSummary`).
    resource_type: String,
    resource_id: String,
    resource_name: Option<String>,
    account_id: String,
    /// Region, or `global` for global resources such as IAM users.
    aws_region: String,
    arn: Option<String>,
    availability_zone: Option<String>,
    configuration_item_capture_time: Option<String>,
    configuration_item_status: Option<String>,
    /// The API-shaped description of the resource (AWS Config property names).
    configuration: Option<serde_json::Map<String, serde_json::Value>>,
    supplementary_configuration: Option<serde_json::Map<String, serde_json::Value>>,
    relationships: Option<Vec<serde_json::Value>>,
    tags: Option<serde_json::Value>,
}

/// Writes an inventory as an attestor snapshot (items sorted, so the file is reproducible).
pub fn to_json(inventory: &Inventory) -> String {
    let mut items: Vec<&serde_json::Value> = inventory.items.iter().map(|i| &i.doc).collect();
    items.sort_by_key(|doc| {
        ["resourceType", "accountId", "awsRegion", "resourceId"]
            .map(|k| doc[k].as_str().unwrap_or_default().to_string())
    });
    let source = &inventory.source;
    let file = serde_json::json!({
        "snapshotVersion": SNAPSHOT_VERSION,
        "metadata": Metadata {
            captured_at: source.captured_at.map(|t| t.to_string()).unwrap_or_default(),
            tool: ToolInfo { name: crate::TOOL_NAME.into(), version: crate::TOOL_VERSION.into() },
            account_ids: source.account_ids.clone(),
            regions: source.regions.clone(),
            collection_errors: inventory.collection_errors.clone(),
            coverage: match inventory.coverage.basis() {
                Basis::Attestor => Some(inventory.coverage.entries()),
                // AWS Config data and test worlds have no collector coverage to record.
                Basis::AwsConfig | Basis::Complete | Basis::TerraformPlan => None,
            },
        },
        "configurationItems": items,
    });
    crate::json::pretty_value(&file)
}

pub fn schema_json() -> String {
    crate::json::pretty_schema(&schemars::schema_for!(SnapshotSchema))
}

/// The top-level keys of attestor's format, in the order it writes them.
const KEYS: [&str; 3] = ["snapshotVersion", "metadata", "configurationItems"];

/// Builds the inventory of an attestor snapshot read by [`super::stream`].
pub(crate) fn parse(
    name: &str,
    streamed: Streamed,
    origin: &Origin<'_>,
) -> Result<Loaded, Diagnostic> {
    let mut version = None;
    let mut metadata = None;
    for field in &streamed.fields {
        let decode_error = |e: &serde_json::Error| {
            origin.serde_error_at(name, "snapshot", field.offset, &field.raw, e)
        };
        match field.key.as_str() {
            "snapshotVersion" => {
                version =
                    Some(serde_json::from_slice::<u32>(&field.raw).map_err(|e| decode_error(&e))?);
            }
            "metadata" => {
                metadata = Some(
                    serde_json::from_slice::<Metadata>(&field.raw).map_err(|e| decode_error(&e))?,
                );
            }
            "configurationItems" => {
                return Err(origin.error_at(
                    name,
                    field.offset,
                    format!("{name}: invalid snapshot: `configurationItems` must be a list of configuration items"),
                ));
            }
            other => {
                let expected = KEYS.map(|k| format!("`{k}`")).join(", ");
                return Err(origin.error_at(
                    name,
                    field.key_offset,
                    format!("{name}: invalid snapshot: unknown field `{other}`, expected one of {expected}"),
                ));
            }
        }
    }
    let missing = |key: &str| {
        Diagnostic::error(
            Code::InvalidInput,
            format!("{name}: invalid snapshot: missing field `{key}`"),
        )
    };
    let version = version.ok_or_else(|| missing("snapshotVersion"))?;
    let metadata = metadata.ok_or_else(|| missing("metadata"))?;
    let mut lists = streamed.lists.into_iter();
    let list = match (lists.next(), lists.next()) {
        (Some(list), None) if list.key == "configurationItems" => list,
        (None, _) => return Err(missing("configurationItems")),
        _ => {
            return Err(Diagnostic::error(
                Code::InvalidInput,
                format!(
                    "{name}: invalid snapshot: unknown field `baseConfigurationItems` (attestor snapshots list \
                     their items under `configurationItems`)"
                ),
            ));
        }
    };
    if version != SNAPSHOT_VERSION {
        return Err(Diagnostic::error(
            Code::InvalidInput,
            format!(
                "{name}: snapshot version {version} is not supported (this attestor reads version {SNAPSHOT_VERSION})"
            ),
        ));
    }
    let captured_at = super::time_value(&metadata.captured_at.clone().into()).map_err(|e| {
        Diagnostic::error(
            Code::InvalidInput,
            format!("{name}: metadata.capturedAt: {e}"),
        )
    })?;
    let read = super::read_items(name, origin, list, "accountId");
    let coverage = if let Some(entries) = &metadata.coverage {
        Coverage::from_entries(Basis::Attestor, entries)
    } else {
        let mut coverage = Coverage::new(Basis::Attestor);
        for (account, region, resource_type) in &read.recorded {
            coverage.add(account, region, resource_type);
        }
        coverage
    };
    let (item_accounts, item_regions) = super::accounts_and_regions(&read.items);
    let mut account_ids = metadata.account_ids;
    account_ids.extend(item_accounts);
    account_ids.sort();
    account_ids.dedup();
    let mut regions = metadata.regions;
    regions.extend(item_regions);
    regions.sort();
    regions.dedup();
    let mut notes = read.notes;
    if metadata.coverage.is_none() {
        notes.push(
            "the snapshot does not say which resource types were collected (written before attestor recorded \
             coverage): absence counts as evidence only for types that appear in it"
                .into(),
        );
    }
    let mut errors = metadata.collection_errors;
    errors.extend(read.errors);
    let source = SourceInfo {
        kind: SourceKind::AttestorSnapshot,
        path: None,
        sha256: None,
        captured_at: Some(captured_at),
        account_ids,
        regions,
        notes,
        files: Vec::new(),
    };
    Ok(Loaded {
        inventory: Inventory::new(source, read.items, errors, coverage),
        warnings: read.warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = r#"{
  "snapshotVersion": 1,
  "metadata": {"capturedAt": "2026-11-01T00:00:00Z", "tool": {"name": "attestor", "version": "0.1.0"},
               "accountIds": ["111122223333"], "regions": ["eu-west-1"]},
  "configurationItems": [
    {"resourceType": "AWS::RDS::DBInstance", "resourceId": "db-1", "accountId": "111122223333",
     "awsRegion": "eu-west-1", "configuration": {"storageEncrypted": true}}
  ]
}"#;

    #[test]
    fn parses_metadata_and_items() {
        let inv = crate::inventory::parse_snapshot("s.json", VALID.as_bytes())
            .unwrap()
            .inventory;
        assert_eq!(inv.items.len(), 1);
        assert_eq!(inv.items[0].doc["configuration"]["storageEncrypted"], true);
        assert_eq!(
            inv.source.captured_at.unwrap().to_string(),
            "2026-11-01T00:00:00Z"
        );
    }

    #[test]
    fn written_snapshots_read_back_identically() {
        let inv = crate::inventory::parse_snapshot("s.json", VALID.as_bytes())
            .unwrap()
            .inventory;
        let text = to_json(&inv);
        let again = crate::inventory::parse_snapshot("t.json", text.as_bytes())
            .unwrap()
            .inventory;
        assert_eq!(again.items[0].doc, inv.items[0].doc);
        assert_eq!(again.source.captured_at, inv.source.captured_at);
        assert_eq!(to_json(&again), text);
    }

    #[test]
    fn wrong_types_are_located() {
        let text = VALID.replace("\"snapshotVersion\": 1", "\"snapshotVersion\": \"one\"");
        let err = crate::inventory::parse_snapshot("s.json", text.as_bytes()).unwrap_err();
        let (_, line, _) = err.location().unwrap();
        assert_eq!(line, 2);
        assert!(err.message.contains("invalid type"), "{}", err.message);
    }

    #[test]
    fn unknown_metadata_fields_are_rejected() {
        let text = VALID.replace("\"regions\"", "\"regoins\"");
        let err = crate::inventory::parse_snapshot("s.json", text.as_bytes()).unwrap_err();
        assert!(
            err.message.contains("unknown field `regoins`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn an_item_missing_its_account_is_named_and_charged_to_its_type() {
        let text = VALID.replace("\"accountId\": \"111122223333\",", "");
        let loaded = crate::inventory::parse_snapshot("s.json", text.as_bytes()).unwrap();
        assert!(loaded.inventory.items.is_empty());
        let warning = &loaded.warnings[0];
        assert!(
            warning.message.contains(
                "configurationItems[0] cannot be read: AWS::RDS::DBInstance db-1 is missing `accountId`"
            ),
            "{}",
            warning.message
        );
        assert_eq!(warning.location().unwrap().1, 6);
        let error = &loaded.inventory.collection_errors[0];
        assert_eq!(error.resource_types, ["AWS::RDS::DBInstance"]);
        assert!(error.covers("AWS::RDS::DBInstance", "111122223333", Some("eu-west-1")));
    }
}
