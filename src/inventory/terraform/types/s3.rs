//! S3: buckets with their settings, whether set by separate resources (AWS provider 4 and
//! later) or by the older in-line blocks, and the account's Block Public Access.

use super::*;

pub(super) fn s3_bucket(b: &mut Builder<'_, '_>) {
    b.tags();
    b.name("bucket", "configuration.name");
    bucket_encryption(b);
    bucket_versioning(b);
    bucket_public_access(b);
    bucket_lifecycle(b);
}

/// Server-side encryption rules at `base` (`rule.N.apply_server_side_encryption_by_default.0…`).
fn sse_rules(part: &mut Part<'_, '_, '_>, base: &str) -> Vec<Value> {
    let mut rules = Vec::new();
    for i in 0..part.count(&format!("{base}rule")) {
        let at = format!("{base}rule.{i}.");
        let default = format!("{at}apply_server_side_encryption_by_default.0.");
        let algorithm = part.text(&format!("{default}sse_algorithm"));
        let key = part.reference(&format!("{default}kms_master_key_id"), KMS_KEY);
        let bucket_key = part.bool(&format!("{at}bucket_key_enabled"));
        rules.push(object(vec![
            (
                "applyServerSideEncryptionByDefault",
                object(vec![
                    ("sseAlgorithm", algorithm.map_or(Value::Null, Value::String)),
                    (
                        "kmsMasterKeyID",
                        key.map_or(Value::Null, |k| Value::String(k.value)),
                    ),
                ]),
            ),
            (
                "bucketKeyEnabled",
                bucket_key.map_or(Value::Null, Value::Bool),
            ),
        ]));
    }
    rules
}

fn bucket_encryption(b: &mut Builder<'_, '_>) {
    let r = b.r;
    let (of, base) = match b.single("aws_s3_bucket_server_side_encryption_configuration", SSE) {
        Ok(Some(config)) => (config, String::new()),
        Ok(None) => {
            // The older inline block (deprecated in AWS provider 4).
            match r.get("server_side_encryption_configuration") {
                Val::Unknown => return b.unknown(SSE),
                Val::Known(Value::Array(list)) if !list.is_empty() => {
                    (r, "server_side_encryption_configuration.0.".to_string())
                }
                // S3 docs: since 5 January 2023 every bucket without another default encryption
                // has SSE-S3 (AES256), so a bucket with none configured has exactly that.
                _ => {
                    b.put(SSE, json!({"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]}));
                    return;
                }
            }
        }
        Err(()) => return,
    };
    let mut part = b.part(of);
    let rules = sse_rules(&mut part, &base);
    let unknown = part.unknown;
    b.finish(SSE, unknown, json!({ "rules": rules }));
}

fn bucket_versioning(b: &mut Builder<'_, '_>) {
    let r = b.r;
    match b.single("aws_s3_bucket_versioning", VERSIONING) {
        Ok(Some(config)) => {
            let mut part = b.part(config);
            let status = part.text("versioning_configuration.0.status");
            let unknown = part.unknown;
            // Computed when unset; only a known value is written (no policy reads it).
            let mfa = match config.get("versioning_configuration.0.mfa_delete") {
                Val::Known(Value::String(m)) if !m.is_empty() => Some(m.clone()),
                _ => None,
            };
            // Provider docs: `Disabled` "should only be used when creating or importing resources
            // that correspond to unversioned S3 buckets": S3 calls that state Off.
            let status = status.map(|s| {
                if s == "Disabled" {
                    "Off".to_string()
                } else {
                    s
                }
            });
            b.finish(
                VERSIONING,
                unknown,
                object(vec![
                    ("status", status.map_or(Value::Null, Value::String)),
                    (
                        "isMfaDeleteEnabled",
                        mfa.map_or(Value::Null, |m| Value::Bool(m == "Enabled")),
                    ),
                ]),
            );
        }
        Ok(None) => match b.read(r, r.bool("versioning.0.enabled")) {
            Typed::Known(true) => b.put(VERSIONING, json!({"status": "Enabled"})),
            // The provider reports Suspended and never-enabled alike as `enabled = false`; a new
            // bucket's is Off. Neither is Enabled, which is what the policies read.
            Typed::Known(false) => {
                let status = if r.action.creates() {
                    "Off"
                } else {
                    "Suspended"
                };
                b.put(VERSIONING, json!({ "status": status }));
            }
            Typed::Unknown => b.unknown(VERSIONING),
            // S3 docs: a new bucket is unversioned until versioning is enabled.
            Typed::Null if r.action.creates() && !r.partly_unknown("versioning") => {
                b.put(VERSIONING, json!({"status": "Off"}));
            }
            Typed::Null => {
                if r.partly_unknown("versioning") {
                    b.unknown(VERSIONING);
                }
            }
        },
        Err(()) => {}
    }
}

fn bucket_public_access(b: &mut Builder<'_, '_>) {
    let r = b.r;
    match b.single("aws_s3_bucket_public_access_block", PUBLIC_ACCESS) {
        Ok(Some(config)) => {
            // Provider docs (aws_s3_bucket_public_access_block): each setting "Defaults to false".
            let mut part = b.part(config);
            let mut block = Map::new();
            for (tf, aws) in [
                ("block_public_acls", "blockPublicAcls"),
                ("ignore_public_acls", "ignorePublicAcls"),
                ("block_public_policy", "blockPublicPolicy"),
                ("restrict_public_buckets", "restrictPublicBuckets"),
            ] {
                block.insert(aws.into(), Value::Bool(part.bool(tf).unwrap_or(false)));
            }
            let unknown = part.unknown;
            b.finish(PUBLIC_ACCESS, unknown, Value::Object(block));
        }
        // S3 docs: since April 2023 new buckets have all four Block Public Access settings on.
        // An existing bucket's settings are not in the plan: left out.
        Ok(None) if r.action.creates() => b.put(
            PUBLIC_ACCESS,
            json!({"blockPublicAcls": true, "ignorePublicAcls": true, "blockPublicPolicy": true, "restrictPublicBuckets": true}),
        ),
        Ok(None) | Err(()) => {}
    }
}

fn bucket_lifecycle(b: &mut Builder<'_, '_>) {
    let r = b.r;
    match b.single("aws_s3_bucket_lifecycle_configuration", LIFECYCLE) {
        Ok(Some(config)) => {
            let mut part = b.part(config);
            let rules = lifecycle_rules(&mut part);
            let unknown = part.unknown;
            b.finish(LIFECYCLE, unknown, json!({ "rules": rules }));
        }
        Ok(None) => match r.get("lifecycle_rule") {
            // The older inline rules (deprecated in AWS provider 4).
            Val::Known(Value::Array(list)) if !list.is_empty() => {
                let mut part = b.part(r);
                let rules = inline_lifecycle_rules(&mut part, list.len());
                let unknown = part.unknown;
                b.finish(LIFECYCLE, unknown, json!({ "rules": rules }));
            }
            Val::Unknown => b.unknown(LIFECYCLE),
            // A new bucket has no lifecycle rules; an existing one's without either form is not
            // in the plan.
            _ if r.action.creates() || matches!(r.get("lifecycle_rule"), Val::Known(_)) => {
                b.put(LIFECYCLE, json!({"rules": []}));
            }
            _ => {}
        },
        Err(()) => {}
    }
}

/// A rule filter's predicates, as AWS Config writes them (`LifecyclePrefixPredicate`…).
fn predicates(part: &mut Part<'_, '_, '_>, at: &str, tags_key: &str) -> Vec<Value> {
    let mut out = Vec::new();
    if let Some(prefix) = part.text(&format!("{at}prefix")).or_else(|| {
        // `prefix = ""` is a predicate too (every key starts with it).
        matches!(
            part.of.get(&format!("{at}prefix")),
            Val::Known(Value::String(_))
        )
        .then(String::new)
    }) {
        out.push(json!({"type": "LifecyclePrefixPredicate", "prefix": prefix}));
    }
    // One `tag` block, or a `tags` map (inside `and`).
    if tags_key == "tag" {
        for i in 0..part.count(&format!("{at}tag")) {
            let key = part.text(&format!("{at}tag.{i}.key"));
            let value = part.text(&format!("{at}tag.{i}.value"));
            out.push(json!({"type": "LifecycleTagPredicate", "tag": {"key": key, "value": value}}));
        }
    } else {
        match part.of.get(&format!("{at}{tags_key}")) {
            Val::Known(Value::Object(map)) => {
                for (k, v) in map {
                    out.push(
                        json!({"type": "LifecycleTagPredicate", "tag": {"key": k, "value": v}}),
                    );
                }
            }
            Val::Unknown => part.unknown = true,
            _ => {}
        }
    }
    // The provider writes 0 for an unset size bound; S3 has no use for a bound of 0.
    for (tf, aws) in [
        (
            "object_size_greater_than",
            "LifecycleObjectSizeGreaterThanPredicate",
        ),
        (
            "object_size_less_than",
            "LifecycleObjectSizeLessThanPredicate",
        ),
    ] {
        let path = format!("{at}{tf}");
        let size = match part.of.get(&path) {
            Val::Known(Value::String(s)) => s.parse::<i64>().ok(),
            _ => part.int(&path),
        };
        if let Some(n) = size.filter(|n| *n > 0) {
            let field = if tf == "object_size_greater_than" {
                "objectSizeGreaterThan"
            } else {
                "objectSizeLessThan"
            };
            out.push(json!({"type": aws, field: n}));
        }
    }
    out
}

/// Rules of `aws_s3_bucket_lifecycle_configuration`.
fn lifecycle_rules(part: &mut Part<'_, '_, '_>) -> Vec<Value> {
    let mut rules = Vec::new();
    for i in 0..part.count("rule") {
        let at = format!("rule.{i}.");
        let mut operands = Vec::new();
        let filters = part.count(&format!("{at}filter"));
        if filters > 0 {
            let filter = format!("{at}filter.0.");
            operands = predicates(part, &filter, "tag");
            if part.count(&format!("{filter}and")) > 0 {
                operands.extend(predicates(part, &format!("{filter}and.0."), "tags"));
                // An `and` with its operands: AWS Config's LifecycleAndOperator even for one.
                operands = vec![json!({"type": "LifecycleAndOperator", "operands": operands})];
            }
        }
        let predicate = match operands.len() {
            0 => Value::Null,
            1 => operands.remove(0),
            _ => json!({"type": "LifecycleAndOperator", "operands": operands}),
        };
        let days = part
            .int(&format!("{at}expiration.0.days"))
            .filter(|d| *d > 0);
        rules.push(object(vec![
            (
                "id",
                part.text(&format!("{at}id"))
                    .map_or(Value::Null, Value::String),
            ),
            (
                "status",
                part.text(&format!("{at}status"))
                    .map_or(Value::Null, Value::String),
            ),
            (
                "prefix",
                part.text(&format!("{at}prefix"))
                    .map_or(Value::Null, Value::String),
            ),
            (
                "filter",
                if predicate.is_null() {
                    Value::Null
                } else {
                    json!({ "predicate": predicate })
                },
            ),
            ("expirationInDays", days.map_or(Value::Null, Value::from)),
            (
                "expirationDate",
                part.text(&format!("{at}expiration.0.date"))
                    .map_or(Value::Null, Value::String),
            ),
            (
                "noncurrentVersionExpiration",
                part.int(&format!(
                    "{at}noncurrent_version_expiration.0.noncurrent_days"
                ))
                .map_or(Value::Null, |d| json!({ "noncurrentDays": d })),
            ),
        ]));
    }
    rules
}

/// The older inline `lifecycle_rule` blocks of aws_s3_bucket.
fn inline_lifecycle_rules(part: &mut Part<'_, '_, '_>, count: usize) -> Vec<Value> {
    let mut rules = Vec::new();
    for i in 0..count {
        let at = format!("lifecycle_rule.{i}.");
        let enabled = part.bool(&format!("{at}enabled"));
        let mut operands = predicates(part, &at, "tags");
        let predicate = match operands.len() {
            0 => Value::Null,
            1 => operands.remove(0),
            _ => json!({"type": "LifecycleAndOperator", "operands": operands}),
        };
        let days = part
            .int(&format!("{at}expiration.0.days"))
            .filter(|d| *d > 0);
        rules.push(object(vec![
            (
                "id",
                part.text(&format!("{at}id"))
                    .map_or(Value::Null, Value::String),
            ),
            (
                "status",
                enabled.map_or(Value::Null, |e| {
                    Value::from(if e { "Enabled" } else { "Disabled" })
                }),
            ),
            (
                "filter",
                if predicate.is_null() {
                    Value::Null
                } else {
                    json!({ "predicate": predicate })
                },
            ),
            ("expirationInDays", days.map_or(Value::Null, Value::from)),
        ]));
    }
    rules
}

pub(super) fn s3_account_public_access_block(b: &mut Builder<'_, '_>) {
    // Provider docs (aws_s3_account_public_access_block): each setting "Defaults to false".
    for (tf, aws) in [
        ("block_public_acls", "blockPublicAcls"),
        ("ignore_public_acls", "ignorePublicAcls"),
        ("block_public_policy", "blockPublicPolicy"),
        ("restrict_public_buckets", "restrictPublicBuckets"),
    ] {
        b.bool(tf, &format!("configuration.{aws}"), Some(false));
    }
}
