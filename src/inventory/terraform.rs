//! Terraform plans (`terraform show -json PLAN`): the planned AWS resources as configuration
//! items, so the same policies judge a change before apply.
//!
//! Each managed AWS resource of `resource_changes` that exists after apply (created, updated,
//! replaced or unchanged; deletions are noted, not evaluated) becomes the item AWS Config would
//! record for it ([`types`]), named by its Terraform address (`module.db.aws_db_instance.main`):
//! `resourceId` is the address, so results name it and references between planned resources
//! join on it. A value known only after apply is never written as a value: its property path is
//! listed in [`ConfigurationItem::unknown`], and a policy reading it gives `error`. An ID that
//! does not exist yet is named through the configuration's references ([`plan::Resolver`]).
//!
//! Account and region come from the plan where it states them (the resource's ARN or `region`,
//! the provider's `region` and `allowed_account_ids`, an `aws_caller_identity` data source);
//! otherwise they are `unknown` (the same for every such item, so joins still work), and
//! `accountId` / `awsRegion` are listed as unknown.

mod build;
mod plan;
mod types;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::coverage::{ANY_REGION, Basis, Coverage, is_global_type};
use super::{
    ANY_ACCOUNT, CollectionError, ConfigurationItem, Interner, Inventory, Loaded, NO_IAM_ACTION,
    SourceInfo, SourceKind,
};
use crate::diagnostics::{Code, Diagnostic, SourceFile, Span};
use build::{Attached, Builder, Ctx, Places, UNSTATED, arn_parts};
use plan::{Action, Config, Planned, Resolver, address_parts};

/// What to run to get a plan's JSON, for messages about files that are not one.
const HOW_TO: &str =
    "terraform plan -out plan.tfplan && terraform show -json plan.tfplan > plan.json";

/// Types an account has exactly one of (per region for EBS): a plan that sets one decides it.
const ACCOUNT_SETTINGS: [&str; 3] = [
    "Attestor::IAM::PasswordPolicy",
    "Attestor::S3::AccountPublicAccessBlock",
    "Attestor::EC2::EbsEncryptionByDefault",
];

/// The Terraform type of the account's password policy.
const PASSWORD_POLICY: &str = "aws_iam_account_password_policy";

/// Reads a plan file (UTF-8 with or without BOM, or UTF-16 with BOM).
pub fn load_terraform_plan(path: &Path) -> Result<Loaded, Diagnostic> {
    let name = path.display().to_string();
    let bytes = crate::diagnostics::read_input(path).map_err(|e| {
        Diagnostic::error(
            Code::UnreadableInput,
            format!("{name}: cannot read Terraform plan: {e}"),
        )
    })?;
    parse_terraform_plan(&name, &bytes)
}

/// Parses plan JSON already read; `name` is the file name for diagnostics.
pub fn parse_terraform_plan(name: &str, bytes: &[u8]) -> Result<Loaded, Diagnostic> {
    let sha256 = {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(bytes))
    };
    let text = decode(name, bytes)?;
    let top = read_top(name, &text)?;
    let mut loaded = Reader::new(name, &text, &top)?.read()?;
    loaded.inventory.source.path = Some(name.to_string());
    loaded.inventory.source.sha256 = Some(sha256);
    Ok(loaded)
}

/// The plan's text: UTF-16 (either byte order, as PowerShell's `>` writes it) with its byte-order
/// mark, or UTF-8 with or without one.
fn decode(name: &str, bytes: &[u8]) -> Result<String, Diagnostic> {
    let utf16 = |rest: &[u8], little: bool| -> Result<String, Diagnostic> {
        if !rest.len().is_multiple_of(2) {
            return Err(Diagnostic::error(
                Code::InvalidUtf8,
                format!(
                    "{name}: the file starts with a UTF-16 byte-order mark but has an odd number of bytes"
                ),
            ));
        }
        let units = rest.chunks_exact(2).map(|pair| {
            // `chunks_exact(2)`: every pair has two bytes.
            let pair = [pair[0], pair[1]];
            if little {
                u16::from_le_bytes(pair)
            } else {
                u16::from_be_bytes(pair)
            }
        });
        char::decode_utf16(units)
            .enumerate()
            .map(|(i, c)| {
                c.map_err(|_| {
                    Diagnostic::error(
                        Code::InvalidUtf8,
                        format!(
                            "{name}: invalid UTF-16: an unpaired surrogate after character {i}"
                        ),
                    )
                })
            })
            .collect()
    };
    if let Some(rest) = bytes.strip_prefix(&[0xff, 0xfe]) {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        return utf16(rest, false);
    }
    let (bom, bytes) = match bytes.strip_prefix(b"\xef\xbb\xbf") {
        Some(rest) => (3, rest),
        None => (0, bytes),
    };
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        let offset = bom + e.utf8_error().valid_up_to();
        let hint = if bytes.contains(&0) {
            " (UTF-16 without a byte-order mark? save it as UTF-8)"
        } else {
            ""
        };
        Diagnostic::error(
            Code::InvalidUtf8,
            format!("{name}: not UTF-8 or UTF-16 text: invalid byte at offset {offset}{hint}"),
        )
    })
}

/// The plan's top-level fields, left unparsed until needed (each `resource_changes` entry is
/// parsed on its own, so one bad entry is located and reported without rejecting the file).
#[derive(Deserialize)]
struct Top<'a> {
    #[serde(borrow, default)]
    format_version: Option<&'a RawValue>,
    #[serde(borrow, default)]
    terraform_version: Option<&'a RawValue>,
    #[serde(borrow, default)]
    resource_changes: Option<&'a RawValue>,
    #[serde(borrow, default)]
    planned_values: Option<&'a RawValue>,
    #[serde(borrow, default)]
    configuration: Option<&'a RawValue>,
    #[serde(borrow, default)]
    prior_state: Option<&'a RawValue>,
    #[serde(borrow, default)]
    variables: Option<&'a RawValue>,
    #[serde(borrow, default)]
    timestamp: Option<&'a RawValue>,
    #[serde(borrow, default)]
    errored: Option<&'a RawValue>,
    #[serde(borrow, default)]
    complete: Option<&'a RawValue>,
    /// A state (`terraform show -json` without a plan file) has `values` instead.
    #[serde(borrow, default)]
    values: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "snapshotVersion")]
    snapshot_version: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "configurationItems")]
    configuration_items: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "baseConfigurationItems")]
    base_configuration_items: Option<&'a RawValue>,
}

fn not_a_plan(name: &str, what: &str) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidInput,
        format!("{name}: not a Terraform plan: {what}"),
    )
    .with_help(format!(
        "write the plan's JSON with `{HOW_TO}`, then pass --terraform-plan plan.json"
    ))
}

/// Reads the top level and tells a plan from the JSON files people mistake for one.
fn read_top<'t>(name: &str, text: &'t str) -> Result<Top<'t>, Diagnostic> {
    // serde would read a struct from a list too: a plan is an object.
    if !text.trim_start().starts_with('{') {
        return Err(match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Err(syntax) => super::json_error("Terraform plan", name, text.as_bytes(), &syntax),
            Ok(_) => not_a_plan(name, "the file holds JSON that is not an object"),
        });
    }
    let top: Top = serde_json::from_str(text).map_err(|e| {
        // Malformed JSON anywhere is located; well-formed JSON of another shape is not a plan.
        match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Err(syntax) => super::json_error("Terraform plan", name, text.as_bytes(), &syntax),
            // Well-formed, but a key given twice.
            Ok(_) => super::json_error("Terraform plan", name, text.as_bytes(), &e),
        }
    })?;
    if top.snapshot_version.is_some() {
        return Err(not_a_plan(
            name,
            "it is an attestor snapshot (scan it with --snapshot)",
        ));
    }
    if top.configuration_items.is_some() || top.base_configuration_items.is_some() {
        return Err(not_a_plan(
            name,
            "it is AWS Config data (scan it with --snapshot)",
        ));
    }
    let version = match top
        .format_version
        .map(|raw| serde_json::from_str::<Value>(raw.get()))
    {
        Some(Ok(Value::String(v))) => Some(v),
        Some(Ok(other)) => {
            return Err(not_a_plan(
                name,
                &format!("`format_version` is {other}, expected a string such as \"1.2\""),
            ));
        }
        Some(Err(_)) | None => None,
    };
    let is_plan = top.resource_changes.is_some() || top.planned_values.is_some();
    if !is_plan && top.values.is_some() {
        return Err(not_a_plan(
            name,
            "it is a Terraform state (`terraform show -json` without a plan file), which says what exists, not what a change will make",
        ));
    }
    let Some(version) = version else {
        return Err(not_a_plan(
            name,
            "it has no `format_version`, `planned_values` or `resource_changes`",
        ));
    };
    let major = version.split('.').next().unwrap_or_default();
    let minor_ok = version
        .split_once('.')
        .is_some_and(|(_, minor)| !minor.is_empty() && minor.chars().all(|c| c.is_ascii_digit()));
    if major != "1" || !minor_ok {
        return Err(Diagnostic::error(
            Code::InvalidInput,
            format!(
                "{name}: Terraform plan format_version {version} is not supported: attestor reads format 1.x (Terraform 1.0 and later)"
            ),
        )
        .with_help(format!("write the plan with Terraform 1.x: `{HOW_TO}`")));
    }
    if !is_plan {
        return Err(not_a_plan(
            name,
            "it has no `planned_values` or `resource_changes`",
        ));
    }
    Ok(top)
}

/// Parses one top-level field, locating a wrong type.
fn field<'t>(
    name: &str,
    text: &'t str,
    key: &str,
    raw: Option<&'t RawValue>,
) -> Result<Option<Value>, Diagnostic> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    // The two large fields are only checked for their kind here, not built.
    let first = raw.get().trim_start().chars().next();
    if let ("resource_changes", Some('[')) | ("planned_values", Some('{')) = (key, first) {
        return Ok(None);
    }
    let value: Value = serde_json::from_str(raw.get())
        .map_err(|e| super::json_error("Terraform plan", name, text.as_bytes(), &e))?;
    match (key, &value) {
        (_, Value::Null) => Ok(None),
        ("resource_changes", Value::Array(_))
        | ("configuration" | "prior_state" | "variables" | "planned_values", Value::Object(_))
        | ("timestamp" | "terraform_version", Value::String(_))
        | ("errored" | "complete", Value::Bool(_)) => Ok(Some(value)),
        _ => {
            let offset = (raw.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
            let file = SourceFile::new(name, text.to_string());
            Err(Diagnostic::error(
                Code::InvalidInput,
                format!(
                    "{name}: invalid Terraform plan: `{key}` is {}",
                    plan::kind(&value)
                ),
            )
            .at(&file, Span::new(offset, offset + 1))
            .with_label("here"))
        }
    }
}

/// Reads one plan into an inventory.
struct Reader<'t> {
    name: &'t str,
    text: &'t str,
    file: std::cell::OnceCell<Arc<SourceFile>>,
    version: String,
    terraform_version: Option<String>,
    resource_changes: Vec<&'t RawValue>,
    configuration: Option<Value>,
    prior_state: Option<Value>,
    variables: Option<Value>,
    captured_at: Option<jiff::Timestamp>,
    warnings: Vec<Diagnostic>,
    notes: Vec<String>,
    errors: Vec<CollectionError>,
}

impl<'t> Reader<'t> {
    fn new(name: &'t str, text: &'t str, top: &Top<'t>) -> Result<Self, Diagnostic> {
        let f = |key: &str, raw| field(name, text, key, raw);
        let version = top
            .format_version
            .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
            .unwrap_or_default();
        // Checked for its type; entries are parsed one by one below.
        f("resource_changes", top.resource_changes)?;
        let resource_changes: Vec<&RawValue> = match top.resource_changes {
            Some(raw) if raw.get() != "null" => serde_json::from_str(raw.get())
                .map_err(|e| super::json_error("Terraform plan", name, text.as_bytes(), &e))?,
            _ => Vec::new(),
        };
        let mut reader = Reader {
            name,
            text,
            file: std::cell::OnceCell::new(),
            version,
            terraform_version: f("terraform_version", top.terraform_version)?
                .and_then(|v| v.as_str().map(str::to_string)),
            resource_changes,
            configuration: f("configuration", top.configuration)?,
            prior_state: f("prior_state", top.prior_state)?,
            variables: f("variables", top.variables)?,
            captured_at: None,
            warnings: Vec::new(),
            notes: Vec::new(),
            errors: Vec::new(),
        };
        if let Some(Value::String(t)) = f("timestamp", top.timestamp)? {
            match t.parse::<jiff::Timestamp>() {
                Ok(t) => reader.captured_at = Some(t),
                Err(e) => reader.warn_at(
                    top.timestamp.map(|r| reader.offset(r)),
                    format!("{name}: `timestamp` {t:?} is not an RFC 3339 time ({e}): ages are measured from --as-of or today"),
                    None,
                ),
            }
        }
        f("planned_values", top.planned_values)?;
        if f("errored", top.errored)? == Some(Value::Bool(true)) {
            reader.warn_at(
                None,
                format!("{name}: the plan is errored: Terraform could not finish planning, so it shows only part of the change"),
                Some("fix the errors `terraform plan` reports and write the plan again".into()),
            );
            reader.notes.push("the plan is errored (Terraform could not finish it): it shows only part of the change".into());
        }
        if f("complete", top.complete)? == Some(Value::Bool(false)) {
            reader.notes.push(
                "the plan is not complete (Terraform deferred some changes to a later plan): resources it defers are not shown"
                    .into(),
            );
        }
        Ok(reader)
    }

    fn offset(&self, raw: &RawValue) -> usize {
        (raw.get().as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize)
    }

    fn source(&self) -> Arc<SourceFile> {
        self.file
            .get_or_init(|| SourceFile::new(self.name, self.text.to_string()))
            .clone()
    }

    fn warn_at(&mut self, offset: Option<usize>, message: String, help: Option<String>) {
        let mut d = Diagnostic::warning(Code::InvalidItem, message).with_help_opt(help);
        if let Some(offset) = offset {
            d = d
                .at(&self.source(), Span::new(offset, offset + 1))
                .with_label("here");
        }
        self.warnings.push(d);
    }

    /// Reports a resource that cannot be mapped: a warning at its entry and a collection error
    /// for its type, so policies over the type give `error` rather than pass.
    fn unreadable(
        &mut self,
        at: (usize, usize),
        what: &str,
        aws_type: Option<&str>,
        place: (&str, &str),
        problem: &str,
    ) {
        let (index, offset) = at;
        let (line, column) = self.source().line_col(offset);
        let whom = aws_type.unwrap_or("its resource type");
        self.warn_at(
            Some(offset),
            format!(
                "{}: resource_changes[{index}] {what} cannot be read: {problem}",
                self.name
            ),
            Some(format!(
                "the rest of the plan is evaluated; policies over {whom} give `error`"
            )),
        );
        self.errors.push(CollectionError {
            service: "terraform".into(),
            region: place.1.to_string(),
            account_id: place.0.to_string(),
            operation: "ReadResourceChange".into(),
            iam_action: NO_IAM_ACTION.into(),
            error_code: "InvalidResourceChange".into(),
            message: format!(
                "{}: resource_changes[{index}] {what} (line {line}, column {column}) cannot be read: {problem}",
                self.name
            ),
            resource_types: vec![aws_type.unwrap_or(crate::resource_schema::ANY_TYPE).to_string()],
            properties: Vec::new(),
            resources: vec![what.to_string()],
        });
    }

    /// Parses `resource_changes` into the managed resources; counts and reports the rest.
    fn planned(&mut self, skipped: &mut Skipped) -> Vec<Planned> {
        let mut out = Vec::new();
        let entries = std::mem::take(&mut self.resource_changes);
        for (index, raw) in entries.iter().enumerate() {
            let offset = self.offset(raw);
            let read = serde_json::from_str::<Value>(raw.get())
                .map_err(|e| Unreadable {
                    what: format!("resource_changes[{index}]"),
                    tf_type: None,
                    problem: e.to_string(),
                })
                .and_then(|entry| resource_change(index, offset, &entry, skipped));
            match read {
                Ok(Some(p)) => out.push(p),
                Ok(None) => {}
                Err(u) => {
                    let aws_type = u.tf_type.as_deref().map(aws_type_of);
                    if let Some(None) = aws_type {
                        // A type no policy reads stays skipped, whatever is wrong with it.
                        skipped.other_type(u.tf_type.as_deref().unwrap_or_default());
                    } else {
                        let place = (ANY_ACCOUNT, ANY_REGION);
                        self.unreadable(
                            (index, offset),
                            &u.what,
                            aws_type.flatten(),
                            place,
                            &u.problem,
                        );
                    }
                }
            }
        }
        self.resource_changes = entries;
        out
    }

    /// Account settings the plan deletes, or replaces by creating the new one first (the old
    /// one's deletion then comes last): deleting one sets the account back to AWS's default, so
    /// their values become that state and they are evaluated. Returns their addresses.
    fn reset_account_settings(&mut self, planned: &mut [Planned], skipped: &mut Skipped) {
        let mut reset = Vec::new();
        for p in planned.iter_mut().filter(|p| p.mapped) {
            let deletes_last =
                p.action == Action::Delete || (p.action == Action::Replace && p.create_first);
            // AWS's state once the setting is deleted: S3 DeletePublicAccessBlock leaves all four
            // settings off; DisableEbsEncryptionByDefault turns it off; DeleteAccountPasswordPolicy
            // leaves no policy (no item; the type is covered, so the policy's `if-none` decides).
            let after = match p.tf_type.as_str() {
                "aws_s3_account_public_access_block" => serde_json::json!({
                    "block_public_acls": false, "ignore_public_acls": false,
                    "block_public_policy": false, "restrict_public_buckets": false}),
                "aws_ebs_encryption_by_default" => serde_json::json!({"enabled": false}),
                PASSWORD_POLICY => serde_json::json!({}),
                _ => continue,
            };
            if !deletes_last {
                continue;
            }
            if p.action == Action::Replace {
                self.warn_at(
                    Some(p.offset),
                    format!(
                        "{}: {} is replaced creating the new one first (create_before_destroy): deleting the old one last resets the account's setting, so it is evaluated as reset",
                        self.name, p.address
                    ),
                    Some("remove create_before_destroy from this account setting".into()),
                );
            }
            p.values = after;
            p.unknown = Value::Bool(false);
            p.reset = true;
            skipped.deleted.retain(|a| *a != p.address);
            reset.push(p.address.clone());
        }
        if !reset.is_empty() {
            self.notes.push(format!(
                "{} account setting(s) the plan deletes are evaluated as the account is left after the deletion (AWS's default; no password policy): {}",
                reset.len(),
                shortened(&reset)
            ));
        }
    }

    /// The accounts the plan states: `aws_caller_identity` data sources, and every known ARN.
    fn stated_accounts(&self, planned: &[Planned]) -> BTreeSet<String> {
        let mut accounts = BTreeSet::new();
        fn walk(module: &Value, accounts: &mut BTreeSet<String>, depth: usize) {
            if depth > 64 {
                return;
            }
            for r in module
                .get("resources")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if r.get("type").and_then(Value::as_str) == Some("aws_caller_identity")
                    && let Some(a) = r
                        .get("values")
                        .and_then(|v| v.get("account_id"))
                        .and_then(Value::as_str)
                {
                    accounts.insert(a.to_string());
                }
            }
            for child in module
                .get("child_modules")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                walk(child, accounts, depth + 1);
            }
        }
        if let Some(root) = self
            .prior_state
            .as_ref()
            .and_then(|s| s.get("values"))
            .and_then(|v| v.get("root_module"))
        {
            walk(root, &mut accounts, 0);
        }
        // Every ARN the plan knows, of what exists now (`before`) or after apply.
        for p in planned {
            let after = match p.get("arn") {
                plan::Val::Known(Value::String(arn)) => Some(arn.as_str()),
                _ => None,
            };
            for arn in [after, p.before.get("arn").and_then(Value::as_str)]
                .into_iter()
                .flatten()
            {
                if let (_, Some(account)) = arn_parts(arn) {
                    accounts.insert(account.to_string());
                }
            }
        }
        accounts
    }

    /// The inventory: every mapped resource that exists after apply, as an item.
    fn read(mut self) -> Result<Loaded, Diagnostic> {
        let mut skipped = Skipped::default();
        let mut planned = self.planned(&mut skipped);
        self.reset_account_settings(&mut planned, &mut skipped);
        let configuration = self.configuration.take();
        let variables = self.variables.take();
        let accounts = self.stated_accounts(&planned);
        let config = Config::new(configuration.as_ref());
        let places = Places::new(config.providers, variables.as_ref(), &accounts);
        let resolver = Resolver::new(config, &planned);
        let attached = Attached::new(&resolver, &planned, types::JOINS);
        let cx = Ctx {
            resolver,
            attached,
            all: &planned,
        };
        let mut interner = Interner::default();
        let mut items = Vec::new();
        let mut unstated = Unstated::default();
        // Deleted password policies: none after apply, in their account.
        let mut no_policy: Vec<(String, String)> = Vec::new();
        for (index, p) in planned.iter().enumerate() {
            if p.reset && p.tf_type == PASSWORD_POLICY {
                let place = places.of(&cx.resolver, p, true);
                let account = place.account.unwrap_or_else(|| UNSTATED.to_string());
                no_policy.push((account, super::coverage::GLOBAL_REGION.to_string()));
                continue;
            }
            if !p.mapped || !(p.action.evaluated() || p.reset) {
                continue;
            }
            if let Some(mapping) = types::mapping(&p.tf_type)
                && let Some(item) = self.item(&cx, &places, index, mapping, &mut unstated)
            {
                items.push(interner.item(item));
            }
        }
        let outside = self.report_joins(&cx);
        let exhausted = cx.resolver.exhausted();
        if exhausted > 0 {
            self.warn_at(
                None,
                format!(
                    "{}: {exhausted} reference resolution(s) followed more than {} references through the configuration's modules and stopped: those values are unknown",
                    self.name,
                    plan::RESOLUTION_BUDGET
                ),
                Some("the configuration's module inputs and outputs loop or fan out; check the plan was written by Terraform".into()),
            );
        }
        drop(cx);
        let notes = self.notes(&items, &skipped, &outside, &unstated);
        let (mut account_ids, regions) = super::accounts_and_regions(&items);
        for (account, _) in &no_policy {
            if !account_ids.contains(account) {
                account_ids.push(account.clone());
            }
        }
        account_ids.sort();
        let source = SourceInfo {
            kind: SourceKind::TerraformPlan,
            path: None,
            sha256: None,
            captured_at: self.captured_at,
            account_ids,
            regions,
            notes,
            files: Vec::new(),
        };
        let errors = std::mem::take(&mut self.errors);
        crate::diagnostics::sort(&mut self.warnings);
        // A plan covers nothing of the account, except the account settings it sets: there is
        // one of each per account (and region), so the plan's is the account's after apply.
        let mut coverage = Coverage::new(Basis::TerraformPlan);
        for item in items
            .iter()
            .filter(|i| ACCOUNT_SETTINGS.contains(&&*i.resource_type))
        {
            coverage.add(&item.account_id, &item.region, &item.resource_type);
            // The account's S3 Block Public Access is one for all its regions.
            if &*item.resource_type == "Attestor::S3::AccountPublicAccessBlock" {
                coverage.add(&item.account_id, ANY_REGION, &item.resource_type);
            }
        }
        for (account, region) in &no_policy {
            coverage.add(account, region, "Attestor::IAM::PasswordPolicy");
        }
        Ok(Loaded {
            inventory: Inventory::new(source, items, errors, coverage),
            warnings: self.warnings,
        })
    }

    /// One resource's item, or `None` (reported) when a value has the wrong type.
    fn item(
        &mut self,
        cx: &Ctx<'_>,
        places: &Places<'_>,
        index: usize,
        mapping: &types::Mapping,
        unstated: &mut Unstated,
    ) -> Option<ConfigurationItem> {
        let p = &cx.all[index];
        let place = places.of(&cx.resolver, p, global(mapping.aws_type));
        let account = place.account.as_deref().unwrap_or(UNSTATED);
        let region = place.region.as_deref().unwrap_or(UNSTATED);
        let mut builder = Builder::new(cx, index);
        (mapping.build)(&mut builder);
        let built = builder.into_parts();
        for warning in &built.warnings {
            self.warn_at(Some(p.offset), format!("{}: {warning}", self.name), None);
        }
        if !built.problems.is_empty() {
            let problems = built.problems.join("; ");
            let at = (p.index, p.offset);
            self.unreadable(
                at,
                &p.address,
                Some(mapping.aws_type),
                (account, region),
                &problems,
            );
            return None;
        }
        let mut unknown = built.unknown;
        if place.account.is_none() {
            unstated.accounts += 1;
            unknown.push("accountId".into());
        }
        if place.region.is_none() {
            unstated.regions += 1;
            unknown.push("awsRegion".into());
        }
        unknown.sort();
        unknown.dedup();
        let arn = match p.get("arn") {
            plan::Val::Known(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            _ => None,
        };
        let mut doc = serde_json::Map::new();
        doc.insert("resourceType".into(), mapping.aws_type.into());
        doc.insert("resourceId".into(), p.address.clone().into());
        if let Some(name) = &built.name {
            doc.insert("resourceName".into(), name.clone().into());
        }
        doc.insert("accountId".into(), account.into());
        doc.insert("awsRegion".into(), region.into());
        if let Some(arn) = &arn {
            doc.insert("arn".into(), arn.clone().into());
        }
        doc.extend(built.doc);
        let mut item = ConfigurationItem {
            resource_type: mapping.aws_type.into(),
            resource_id: p.address.clone(),
            account_id: account.into(),
            region: region.into(),
            resource_name: built.name,
            arn,
            doc: Value::Object(doc),
            unknown,
        };
        super::shapes::normalize(&mut item);
        Some(item)
    }

    /// Reports joined resources that could not be joined; returns those configuring something
    /// outside the plan, for the notes.
    fn report_joins(&mut self, cx: &Ctx<'_>) -> Vec<String> {
        for (i, join, problem) in &cx.attached.problems {
            let p = &cx.all[*i];
            let place = (ANY_ACCOUNT, ANY_REGION);
            self.unreadable(
                (p.index, p.offset),
                &p.address,
                Some(join.aws_type),
                place,
                problem,
            );
        }
        for (i, join) in &cx.attached.orphans {
            if cx.attached.problems.iter().any(|(j, _, _)| j == i) {
                continue;
            }
            let p = &cx.all[*i];
            self.warn_at(
                Some(p.offset),
                format!(
                    "{}: {} sets `{}` to a value known only after apply that names no resource of the plan: {} is unknown for every {} of the plan",
                    self.name, p.address, join.attribute, join.property, join.aws_type
                ),
                Some("refer to the resource it configures directly (for example `bucket = aws_s3_bucket.logs.id`)".into()),
            );
        }
        cx.attached
            .outside
            .iter()
            .map(|(i, what)| format!("{} ({what})", cx.all[*i].address))
            .collect()
    }

    /// What a reader of the evidence should know about how the plan was read.
    fn notes(
        &mut self,
        items: &[ConfigurationItem],
        skipped: &Skipped,
        outside: &[String],
        unstated: &Unstated,
    ) -> Vec<String> {
        let mut notes = vec![format!(
            "Terraform plan (format {}{}): {} resource change(s), {} configuration item(s); a plan shows only the resources it manages, so absence is never evidence",
            self.version,
            self.terraform_version
                .as_deref()
                .map(|v| format!(", Terraform {v}"))
                .unwrap_or_default(),
            self.resource_changes.len(),
            items.len()
        )];
        notes.append(&mut self.notes);
        notes.extend(skipped.notes());
        if !outside.is_empty() {
            notes.push(format!(
                "{} resource(s) configure resources outside the plan and are not evaluated: {}",
                outside.len(),
                shortened(outside)
            ));
        }
        if unstated.accounts > 0 {
            notes.push(format!(
                "the plan does not state the account of {} item(s) (no ARN, no provider allowed_account_ids, no single aws_caller_identity): their account is `{UNSTATED}` and accountId is unknown",
                unstated.accounts
            ));
        }
        if unstated.regions > 0 {
            notes.push(format!(
                "the plan does not state the region of {} item(s) (no `region` argument or constant provider region): their region is `{UNSTATED}` and awsRegion is unknown",
                unstated.regions
            ));
        }
        if self.captured_at.is_none() {
            notes.push("the plan has no `timestamp` (Terraform before 1.5): ages are measured from --as-of or today".into());
        }
        notes
    }
}

/// Whether attestor records the type under region `global`: IAM, and the account-wide S3 Block
/// Public Access setting (S3 Control), as live collection does.
fn global(aws_type: &str) -> bool {
    is_global_type(aws_type) || aws_type == "Attestor::S3::AccountPublicAccessBlock"
}

/// How many items the plan does not give an account or a region.
#[derive(Default)]
struct Unstated {
    accounts: usize,
    regions: usize,
}

/// A `resource_changes` entry that cannot be read: what it is, its type if it says, and why.
struct Unreadable {
    what: String,
    tf_type: Option<String>,
    problem: String,
}

/// The AWS Config type a Terraform type becomes or is folded into.
fn aws_type_of(tf_type: &str) -> Option<&'static str> {
    types::mapping(tf_type).map(|m| m.aws_type).or_else(|| {
        types::JOINS
            .iter()
            .find(|j| j.tf_type == tf_type)
            .map(|j| j.aws_type)
    })
}

/// One `resource_changes` entry: a managed resource (every one can be referred to; only AWS
/// resources of mapped types become items), or `None` for what is not evaluated.
fn resource_change(
    index: usize,
    offset: usize,
    entry: &Value,
    skipped: &mut Skipped,
) -> Result<Option<Planned>, Unreadable> {
    let text = |key: &str| entry.get(key).and_then(Value::as_str);
    let tf_type = text("type").map(str::to_string);
    let Some(address) = text("address").map(str::to_string) else {
        return Err(Unreadable {
            what: format!("resource_changes[{index}]"),
            tf_type,
            problem: "`address` is missing or not a string".into(),
        });
    };
    if text("mode").unwrap_or("managed") != "managed" {
        // Data sources are read, not made; ephemeral resources are never stored.
        return Ok(None);
    }
    let Some(tf_type) = tf_type else {
        return Err(Unreadable {
            what: address,
            tf_type: None,
            problem: "`type` is missing or not a string".into(),
        });
    };
    let Some(provider) = text("provider_name").map(str::to_string) else {
        // Without its provider a resource of a mapped type may be AWS's: never skipped silently.
        if aws_type_of(&tf_type).is_none() {
            skipped.other_type(&tf_type);
            return Ok(None);
        }
        return Err(Unreadable {
            what: address,
            tf_type: Some(tf_type),
            problem: "`provider_name` is missing or not a string".into(),
        });
    };
    // The AWS provider by its registry address (on any registry host, OpenTofu's too), or bare.
    let aws = provider == "aws" || provider.ends_with("hashicorp/aws");
    let mapped = aws && aws_type_of(&tf_type).is_some();
    let not_mapped = |skipped: &mut Skipped| {
        if aws {
            skipped.other_type(&tf_type);
        } else {
            skipped.other_provider(&provider);
        }
    };
    if entry.get("deposed").is_some_and(|d| !d.is_null()) {
        // A deposed object (create_before_destroy) is the old copy being deleted.
        if mapped {
            skipped.deleted.push(address);
        } else {
            not_mapped(skipped);
        }
        return Ok(None);
    }
    match planned_resource(index, offset, &address, &tf_type, entry) {
        Ok(planned) => {
            if !mapped {
                not_mapped(skipped);
            } else if planned.action == Action::Delete {
                skipped.deleted.push(address);
            } else if planned.action == Action::Forget {
                skipped.forgotten.push(address);
            }
            Ok(Some(Planned { mapped, ..planned }))
        }
        Err(problem) if mapped => Err(Unreadable {
            what: address,
            tf_type: Some(tf_type),
            problem,
        }),
        // Anything else only matters as a reference target.
        Err(_) => {
            not_mapped(skipped);
            Ok(None)
        }
    }
}

/// A `resource_changes` entry's address, action and values; the problem if they cannot be read.
fn planned_resource(
    index: usize,
    offset: usize,
    address: &str,
    tf_type: &str,
    entry: &Value,
) -> Result<Planned, String> {
    let Some(parts) = address_parts(address) else {
        return Err(format!("`{address}` is not a resource address"));
    };
    if parts.tf_type != tf_type {
        return Err(format!(
            "the address names type {} but `type` is {tf_type}",
            parts.tf_type
        ));
    }
    let Some(change) = entry.get("change").filter(|c| c.is_object()) else {
        return Err("`change` is missing or not an object".into());
    };
    let actions: Option<Vec<&str>> = change
        .get("actions")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().map(Value::as_str).collect());
    let Some(actions) = actions else {
        return Err("`change.actions` is missing or not a list of strings".into());
    };
    let Some(action) = Action::parse(&actions) else {
        return Err(format!(
            "`change.actions` {actions:?} is not an action attestor knows"
        ));
    };
    let before = change.get("before").cloned().unwrap_or(Value::Null);
    let (values, unknown) = if action.evaluated() {
        let after = change.get("after").cloned().unwrap_or(Value::Null);
        if !after.is_object() {
            return Err(format!(
                "`change.after` is {}, expected an object",
                plan::kind(&after)
            ));
        }
        let unknown = change
            .get("after_unknown")
            .cloned()
            .unwrap_or(Value::Bool(false));
        if !matches!(unknown, Value::Object(_) | Value::Bool(_)) {
            return Err(format!(
                "`change.after_unknown` is {}, expected an object",
                plan::kind(&unknown)
            ));
        }
        (after, unknown)
    } else {
        // What is deleted is followed to its owner (a bucket's deleted versioning).
        (before.clone(), Value::Bool(false))
    };
    Ok(Planned {
        address: address.to_string(),
        module: parts.module,
        config_module: parts.config_module,
        tf_type: tf_type.to_string(),
        name: parts.name,
        mapped: false,
        action,
        values,
        unknown,
        before,
        create_first: actions == ["create", "delete"],
        reset: false,
        offset,
        index,
    })
}

/// The first few of a list, and how many more.
fn shortened(list: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut text = list
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if list.len() > SHOWN {
        text.push_str(&format!(", and {} more", list.len() - SHOWN));
    }
    text
}

/// What the plan holds that is not evaluated, for the notes.
#[derive(Default)]
struct Skipped {
    types: BTreeMap<String, usize>,
    providers: BTreeMap<String, usize>,
    deleted: Vec<String>,
    forgotten: Vec<String>,
}

impl Skipped {
    fn other_type(&mut self, tf_type: &str) {
        *self.types.entry(tf_type.to_string()).or_default() += 1;
    }

    fn other_provider(&mut self, provider: &str) {
        *self.providers.entry(provider.to_string()).or_default() += 1;
    }

    fn notes(&self) -> Vec<String> {
        let counted = |map: &BTreeMap<String, usize>| -> (usize, String) {
            let mut by_count: Vec<(&String, &usize)> = map.iter().collect();
            by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let list: Vec<String> = by_count.iter().map(|(t, n)| format!("{t} ×{n}")).collect();
            (map.values().sum(), shortened(&list))
        };
        let mut notes = Vec::new();
        if !self.deleted.is_empty() {
            notes.push(format!(
                "{} resource(s) the plan deletes are not evaluated: {}",
                self.deleted.len(),
                shortened(&self.deleted)
            ));
        }
        if !self.forgotten.is_empty() {
            notes.push(format!(
                "{} resource(s) the plan stops managing (removed, not destroyed) are not evaluated: {}",
                self.forgotten.len(),
                shortened(&self.forgotten)
            ));
        }
        if !self.types.is_empty() {
            let (n, list) = counted(&self.types);
            notes.push(format!(
                "{n} resource(s) of types no policy reads were skipped: {list}"
            ));
        }
        if !self.providers.is_empty() {
            let (n, list) = counted(&self.providers);
            notes.push(format!(
                "{n} resource(s) of other providers were skipped: {list}"
            ));
        }
        notes
    }
}

#[cfg(test)]
mod tests;
