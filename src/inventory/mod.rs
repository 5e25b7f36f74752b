//! The inventory: configuration items (AWS Config's record shape) plus what could not be collected.
//!
//! Every source — attestor's own snapshot, an AWS Config snapshot, and later live AWS and Terraform
//! plans — produces an [`Inventory`]; evaluation only ever sees this type.

pub mod aws_config;
pub mod snapshot;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read as _;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, SourceFile, Span};

/// Where an inventory came from, as reported in every output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    AttestorSnapshot,
    AwsConfigSnapshot,
    /// Read from AWS through the SDK just now.
    Live,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceInfo {
    pub kind: SourceKind,
    pub path: Option<String>,
    /// SHA-256 of the file exactly as read (compressed, if it was), so evidence can be re-checked.
    pub sha256: Option<String>,
    pub captured_at: Option<jiff::Timestamp>,
    pub account_ids: Vec<String>,
    pub regions: Vec<String>,
}

/// One resource in AWS Config's configuration-item shape. `doc` is the whole item; policy paths
/// (`configuration.x`, `supplementaryConfiguration.y`, `tags.k`, `resourceId`) are resolved in it.
#[derive(Debug, Clone)]
pub struct ConfigurationItem {
    pub resource_type: String,
    pub resource_id: String,
    pub account_id: String,
    pub region: String,
    pub doc: serde_json::Value,
}

/// Something the collector could not read. Every policy over the named resource types gives `error`
/// for the account and region, naming this cause.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CollectionError {
    /// AWS service, e.g. `rds`.
    pub service: String,
    /// Region, or `global` for global services such as IAM.
    pub region: String,
    pub account_id: String,
    /// The API operation that failed, e.g. `DescribeDBInstances`.
    pub operation: String,
    /// The IAM action the operation needs, e.g. `rds:DescribeDBInstances`.
    pub iam_action: String,
    /// The error code, e.g. `AccessDenied`, `Throttling`, `Timeout`.
    pub error_code: String,
    pub message: String,
    /// The resource types this failure leaves incomplete.
    pub resource_types: Vec<String>,
    /// The property paths it leaves unknown (e.g. one per-bucket setting); empty means the
    /// resources themselves could not be listed. Only policies reading these paths are affected.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<String>,
}

impl CollectionError {
    pub fn covers(&self, resource_type: &str, account_id: &str, region: Option<&str>) -> bool {
        self.account_id == account_id
            && (resource_type == crate::resource_schema::ANY_TYPE
                || self.resource_types.iter().any(|t| t == resource_type))
            && region.is_none_or(|r| r == self.region)
    }

    /// Whether a policy reading `paths` (full property paths) depends on what this failure hid.
    pub fn affects(&self, paths: &[String]) -> bool {
        let related = |a: &str, b: &str| {
            a == b || a.strip_prefix(b).is_some_and(|rest| rest.starts_with('.'))
        };
        self.properties.is_empty()
            || paths.iter().any(|path| {
                self.properties
                    .iter()
                    .any(|p| related(path, p) || related(p, path))
            })
    }

    pub fn describe(&self) -> String {
        format!(
            "{} in {} could not be read: {} ({}) failed with {}: {}",
            self.resource_types.join(", "),
            self.region,
            self.operation,
            self.iam_action,
            self.error_code,
            self.message
        )
    }
}

#[derive(Debug)]
pub struct Inventory {
    pub source: SourceInfo,
    pub items: Vec<ConfigurationItem>,
    pub collection_errors: Vec<CollectionError>,
    by_type: BTreeMap<String, Vec<usize>>,
    /// Every index, for policies over every resource type (`*`).
    all: Vec<usize>,
}

impl Inventory {
    pub fn new(
        source: SourceInfo,
        items: Vec<ConfigurationItem>,
        mut collection_errors: Vec<CollectionError>,
    ) -> Self {
        let mut by_type: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, item) in items.iter().enumerate() {
            by_type
                .entry(item.resource_type.clone())
                .or_default()
                .push(i);
        }
        // One failure repeated per resource (e.g. per bucket) is one cause.
        collection_errors.sort();
        collection_errors.dedup();
        let all = (0..items.len()).collect();
        Inventory {
            source,
            items,
            collection_errors,
            by_type,
            all,
        }
    }

    /// Indices of items of one type (every item for `*`), in input order.
    pub fn of_type(&self, resource_type: &str) -> &[usize] {
        if resource_type == crate::resource_schema::ANY_TYPE {
            return &self.all;
        }
        self.by_type.get(resource_type).map_or(&[], Vec::as_slice)
    }

    /// Every account the inventory speaks for: declared in metadata or seen in items or errors.
    pub fn accounts(&self) -> Vec<String> {
        let mut set: BTreeSet<&str> = self.source.account_ids.iter().map(String::as_str).collect();
        set.extend(self.items.iter().map(|i| i.account_id.as_str()));
        set.extend(self.collection_errors.iter().map(|e| e.account_id.as_str()));
        set.into_iter().map(str::to_string).collect()
    }

    pub fn collection_errors_for<'a>(
        &'a self,
        resource_type: &'a str,
        account_id: &'a str,
        region: Option<&'a str>,
    ) -> impl Iterator<Item = &'a CollectionError> + 'a {
        self.collection_errors
            .iter()
            .filter(move |e| e.covers(resource_type, account_id, region))
    }
}

/// Reads a snapshot file, plain or gzip-compressed, in attestor's format or AWS Config's.
pub fn load_snapshot(path: &Path) -> Result<Inventory, Diagnostic> {
    let name = path.display().to_string();
    let raw = std::fs::read(path).map_err(|e| {
        Diagnostic::error(
            "unreadable-input",
            format!("{name}: cannot read snapshot: {e}"),
        )
    })?;
    let sha256 = {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(&raw))
    };
    let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .map_err(|e| {
                Diagnostic::error(
                    "invalid-input",
                    format!("{name}: not a valid gzip file: {e}"),
                )
            })?;
        out
    } else {
        raw
    };
    let mut inventory = if contains(&bytes, b"\"snapshotVersion\"") {
        snapshot::parse(&name, &bytes)?
    } else if contains(&bytes, b"\"configurationItems\"") {
        aws_config::parse(&name, &bytes)?
    } else {
        let message = match serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
            Err(e) => return Err(json_error("snapshot", &name, &bytes, &e)),
            Ok(_) => format!(
                "{name}: not a snapshot: expected attestor's format (`snapshotVersion`) or an AWS Config \
                 snapshot (`fileVersion`, `configurationItems`)"
            ),
        };
        return Err(Diagnostic::error("invalid-input", message));
    };
    inventory.source.path = Some(name);
    inventory.source.sha256 = Some(sha256);
    Ok(inventory)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A located diagnostic for malformed or mistyped JSON.
pub fn json_error(what: &str, name: &str, bytes: &[u8], error: &serde_json::Error) -> Diagnostic {
    let file = SourceFile::new(name, String::from_utf8_lossy(bytes).into_owned());
    let offset = file.offset_of(error.line(), error.column());
    let message = error.to_string();
    // serde_json appends " at line L column C"; the location is shown separately.
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_string();
    Diagnostic::error(
        "invalid-input",
        format!("{name}: invalid {what}: {message}"),
    )
    .at(&file, Span::new(offset, offset + 1))
    .with_label("here")
}

/// The fields every configuration item has, read with serde so type errors carry a location.
/// Unlisted fields (configurationStateId, relatedEvents, …) are accepted and dropped.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawItem {
    resource_type: String,
    resource_id: String,
    #[serde(default)]
    resource_name: Option<String>,
    #[serde(default, alias = "awsAccountId")]
    account_id: Option<String>,
    #[serde(default)]
    aws_region: Option<String>,
    #[serde(default, alias = "ARN")]
    arn: Option<String>,
    #[serde(default)]
    availability_zone: Option<String>,
    #[serde(default)]
    configuration_item_capture_time: Option<String>,
    #[serde(default)]
    configuration_item_status: Option<String>,
    #[serde(default)]
    resource_creation_time: Option<serde_json::Value>,
    #[serde(default)]
    configuration: serde_json::Value,
    #[serde(default)]
    supplementary_configuration: serde_json::Value,
    #[serde(default)]
    relationships: serde_json::Value,
    #[serde(default)]
    tags: serde_json::Value,
}

impl RawItem {
    /// AWS Config marks deleted resources in snapshots; they are not part of the account's state.
    pub(crate) fn is_deleted(&self) -> bool {
        self.configuration_item_status
            .as_deref()
            .is_some_and(|s| s.starts_with("ResourceDeleted"))
    }

    pub(crate) fn capture_time(&self) -> Option<&str> {
        self.configuration_item_capture_time.as_deref()
    }

    /// Builds item `index` of file `name`, naming a missing field as the file format spells it.
    pub(crate) fn into_item_at(
        self,
        name: &str,
        index: usize,
        account_field: &str,
    ) -> Result<ConfigurationItem, Diagnostic> {
        let what = format!("{} {}", self.resource_type, self.resource_id);
        self.into_item().map_err(|field| {
            let field = if field == "accountId" {
                account_field
            } else {
                field
            };
            Diagnostic::error(
                "invalid-input",
                format!("{name}: configurationItems[{index}] ({what}) is missing `{field}`"),
            )
        })
    }

    /// Builds the item; `None` fields are reported by the caller, which knows the item's position.
    pub(crate) fn into_item(self) -> Result<ConfigurationItem, &'static str> {
        let account_id = self.account_id.ok_or("accountId")?;
        let region = self.aws_region.ok_or("awsRegion")?;
        let mut doc = serde_json::Map::new();
        let mut put = |key: &str, value: serde_json::Value| {
            if !value.is_null() {
                doc.insert(key.to_string(), value);
            }
        };
        put("resourceType", self.resource_type.clone().into());
        put("resourceId", self.resource_id.clone().into());
        put("resourceName", self.resource_name.into());
        put("accountId", account_id.clone().into());
        put("awsRegion", region.clone().into());
        put("arn", self.arn.into());
        put("availabilityZone", self.availability_zone.into());
        put(
            "configurationItemCaptureTime",
            self.configuration_item_capture_time.into(),
        );
        put(
            "configurationItemStatus",
            self.configuration_item_status.into(),
        );
        put(
            "resourceCreationTime",
            self.resource_creation_time.unwrap_or_default(),
        );
        put("configuration", decode_embedded_json(self.configuration));
        put(
            "supplementaryConfiguration",
            decode_supplementary(self.supplementary_configuration),
        );
        put("relationships", self.relationships);
        put("tags", self.tags);
        Ok(ConfigurationItem {
            resource_type: self.resource_type,
            resource_id: self.resource_id,
            account_id,
            region,
            doc: serde_json::Value::Object(doc),
        })
    }
}

/// AWS Config sometimes delivers `configuration` and supplementary values as JSON text; policies
/// address them as structures either way.
fn decode_embedded_json(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::String(text) if text.trim_start().starts_with(['{', '[']) => {
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
        }
        other => other,
    }
}

/// Supplementary values are strings in delivered snapshots, booleans included (`"true"`).
fn decode_supplementary(value: serde_json::Value) -> serde_json::Value {
    let decode = |v: serde_json::Value| match v {
        serde_json::Value::String(s) if s == "true" || s == "false" => {
            serde_json::Value::Bool(s == "true")
        }
        other => decode_embedded_json(other),
    };
    match value {
        serde_json::Value::Object(map) => map
            .into_iter()
            .map(|(k, v)| (k, decode(v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        other => decode_embedded_json(other),
    }
}

/// Sorted, de-duplicated account and region lists from items.
pub(crate) fn accounts_and_regions(items: &[ConfigurationItem]) -> (Vec<String>, Vec<String>) {
    let accounts: BTreeSet<&str> = items.iter().map(|i| i.account_id.as_str()).collect();
    let regions: BTreeSet<&str> = items.iter().map(|i| i.region.as_str()).collect();
    (
        accounts.into_iter().map(str::to_string).collect(),
        regions.into_iter().map(str::to_string).collect(),
    )
}

/// Rejects two items that claim to be the same resource: evaluating both would double-count.
pub(crate) fn check_duplicates(name: &str, items: &[ConfigurationItem]) -> Result<(), Diagnostic> {
    let mut seen = BTreeSet::new();
    for item in items {
        let key = (
            &item.resource_type,
            &item.resource_id,
            &item.account_id,
            &item.region,
        );
        if !seen.insert(key) {
            return Err(Diagnostic::error(
                "invalid-input",
                format!(
                    "{name}: duplicate configuration item {} {} in account {} region {}",
                    item.resource_type, item.resource_id, item.account_id, item.region
                ),
            ));
        }
    }
    Ok(())
}
