//! The inventory: configuration items (AWS Config's record shape) plus what could not be collected.
//!
//! Every source — attestor's own snapshot, an AWS Config snapshot, and later live AWS and Terraform
//! plans — produces an [`Inventory`]; evaluation only ever sees this type.

pub mod aws_config;
pub mod coverage;
pub mod keep;
pub mod merge;
pub mod shapes;
pub mod snapshot;
mod stream;
pub mod terraform;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read as _;
use std::path::Path;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::diagnostics::Code;
use crate::diagnostics::{Diagnostic, SourceFile, Span};
pub use coverage::{Coverage, CoverageEntry};
pub use keep::Keep;

/// Where an inventory came from, as reported in every output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    AttestorSnapshot,
    AwsConfigSnapshot,
    /// Read from AWS through the SDK just now.
    Live,
    /// A Terraform plan (`terraform show -json`): what apply would make.
    TerraformPlan,
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
    /// What a reader of the evidence should know about how the source was read (superseded
    /// history items, deleted resources skipped, unreadable items, what the source covers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The files of a scan over several snapshots (`path` and `sha256` are then empty), each with
    /// its digest, capture time and accounts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<SourceFileInfo>,
}

impl SourceInfo {
    /// The paths read: the one file's, or each of several files' joined by spaces.
    pub fn paths(&self) -> Option<String> {
        if self.files.is_empty() {
            return self.path.clone();
        }
        Some(
            self.files
                .iter()
                .map(|f| f.path.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        )
    }

    /// The digests of what was read, so evidence can be re-checked: the one file's SHA-256, or
    /// each of several files' as `PATH=SHA256`, joined by spaces.
    pub fn digests(&self) -> Option<String> {
        if self.files.is_empty() {
            return self.sha256.clone();
        }
        Some(
            self.files
                .iter()
                .map(|f| format!("{}={}", f.path, f.sha256.as_deref().unwrap_or("unknown")))
                .collect::<Vec<_>>()
                .join(" "),
        )
    }
}

/// One of several snapshot files scanned together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceFileInfo {
    pub path: String,
    /// SHA-256 of the file exactly as read.
    pub sha256: Option<String>,
    pub captured_at: Option<jiff::Timestamp>,
    pub account_ids: Vec<String>,
}

#[cfg(test)]
impl SourceInfo {
    /// An attestor snapshot of one account and region captured 2026-11-01, for unit tests.
    pub(crate) fn for_tests(account: &str, region: &str) -> Self {
        SourceInfo {
            kind: SourceKind::AttestorSnapshot,
            path: None,
            sha256: None,
            captured_at: Some("2026-11-01T00:00:00Z".parse().expect("a valid time")),
            account_ids: vec![account.into()],
            regions: vec![region.into()],
            notes: Vec::new(),
            files: Vec::new(),
        }
    }
}

/// One resource in AWS Config's configuration-item shape. `doc` is the item as policies read it
/// (`configuration.x`, `supplementaryConfiguration.y`, `tags.k`, `resourceId`); loaded with a
/// [`Keep`], it holds only what they read, and the identity and names live in the fields.
#[derive(Debug, Clone)]
pub struct ConfigurationItem {
    /// Type, account and region are shared by many items: a loaded snapshot interns them
    /// ([`Interner`]), so a million items hold a few hundred copies.
    pub resource_type: Arc<str>,
    pub resource_id: String,
    pub account_id: Arc<str>,
    pub region: Arc<str>,
    /// AWS Config's `resourceName`, kept for reports whatever the policies read.
    pub resource_name: Option<String>,
    /// AWS Config's `ARN`, kept for reports whatever the policies read.
    pub arn: Option<String>,
    pub doc: serde_json::Value,
    /// Property paths (`configuration.storageEncrypted`) whose values the source does not know
    /// yet: a Terraform plan's "known after apply". A condition reading one of them, or anything
    /// under or above it, is `error` whatever the policy says about missing values.
    pub unknown: Vec<String>,
}

impl ConfigurationItem {
    /// The name the source gives the resource (AWS Config's `resourceName`).
    pub fn name(&self) -> Option<&str> {
        self.resource_name.as_deref().or_else(|| {
            self.doc
                .get("resourceName")
                .and_then(serde_json::Value::as_str)
        })
    }

    /// The ARN the source records.
    pub fn arn(&self) -> Option<&str> {
        self.arn
            .as_deref()
            .or_else(|| self.doc.get("arn").and_then(serde_json::Value::as_str))
    }
}

/// Whether one property path is the other, or inside it (`configuration.a` and
/// `configuration.a.b`; never `configuration.ab`): reading either reads what the other names.
pub fn paths_overlap(a: &str, b: &str) -> bool {
    let within = |inner: &str, outer: &str| {
        inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    };
    within(a, b) || within(b, a)
}

/// One shared copy of each type, account and region name.
#[derive(Debug, Default)]
pub struct Interner(std::collections::HashSet<Arc<str>>);

impl Interner {
    pub fn intern(&mut self, text: &str) -> Arc<str> {
        if let Some(shared) = self.0.get(text) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(text);
        self.0.insert(shared.clone());
        shared
    }

    /// The item with its type, account and region shared with earlier items'.
    pub fn item(&mut self, mut item: ConfigurationItem) -> ConfigurationItem {
        item.resource_type = self.intern(&item.resource_type);
        item.account_id = self.intern(&item.account_id);
        item.region = self.intern(&item.region);
        item
    }
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
    /// The resources whose `properties` could not be read (one failed call per resource, the
    /// same failure each time, is one cause with its resources listed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
}

impl CollectionError {
    /// Whether this failure leaves `resource_type` incomplete in the account (and region). An
    /// unreadable item whose type, account or region is unknown (`*`) covers them all.
    pub fn covers(&self, resource_type: &str, account_id: &str, region: Option<&str>) -> bool {
        (self.account_id == account_id || self.account_id == ANY_ACCOUNT)
            && self.affects_type(resource_type)
            && region.is_none_or(|r| r == self.region || self.region == coverage::ANY_REGION)
    }

    /// Whether this failure leaves resources of `resource_type` incomplete, in some place.
    pub fn affects_type(&self, resource_type: &str) -> bool {
        resource_type == crate::resource_schema::ANY_TYPE
            || self
                .resource_types
                .iter()
                .any(|t| t == resource_type || t == crate::resource_schema::ANY_TYPE)
    }

    /// Whether a policy reading `paths` (full property paths) depends on what this failure hid.
    pub fn affects(&self, paths: &[String]) -> bool {
        self.properties.is_empty()
            || paths
                .iter()
                .any(|path| self.properties.iter().any(|p| paths_overlap(path, p)))
    }

    /// Whether this is data the run chose not to read (no failure: see [`NOT_COLLECTED`]).
    pub fn is_not_collected(&self) -> bool {
        self.error_code == NOT_COLLECTED
    }

    /// What a not-collected record leaves out, and where: "AWS::Lambda::Function of account 1…".
    pub fn not_collected_subject(&self) -> String {
        let place = if self.region == coverage::ANY_REGION {
            format!("account {}", self.account_id)
        } else {
            format!("account {} region {}", self.account_id, self.region)
        };
        if self.properties.is_empty() {
            format!("{} of {place}", self.resource_types.join(", "))
        } else {
            format!(
                "{} of {} in {place}",
                self.properties.join(", "),
                self.resource_types.join(", "),
            )
        }
    }

    pub fn describe(&self) -> String {
        if self.is_not_collected() {
            let what = self.not_collected_subject();
            return format!(
                "{what} was not collected: the run that read this account called no {} ({}), because none of its policies read it; \
                 take the snapshot again without --policies (which collects everything), or with these policies",
                self.operation, self.iam_action
            );
        }
        if !self.properties.is_empty() && self.iam_action != NO_IAM_ACTION {
            let whom = match self.resources.as_slice() {
                [] => format!("some {}", self.resource_types.join(", ")),
                [one] => format!("{} {one}", self.resource_types.join(", ")),
                many => {
                    let shown: Vec<&str> = many.iter().take(3).map(String::as_str).collect();
                    let more = if many.len() > 3 {
                        format!(", and {} more", many.len() - 3)
                    } else {
                        String::new()
                    };
                    format!(
                        "{} {} ({}{more})",
                        many.len(),
                        self.resource_types.join(", "),
                        shown.join(", ")
                    )
                }
            };
            return format!(
                "{} ({}) failed with {} for {whom} in {}: only {} is unknown for them: {}",
                self.operation,
                self.iam_action,
                self.error_code,
                self.region,
                self.properties.join(", "),
                self.message
            );
        }
        // Problems in the input file itself name no API call: their message says it all.
        if self.iam_action == NO_IAM_ACTION {
            let place = if self.region == coverage::ANY_REGION {
                String::new()
            } else {
                format!(" in {}", self.region)
            };
            return format!(
                "{}{place} could not be read: {}",
                self.resource_types.join(", "),
                self.message
            );
        }
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
    /// What the source records, so absence is judged against it.
    pub coverage: Coverage,
    by_type: BTreeMap<String, Vec<usize>>,
    /// Every index, for policies over every resource type (`*`).
    all: Vec<usize>,
}

impl Inventory {
    pub fn new(
        source: SourceInfo,
        items: Vec<ConfigurationItem>,
        mut collection_errors: Vec<CollectionError>,
        coverage: Coverage,
    ) -> Self {
        let mut by_type: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, item) in items.iter().enumerate() {
            by_type
                .entry(item.resource_type.to_string())
                .or_default()
                .push(i);
        }
        // One failure repeated per resource (e.g. per bucket) is one cause, naming its resources.
        collection_errors.sort();
        let mut merged: Vec<CollectionError> = Vec::with_capacity(collection_errors.len());
        for mut error in collection_errors {
            let resources = std::mem::take(&mut error.resources);
            let same_cause = merged.last_mut().is_some_and(|last| {
                let kept = std::mem::take(&mut last.resources);
                let same = *last == error;
                last.resources = kept;
                same
            });
            match merged.last_mut() {
                Some(last) if same_cause => last.resources.extend(resources),
                _ => {
                    error.resources = resources;
                    merged.push(error);
                }
            }
        }
        for error in &mut merged {
            error.resources.sort();
            error.resources.dedup();
        }
        let collection_errors = merged;
        let all = (0..items.len()).collect();
        Inventory {
            source,
            items,
            collection_errors,
            coverage,
            by_type,
            all,
        }
    }

    /// Drops from every item's document what `keep` does not name, as loading a file does: live
    /// collection builds whole items, and evaluation needs only what the policies read.
    pub fn keep_only(&mut self, keep: &Keep) {
        for item in &mut self.items {
            keep.prune(&item.resource_type, &mut item.doc);
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
        set.extend(self.items.iter().map(|i| &*i.account_id));
        set.extend(
            self.collection_errors
                .iter()
                .map(|e| e.account_id.as_str())
                .filter(|a| *a != ANY_ACCOUNT),
        );
        set.into_iter().map(str::to_string).collect()
    }

    /// Declares that an AWS Config recorder records these types (`all`: every AWS type attestor
    /// knows), in every account and region of the data: their absence becomes evidence of none.
    /// attestor's own types never become covered this way: AWS Config cannot record them.
    pub fn assume_recorded(&mut self, types: &[String]) -> Result<(), Diagnostic> {
        if self.coverage.basis() != coverage::Basis::AwsConfig {
            return Err(Diagnostic::error(
                Code::InvalidArgument,
                "--recorded-types applies to AWS Config data only: attestor snapshots record what they collected",
            ));
        }
        let schema = crate::resource_schema::ResourceSchema::builtin();
        let aws_types: Vec<&str> = schema
            .type_names()
            .filter(|t| {
                *t != crate::resource_schema::ANY_TYPE
                    && schema.get(t).is_some_and(|s| !s.attestor_defined)
            })
            .collect();
        let mut chosen: Vec<&str> = Vec::new();
        for t in types {
            let t = t.trim();
            if t == "all" {
                chosen.extend(&aws_types);
            } else if aws_types.contains(&t) {
                chosen.push(t);
            } else {
                let why = if schema.has_type(t) {
                    format!("`{t}` is attestor's own data, which AWS Config cannot record")
                } else {
                    format!("`{t}` is not an AWS resource type attestor knows")
                };
                return Err(Diagnostic::error(
                    Code::InvalidArgument,
                    format!("--recorded-types: {why}"),
                )
                .with_help_opt(crate::diagnostics::did_you_mean(
                    t,
                    aws_types.iter().copied(),
                )));
            }
        }
        for account in self.accounts() {
            for region in &self.source.regions {
                for t in &chosen {
                    if coverage::is_global_type(t) == (region == coverage::GLOBAL_REGION) {
                        self.coverage.add(&account, region, t);
                    }
                }
            }
        }
        self.source.notes.push(format!(
            "--recorded-types: the AWS Config recorder is taken to record {}; their absence counts as evidence",
            types.join(", ")
        ));
        Ok(())
    }

    /// The collection errors that may leave the listing of `resource_type` incomplete: all but
    /// settings a run chose not to read (those leave the resources listed, only the settings
    /// unknown, and reading one is an `error` of its own).
    pub fn listing_errors_for<'a>(
        &'a self,
        resource_type: &'a str,
        account_id: &'a str,
        region: Option<&'a str>,
    ) -> impl Iterator<Item = &'a CollectionError> + 'a {
        self.collection_errors_for(resource_type, account_id, region)
            .filter(|e| !e.is_not_collected() || e.properties.is_empty())
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

/// A snapshot as loaded: the inventory, and what was wrong with single items (each also a
/// collection error in the inventory, so no policy passes over what could not be read).
#[derive(Debug)]
pub struct Loaded {
    pub inventory: Inventory,
    pub warnings: Vec<Diagnostic>,
}

/// Reads a snapshot file, plain or gzip-compressed, in attestor's format or AWS Config's (snapshot
/// or history file, or the Config API's output). The format is decided by the top-level keys.
pub fn load_snapshot(path: &Path) -> Result<Loaded, Diagnostic> {
    load_snapshot_keeping(path, &Keep::everything())
}

/// [`load_snapshot`], keeping of each item only what `keep` names (what the policies read). The
/// file is read as a stream ([`stream`]): never held whole, hashed as read.
pub fn load_snapshot_keeping(path: &Path, keep: &Keep) -> Result<Loaded, Diagnostic> {
    let name = path.display().to_string();
    let file = crate::diagnostics::open_input(path).map_err(|e| {
        Diagnostic::error(
            Code::UnreadableInput,
            format!("{name}: cannot read snapshot: {e}"),
        )
    })?;
    let (chunks, reader) = stream::spawn_reader(file);
    let streamed = stream::read(chunks, keep, workers(), stream::BATCH);
    // The reader stops when the splitter hangs up; it still hashes the rest of the file.
    let sha256 = reader.join().ok();
    let origin = Origin::File(path);
    let mut loaded = from_stream(&name, streamed, &origin)?;
    loaded.inventory.source.path = Some(name);
    loaded.inventory.source.sha256 = sha256;
    Ok(loaded)
}

/// Parses snapshot bytes (already decompressed) of either format.
pub fn parse_snapshot(name: &str, bytes: &[u8]) -> Result<Loaded, Diagnostic> {
    parse_snapshot_keeping(name, bytes, &Keep::everything())
}

/// [`parse_snapshot`], keeping of each item only what `keep` names.
pub fn parse_snapshot_keeping(name: &str, bytes: &[u8], keep: &Keep) -> Result<Loaded, Diagnostic> {
    parse_in_chunks(name, bytes, keep, 1 << 22, stream::BATCH)
}

/// [`parse_snapshot_keeping`] with the stream's chunk and batch sizes given, so tests can make
/// items straddle chunks and spread over many batches and workers.
pub(crate) fn parse_in_chunks(
    name: &str,
    bytes: &[u8],
    keep: &Keep,
    chunk: usize,
    batch: usize,
) -> Result<Loaded, Diagnostic> {
    let (send, chunks) = std::sync::mpsc::sync_channel(1);
    let streamed = std::thread::scope(|scope| {
        scope.spawn(move || {
            for piece in bytes.chunks(chunk) {
                if send.send(Ok(piece.to_vec())).is_err() {
                    return;
                }
            }
        });
        stream::read(chunks, keep, workers().max(2), batch)
    });
    from_stream(name, streamed, &Origin::Bytes(bytes))
}

/// Threads that parse items: every core (the splitter and the reader are light).
fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// What was read, for diagnostics that quote it: read again only when something is wrong.
pub(crate) enum Origin<'a> {
    File(&'a Path),
    Bytes(&'a [u8]),
}

impl Origin<'_> {
    /// The inflated text, a byte-order mark removed (offsets given out are after it).
    fn text(&self) -> String {
        let raw = match self {
            Origin::File(path) => crate::diagnostics::read_input(path).unwrap_or_default(),
            Origin::Bytes(bytes) => bytes.to_vec(),
        };
        let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
            let mut out = Vec::new();
            // Partial output is still worth quoting: the error was found in it.
            let _ = flate2::read::MultiGzDecoder::new(raw.as_slice()).read_to_end(&mut out);
            out
        } else {
            raw
        };
        let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
        String::from_utf8_lossy(bytes).into_owned()
    }

    fn source_file(&self, name: &str) -> std::sync::Arc<SourceFile> {
        SourceFile::new(name, self.text())
    }

    /// An error located at an absolute offset of the text.
    pub(crate) fn error_at(&self, name: &str, offset: usize, message: String) -> Diagnostic {
        let file = self.source_file(name);
        Diagnostic::error(Code::InvalidInput, message)
            .at(&file, Span::new(offset, offset + 1))
            .with_label("here")
    }

    /// A serde error in a value that starts at `base` (its line and column are relative to it).
    pub(crate) fn serde_error_at(
        &self,
        name: &str,
        what: &str,
        base: usize,
        raw: &[u8],
        error: &serde_json::Error,
    ) -> Diagnostic {
        let relative = crate::diagnostics::offset_of(
            &String::from_utf8_lossy(raw),
            error.line(),
            error.column(),
        );
        self.error_at(
            name,
            base + relative,
            format!("{name}: invalid {what}: {}", serde_message(error)),
        )
    }
}

/// Turns a read stream into an inventory: decides the format by the top-level keys.
fn from_stream(
    name: &str,
    streamed: Result<stream::Streamed, stream::StreamError>,
    origin: &Origin<'_>,
) -> Result<Loaded, Diagnostic> {
    let streamed = match streamed {
        Ok(streamed) => streamed,
        Err(stream::StreamError::Read(message)) => {
            let code = if message.starts_with("cannot read") {
                Code::UnreadableInput
            } else {
                Code::InvalidInput
            };
            return Err(Diagnostic::error(code, format!("{name}: {message}")));
        }
        Err(stream::StreamError::NotAnObject) => {
            // Valid JSON of another shape is not a snapshot; anything else is located.
            let text = origin.text();
            return Err(match serde_json::from_str::<serde::de::IgnoredAny>(&text) {
                Ok(_) => not_a_snapshot(name),
                Err(e) => json_error("snapshot", name, text.as_bytes(), &e),
            });
        }
        Err(stream::StreamError::NotUtf8 { offset }) => {
            return Err(origin.error_at(
                name,
                offset,
                format!("{name}: invalid snapshot: the file is not UTF-8 text"),
            ));
        }
        Err(stream::StreamError::Syntax { offset, message }) => {
            // The splitter checks only the top level's grammar and finds a value's problem at its
            // end; serde_json, run over the text on this error path, names the first byte wrong.
            let text = origin.text();
            if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&text) {
                return Err(json_error("snapshot", name, text.as_bytes(), &e));
            }
            return Err(origin.error_at(
                name,
                offset,
                format!("{name}: invalid snapshot: {message}"),
            ));
        }
    };
    for field in &streamed.fields {
        if std::str::from_utf8(&field.raw).is_err() {
            return Err(origin.error_at(
                name,
                field.offset,
                format!("{name}: invalid snapshot: the file is not UTF-8 text"),
            ));
        }
    }
    let has = |key: &str| streamed.fields.iter().any(|f| f.key == key);
    // An item list's key whose value is not a list.
    let not_a_list = streamed
        .fields
        .iter()
        .find(|f| stream::ITEM_LISTS.contains(&f.key.as_str()));
    if has("snapshotVersion") {
        snapshot::parse(name, streamed, origin)
    } else if !streamed.lists.is_empty() {
        aws_config::parse(name, streamed, origin)
    } else if let Some(field) = not_a_list {
        Err(origin.error_at(
            name,
            field.offset,
            format!(
                "{name}: invalid snapshot: `{}` must be a list of configuration items",
                field.key
            ),
        ))
    } else {
        Err(not_a_snapshot(name))
    }
}

fn not_a_snapshot(name: &str) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidInput,
        format!(
            "{name}: not a snapshot: expected a JSON object with attestor's `snapshotVersion`, or AWS Config's \
             `configurationItems` (snapshot and history files, GetResourceConfigHistory) or \
             `baseConfigurationItems` (BatchGetResourceConfig)"
        ),
    )
}

/// A located diagnostic for malformed or mistyped JSON.
pub fn json_error(what: &str, name: &str, bytes: &[u8], error: &serde_json::Error) -> Diagnostic {
    let file = SourceFile::new(name, String::from_utf8_lossy(bytes).into_owned());
    let offset = file.offset_of(error.line(), error.column());
    Diagnostic::error(
        Code::InvalidInput,
        format!("{name}: invalid {what}: {}", serde_message(error)),
    )
    .at(&file, Span::new(offset, offset + 1))
    .with_label("here")
}

/// The fields every configuration item has, read with serde so type errors carry a location.
/// Unlisted fields (configurationStateId, relatedEvents, …) are accepted and dropped.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawItem<'a> {
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
    /// RFC 3339 in delivered files; epoch seconds (`1502510556.116`) from the Config API.
    #[serde(default)]
    configuration_item_capture_time: Option<serde_json::Value>,
    #[serde(default)]
    configuration_item_status: Option<String>,
    #[serde(default)]
    resource_creation_time: Option<serde_json::Value>,
    /// Left unparsed here: only the properties the policies read are built ([`Keep`]).
    #[serde(default, borrow)]
    configuration: Option<&'a serde_json::value::RawValue>,
    #[serde(default)]
    supplementary_configuration: serde_json::Value,
    #[serde(default)]
    relationships: serde_json::Value,
    #[serde(default)]
    tags: serde_json::Value,
}

/// What AWS Config says happened to a resource in an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItemState {
    /// `OK`, `ResourceDiscovered`, or no status (attestor's own items).
    Present,
    /// `ResourceDeleted`, `ResourceDeletedNotRecorded`: not part of the account's state.
    Deleted,
    /// `ResourceNotRecorded`: the resource exists, but the recorder did not record its settings.
    NotRecorded,
}

/// Where and why one item could not be read.
pub(crate) struct ItemProblem {
    offset: usize,
    /// What is wrong; for a missing account, what the item is (the field's name depends on the
    /// format, known once the whole file is read).
    message: String,
    missing_account: bool,
    resource_type: Option<String>,
    account_id: Option<String>,
    region: Option<String>,
}

/// Why an item was not read: a problem with the item (reported, the rest is evaluated), or
/// malformed JSON (the file is rejected, as anywhere else in it).
pub(crate) enum ItemFailure {
    Problem(ItemProblem),
    Syntax { offset: usize, message: String },
}

/// A configuration item read from a file, before duplicates are resolved.
pub(crate) struct ReadItem {
    item: ConfigurationItem,
    state: ItemState,
    captured_at: Option<jiff::Timestamp>,
}

/// Reads the items of a snapshot, history file or API output: one bad item is reported (with
/// its position) and becomes a collection error for its type, never a rejection of the file;
/// several items for one resource (a history file) resolve to the newest.
pub(crate) struct ItemsRead {
    pub items: Vec<ConfigurationItem>,
    pub errors: Vec<CollectionError>,
    pub warnings: Vec<Diagnostic>,
    pub notes: Vec<String>,
    pub captured_at: Option<jiff::Timestamp>,
    /// (account, region, type) of every item that shows the source records its type (present or
    /// deleted, never not-recorded or unreadable).
    pub recorded: BTreeSet<(String, String, String)>,
}

pub(crate) fn read_items(
    name: &str,
    origin: &Origin<'_>,
    list: stream::List,
    account_field: &str,
) -> ItemsRead {
    let list_key = list.key;
    let file = std::cell::OnceCell::new();
    let source_file = || file.get_or_init(|| origin.source_file(name)).clone();
    let mut read: Vec<ReadItem> = Vec::with_capacity(list.len());
    let mut problems: Vec<(usize, ItemProblem)> = Vec::new();
    for (index, parsed) in list.batches.into_iter().flatten().enumerate() {
        match parsed {
            stream::Parsed::Item(r) => read.push(r),
            stream::Parsed::Problem(mut problem) => {
                if problem.missing_account {
                    problem.message = format!("{} is missing `{account_field}`", problem.message);
                }
                problems.push((index, problem));
            }
        }
    }
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    for (index, problem) in &problems {
        let file = source_file();
        let (line, column) = file.line_col(problem.offset);
        let what = problem.resource_type.as_deref().map_or(
            "its resource type".to_string(),
            std::string::ToString::to_string,
        );
        warnings.push(
            Diagnostic::warning(
                Code::InvalidItem,
                format!("{name}: {list_key}[{index}] cannot be read: {}", problem.message),
            )
            .at(&file, Span::new(problem.offset, problem.offset + 1))
            .with_label("here")
            .with_help(format!(
                "the rest of the file is evaluated; policies over {what} give `error` for this account"
            )),
        );
        errors.push(CollectionError {
            service: "attestor".into(),
            region: problem
                .region
                .clone()
                .unwrap_or_else(|| coverage::ANY_REGION.into()),
            account_id: problem
                .account_id
                .clone()
                .unwrap_or_else(|| ANY_ACCOUNT.into()),
            operation: "ReadConfigurationItem".into(),
            iam_action: NO_IAM_ACTION.into(),
            error_code: "InvalidConfigurationItem".into(),
            message: format!(
                "{name}: {list_key}[{index}] (line {line}, column {column}) cannot be read: {}",
                problem.message
            ),
            resource_types: vec![
                problem
                    .resource_type
                    .clone()
                    .unwrap_or_else(|| crate::resource_schema::ANY_TYPE.into()),
            ],
            properties: Vec::new(),
            resources: Vec::new(),
        });
    }

    // Keys borrow from the items: one pass, no copies of every ID (this runs once per item).
    let mut captured_at: Option<jiff::Timestamp> = None;
    let mut recorded_keys: BTreeSet<(&str, &str, &str)> = BTreeSet::new();
    // A history file holds several states of one resource: the newest capture time wins (file
    // order breaks ties, so the result never depends on the sort).
    let mut newest: HashMap<ResourceKey, (Option<jiff::Timestamp>, usize)> =
        HashMap::with_capacity(read.len());
    for (i, r) in read.iter().enumerate() {
        let item = &r.item;
        if let Some(t) = r.captured_at {
            captured_at = Some(captured_at.map_or(t, |c| c.max(t)));
        }
        if r.state != ItemState::NotRecorded {
            recorded_keys.insert((&item.account_id, &item.region, &item.resource_type));
        }
        let key = (
            &*item.resource_type,
            &*item.account_id,
            &*item.region,
            item.resource_id.as_str(),
        );
        let rank = (r.captured_at, i);
        let best = newest.entry(key).or_insert(rank);
        if *best < rank {
            *best = rank;
        }
    }
    let recorded: BTreeSet<(String, String, String)> = recorded_keys
        .into_iter()
        .map(|(a, r, t)| (a.to_string(), r.to_string(), t.to_string()))
        .collect();
    let total = read.len();
    let mut keep = vec![false; total];
    for (_, i) in newest.into_values() {
        keep[i] = true;
    }
    let kept = keep.iter().filter(|k| **k).count();
    let superseded = total - kept;
    let mut deleted = 0;
    let mut not_recorded = 0;
    let mut items = Vec::with_capacity(kept);
    let mut interner = Interner::default();
    for (r, keep) in read.into_iter().zip(keep) {
        if !keep {
            continue;
        }
        match r.state {
            ItemState::Present => items.push(interner.item(r.item)),
            ItemState::Deleted => deleted += 1,
            ItemState::NotRecorded => {
                not_recorded += 1;
                errors.push(CollectionError {
                    service: "config".into(),
                    region: r.item.region.to_string(),
                    account_id: r.item.account_id.to_string(),
                    operation: "ReadConfigurationItem".into(),
                    iam_action: NO_IAM_ACTION.into(),
                    error_code: "ResourceNotRecorded".into(),
                    message: format!(
                        "AWS Config discovered {} {} but did not record its configuration \
                         (ResourceNotRecorded): record this type in AWS Config, or scan with --live",
                        r.item.resource_type, r.item.resource_id
                    ),
                    resource_types: vec![r.item.resource_type.to_string()],
                    properties: Vec::new(),
                    resources: Vec::new(),
                });
            }
        }
    }
    let mut notes = Vec::new();
    if superseded > 0 {
        notes.push(format!(
            "{superseded} older configuration item(s) of resources listed more than once (a history file) \
             were superseded: the newest configurationItemCaptureTime of each resource is evaluated"
        ));
    }
    if deleted > 0 {
        notes.push(format!(
            "{deleted} resource(s) whose newest item says they were deleted are not evaluated"
        ));
    }
    if not_recorded > 0 {
        notes.push(format!(
            "{not_recorded} resource(s) marked ResourceNotRecorded: AWS Config did not record their \
             configuration; policies over their types give `error`"
        ));
    }
    if !problems.is_empty() {
        notes.push(format!(
            "{} configuration item(s) could not be read; policies over their types give `error`",
            problems.len()
        ));
    }
    ItemsRead {
        items,
        errors,
        warnings,
        notes,
        captured_at,
        recorded,
    }
}

/// The IAM action of a collection error that is not an API call (a problem in the input file).
pub const NO_IAM_ACTION: &str = "(none)";

/// The error code of data a live run chose not to read because none of its policies reads it
/// (`collect::plan`): a policy that reads it later, from the snapshot, gets `error` saying so.
pub const NOT_COLLECTED: &str = "NotCollected";

/// (type, account, region, ID): what makes two items the same resource.
type ResourceKey<'a> = (&'a str, &'a str, &'a str, &'a str);

/// An account ID that stands for every account (an unreadable item whose account is unknown).
pub const ANY_ACCOUNT: &str = "*";

pub(crate) fn read_item(text: &str, base: usize, keep: &Keep) -> Result<ReadItem, ItemFailure> {
    let raw: RawItem = serde_json::from_str(text).map_err(|e| {
        let offset = base + crate::diagnostics::offset_of(text, e.line(), e.column());
        if e.classify() != serde_json::error::Category::Data {
            return ItemFailure::Syntax {
                offset,
                message: serde_message(&e),
            };
        }
        // Salvage what the item says it is, so the failure is charged to the right type.
        let value: Option<serde_json::Value> = serde_json::from_str(text).ok();
        let field = |keys: &[&str]| {
            value.as_ref().and_then(|v| {
                keys.iter()
                    .find_map(|k| v.get(*k).and_then(|x| x.as_str()).map(str::to_string))
            })
        };
        ItemFailure::Problem(ItemProblem {
            offset,
            message: serde_message(&e),
            missing_account: false,
            resource_type: field(&["resourceType"]),
            account_id: field(&["accountId", "awsAccountId"]),
            region: field(&["awsRegion"]),
        })
    })?;
    let problem = |message: String, raw: &RawItem<'_>| ItemProblem {
        offset: base,
        message,
        missing_account: false,
        resource_type: Some(raw.resource_type.clone()),
        account_id: raw.account_id.clone(),
        region: raw.aws_region.clone(),
    };
    let captured_at = match &raw.configuration_item_capture_time {
        None | Some(serde_json::Value::Null) => None,
        Some(value) => Some(time_value(value).map_err(|why| {
            ItemFailure::Problem(problem(format!("configurationItemCaptureTime {why}"), &raw))
        })?),
    };
    let state = match raw.configuration_item_status.as_deref() {
        Some(s) if s.starts_with("ResourceDeleted") => ItemState::Deleted,
        Some("ResourceNotRecorded") => ItemState::NotRecorded,
        _ => ItemState::Present,
    };
    let what = format!("{} {}", raw.resource_type, raw.resource_id);
    if raw.account_id.is_none() {
        let mut problem = problem(what, &raw);
        problem.missing_account = true;
        return Err(ItemFailure::Problem(problem));
    }
    if raw.aws_region.is_none() {
        return Err(ItemFailure::Problem(problem(
            format!("{what} is missing `awsRegion`"),
            &raw,
        )));
    }
    let configuration = match raw.configuration {
        Some(text) => keep
            .parse_property(&raw.resource_type, "configuration", text)
            .map_err(|e| {
                ItemFailure::Problem(problem(
                    format!("configuration: {}", serde_message(&e)),
                    &raw,
                ))
            })?,
        None => serde_json::Value::Null,
    };
    let mut item = raw.into_item(captured_at, configuration);
    shapes::normalize(&mut item);
    keep.prune(&item.resource_type, &mut item.doc);
    Ok(ReadItem {
        item,
        state,
        captured_at,
    })
}

/// Builds one item from a JSON value (policy unit tests write items inline), with the same
/// checks and shape normalisation as a file.
pub(crate) fn item_from_value(value: serde_json::Value) -> Result<ConfigurationItem, String> {
    let text = value.to_string();
    match read_item(&text, 0, &Keep::everything()) {
        Ok(r) => Ok(r.item),
        Err(ItemFailure::Problem(p)) if p.missing_account => {
            Err(format!("{} is missing `accountId`", p.message))
        }
        Err(ItemFailure::Problem(p)) => Err(p.message),
        Err(ItemFailure::Syntax { message, .. }) => Err(message),
    }
}

/// serde_json's message without the " at line L column C" it appends: the location is shown
/// separately.
fn serde_message(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.split_once(" at line ") {
        Some((text, _)) => text.to_string(),
        None => message,
    }
}

/// A time in a configuration item: RFC 3339 with any offset, or epoch seconds (a number or a
/// numeric string, fractions allowed) as the Config API returns them.
pub fn time_value(value: &serde_json::Value) -> Result<jiff::Timestamp, String> {
    let from_seconds = |seconds: f64| -> Result<jiff::Timestamp, String> {
        if !seconds.is_finite() {
            return Err(format!("{seconds} is not an epoch time"));
        }
        let whole = seconds.floor();
        let nanos = ((seconds - whole) * 1e9).round() as i32;
        jiff::Timestamp::new(whole as i64, nanos.min(999_999_999))
            .map_err(|e| format!("{seconds} is not an epoch time: {e}"))
    };
    match value {
        serde_json::Value::String(s) => match s.parse::<jiff::Timestamp>() {
            Ok(t) => Ok(t),
            Err(_) => match s.trim().parse::<f64>() {
                Ok(n) => from_seconds(n),
                Err(_) => Err(format!("`{s}` is not an RFC 3339 time or epoch seconds")),
            },
        },
        serde_json::Value::Number(n) => from_seconds(n.as_f64().unwrap_or(f64::NAN)),
        other => Err(format!("{other} is not a time")),
    }
}

impl RawItem<'_> {
    /// Builds the item; the account and region have been checked by the caller.
    fn into_item(
        self,
        captured_at: Option<jiff::Timestamp>,
        configuration: serde_json::Value,
    ) -> ConfigurationItem {
        let account_id = self.account_id.unwrap_or_default();
        let region = self.aws_region.unwrap_or_default();
        let mut doc = serde_json::Map::new();
        let mut put = |key: &str, value: serde_json::Value| {
            if !value.is_null() {
                doc.insert(key.to_string(), value);
            }
        };
        put("resourceType", self.resource_type.clone().into());
        put("resourceId", self.resource_id.clone().into());
        put("resourceName", self.resource_name.clone().into());
        put("accountId", account_id.clone().into());
        put("awsRegion", region.clone().into());
        put("arn", self.arn.clone().into());
        put("availabilityZone", self.availability_zone.into());
        // One spelling of times in the document, whatever the file used (RFC 3339, UTC).
        put(
            "configurationItemCaptureTime",
            captured_at.map(|t| t.to_string()).into(),
        );
        put(
            "configurationItemStatus",
            self.configuration_item_status.into(),
        );
        put(
            "resourceCreationTime",
            match self.resource_creation_time {
                Some(v @ serde_json::Value::Number(_)) => time_value(&v)
                    .map(|t| serde_json::Value::String(t.to_string()))
                    .unwrap_or(v),
                other => other.unwrap_or_default(),
            },
        );
        put("configuration", decode_embedded_json(configuration));
        put(
            "supplementaryConfiguration",
            decode_supplementary(self.supplementary_configuration),
        );
        put("relationships", self.relationships);
        put("tags", normalize_tags(self.tags));
        ConfigurationItem {
            resource_type: self.resource_type.into(),
            resource_id: self.resource_id,
            account_id: account_id.into(),
            region: region.into(),
            resource_name: self.resource_name,
            arn: self.arn,
            doc: serde_json::Value::Object(doc),
            unknown: Vec::new(),
        }
    }
}

/// Tags are a map in delivered snapshots; the Config API and CloudFormation write a list of
/// `{key, value}` (or `{Key, Value}`). Policies address `tags.<key>` either way.
fn normalize_tags(tags: serde_json::Value) -> serde_json::Value {
    let serde_json::Value::Array(list) = &tags else {
        return tags;
    };
    let mut map = serde_json::Map::new();
    for entry in list {
        let pick = |a: &str, b: &str| entry.get(a).or_else(|| entry.get(b)).cloned();
        match (pick("key", "Key"), pick("value", "Value")) {
            (Some(serde_json::Value::String(k)), Some(v)) => {
                map.insert(k, v);
            }
            // Not a tag list after all: keep the data as it came.
            _ => return tags,
        }
    }
    serde_json::Value::Object(map)
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
    match decode_embedded_json(value) {
        serde_json::Value::Object(map) => map
            .into_iter()
            .map(|(k, v)| (k, decode(v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        other => other,
    }
}

/// Sorted, de-duplicated account and region lists from items.
pub(crate) fn accounts_and_regions(items: &[ConfigurationItem]) -> (Vec<String>, Vec<String>) {
    let accounts: BTreeSet<&str> = items.iter().map(|i| &*i.account_id).collect();
    let regions: BTreeSet<&str> = items.iter().map(|i| &*i.region).collect();
    (
        accounts.into_iter().map(str::to_string).collect(),
        regions.into_iter().map(str::to_string).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_failure_per_resource_is_one_cause_naming_its_resources() {
        let failure = |bucket: &str| CollectionError {
            service: "s3".into(),
            region: "eu-west-1".into(),
            account_id: "111122223333".into(),
            operation: "GetBucketVersioning".into(),
            iam_action: "s3:GetBucketVersioning".into(),
            error_code: "InvalidResponse".into(),
            message: "the response could not be parsed".into(),
            resource_types: vec!["AWS::S3::Bucket".into()],
            properties: vec!["supplementaryConfiguration.BucketVersioningConfiguration".into()],
            resources: vec![bucket.into()],
        };
        let mut errors: Vec<CollectionError> =
            (1..=5).map(|i| failure(&format!("bucket-{i}"))).collect();
        // Another cause stays apart.
        let mut denied = failure("bucket-9");
        denied.error_code = "AccessDenied".into();
        errors.push(denied);
        let inventory = Inventory::new(
            SourceInfo::for_tests("111122223333", "eu-west-1"),
            Vec::new(),
            errors,
            Coverage::complete(),
        );
        assert_eq!(inventory.collection_errors.len(), 2);
        let parse = &inventory.collection_errors[1];
        assert_eq!(parse.resources.len(), 5);
        assert_eq!(
            parse.describe(),
            "GetBucketVersioning (s3:GetBucketVersioning) failed with InvalidResponse for 5 \
             AWS::S3::Bucket (bucket-1, bucket-2, bucket-3, and 2 more) in eu-west-1: only \
             supplementaryConfiguration.BucketVersioningConfiguration is unknown for them: the \
             response could not be parsed"
        );
        assert_eq!(inventory.collection_errors[0].resources, ["bucket-9"]);
    }
}
