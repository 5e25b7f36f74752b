//! KMS keys, log groups, secrets, backup vaults, EBS, CloudTrail, DynamoDB, load balancer
//! listeners and IAM.

use super::*;

pub(super) fn kms_key(b: &mut Builder<'_, '_>) {
    let address = b.r.address.clone();
    b.tags();
    b.put("configuration.keyId", address);
    b.string("description", "configuration.description");
    // aws_kms_key always makes a customer managed key.
    b.put("configuration.keyManager", "CUSTOMER");
    // Provider docs (aws_kms_key): is_enabled "Defaults to true"; customer_master_key_spec
    // "Defaults to SYMMETRIC_DEFAULT"; key_usage "Defaults to ENCRYPT_DECRYPT";
    // enable_key_rotation "Defaults to false".
    let enabled = b.bool("is_enabled", "configuration.enabled", Some(true));
    b.write(
        "configuration.keyState",
        match enabled {
            Typed::Known(true) => Typed::Known("Enabled"),
            Typed::Known(false) => Typed::Known("Disabled"),
            Typed::Null => Typed::Null,
            Typed::Unknown => Typed::Unknown,
        },
        None,
    );
    let r = b.r;
    let spec = b.read(r, r.text("customer_master_key_spec"));
    b.write("configuration.keySpec", spec, Some("SYMMETRIC_DEFAULT"));
    let usage = b.read(r, r.text("key_usage"));
    b.write("configuration.keyUsage", usage, Some("ENCRYPT_DECRYPT"));
    let rotation = b.bool(
        "enable_key_rotation",
        "supplementaryConfiguration.KeyRotationStatus",
        Some(false),
    );
    // A key that does not rotate has no rotation period in AWS; one that does gets the plan's
    // period, or AWS's when the plan leaves it to AWS (known after apply).
    let r = b.r;
    let absent = r.values.get("rotation_period_in_days").is_none()
        && !matches!(r.get("rotation_period_in_days"), Val::Unknown);
    if rotation == Typed::Known(true) && absent {
        // A provider without the argument (before AWS provider 5.26): the key rotates on AWS's
        // schedule. KMS docs (EnableKeyRotation): RotationPeriodInDays "If no value is specified,
        // the default value is 365 days".
        b.put("supplementaryConfiguration.RotationPeriodInDays", 365);
    } else if !matches!(rotation, Typed::Known(false)) {
        b.int(
            "rotation_period_in_days",
            "supplementaryConfiguration.RotationPeriodInDays",
            None,
        );
    }
}

pub(super) fn log_group(b: &mut Builder<'_, '_>) {
    let r = b.r;
    b.tags();
    b.name("name", "configuration.logGroupName");
    // Provider docs (aws_cloudwatch_log_group): retention_in_days "defaults to 0 … log events
    // in the group never expire"; AWS then reports no retentionInDays.
    match b.read(r, r.int("retention_in_days")) {
        Typed::Known(0) | Typed::Null => {}
        other => b.write("configuration.retentionInDays", other, None),
    }
    b.reference("kms_key_id", "configuration.kmsKeyId", KMS_KEY);
}

pub(super) fn secret(b: &mut Builder<'_, '_>) {
    let r = b.r;
    b.tags();
    b.name("name", "configuration.Name");
    b.string("description", "configuration.Description");
    b.reference("kms_key_id", "configuration.KmsKeyId", KMS_KEY);
    const ENABLED: &str = "configuration.RotationEnabled";
    const DAYS: &str = "configuration.RotationRules.AutomaticallyAfterDays";
    match b.single("aws_secretsmanager_secret_rotation", ENABLED) {
        Ok(Some(rotation)) => {
            b.put(ENABLED, true);
            let mut part = b.part(rotation);
            let days = part.int("rotation_rules.0.automatically_after_days");
            // `rate(N days)` is the same schedule as AutomaticallyAfterDays = N; a cron schedule
            // or an hourly rate has no day count (a policy reading it says it is missing).
            let days = match days {
                Some(days) => Some(days),
                None => part
                    .text("rotation_rules.0.schedule_expression")
                    .and_then(|schedule| {
                        let inner = schedule.strip_prefix("rate(")?.strip_suffix(')')?;
                        let (n, unit) = inner.trim().split_once(' ')?;
                        matches!(unit, "day" | "days")
                            .then(|| n.parse::<i64>().ok())
                            .flatten()
                    }),
            };
            let unknown = part.unknown;
            if unknown {
                b.unknown(DAYS);
            } else if let Some(days) = days {
                b.put(DAYS, days);
            }
        }
        Ok(None) => {
            // The older inline arguments (AWS provider 4 and earlier).
            let inline = b.read(r, r.bool("rotation_enabled"));
            if !matches!(inline, Typed::Null) {
                b.write(ENABLED, inline, None);
                b.int("rotation_rules.0.automatically_after_days", DAYS, None);
            } else if r.action.creates() {
                // A new secret does not rotate until rotation is configured.
                b.put(ENABLED, false);
            }
        }
        Err(()) => {}
    }
    // A secret with replicas is also in other regions: its region is not one.
    if is_set(r, "replica") {
        b.unknown("awsRegion");
    }
    // When a secret was made and last rotated is known once it exists.
    if r.action.creates() {
        b.unknown("configuration.CreatedDate");
        b.unknown("configuration.LastRotatedDate");
    }
}

pub(super) fn backup_vault(b: &mut Builder<'_, '_>) {
    b.tags();
    b.name("name", "configuration.BackupVaultName");
    // Unset, AWS uses its managed key for AWS Backup, whose ARN is known after apply.
    b.reference("kms_key_arn", "configuration.EncryptionKeyArn", KMS_KEY);
}

pub(super) fn ebs_volume(b: &mut Builder<'_, '_>) {
    let address = b.r.address.clone();
    b.tags();
    b.put("configuration.volumeId", address);
    // Computed when unset (the account's encryption-by-default decides), so known after apply.
    b.bool("encrypted", "configuration.encrypted", None);
    b.reference("kms_key_id", "configuration.kmsKeyId", KMS_KEY);
    b.int("size", "configuration.size", None);
    b.string("type", "configuration.volumeType");
    b.string("availability_zone", "configuration.availabilityZone");
}

pub(super) fn ebs_encryption_by_default(b: &mut Builder<'_, '_>) {
    // Provider docs (aws_ebs_encryption_by_default): enabled "Defaults to true".
    b.bool(
        "enabled",
        "configuration.ebsEncryptionByDefault",
        Some(true),
    );
}

pub(super) fn cloudtrail(b: &mut Builder<'_, '_>) {
    b.tags();
    b.name("name", "configuration.name");
    // Provider docs (aws_cloudtrail): is_multi_region_trail, enable_log_file_validation and
    // is_organization_trail "Defaults to false"; include_global_service_events and
    // enable_logging "Defaults to true". The provider starts or stops logging to match
    // enable_logging, so it is the trail's status after apply.
    b.bool(
        "is_multi_region_trail",
        "configuration.isMultiRegionTrail",
        Some(false),
    );
    b.bool(
        "enable_log_file_validation",
        "configuration.logFileValidationEnabled",
        Some(false),
    );
    b.bool(
        "include_global_service_events",
        "configuration.includeGlobalServiceEvents",
        Some(true),
    );
    b.bool(
        "is_organization_trail",
        "configuration.isOrganizationTrail",
        Some(false),
    );
    b.reference("kms_key_id", "configuration.kmsKeyId", KMS_KEY);
    b.reference("s3_bucket_name", "configuration.s3BucketName", BUCKET);
    b.bool(
        "enable_logging",
        "supplementaryConfiguration.TrailStatus.isLogging",
        Some(true),
    );
}

pub(super) fn dynamodb_table(b: &mut Builder<'_, '_>) {
    let r = b.r;
    b.tags();
    b.name("name", "configuration.tableName");
    const SSE_DESCRIPTION: &str = "configuration.ssedescription";
    // DynamoDB docs: without server_side_encryption enabled a table uses an AWS owned key, and
    // DescribeTable then returns no SSEDescription.
    match r.get("server_side_encryption") {
        Val::Unknown => b.unknown(SSE_DESCRIPTION),
        Val::Known(Value::Array(list)) if !list.is_empty() => {
            let mut part = b.part(r);
            let enabled = part.bool("server_side_encryption.0.enabled");
            // The key is computed when encryption is off: only an enabled one's key matters.
            let key = if part.unknown || enabled == Some(true) {
                part.reference("server_side_encryption.0.kms_key_arn", KMS_KEY)
            } else {
                None
            };
            let unknown = part.unknown;
            if enabled == Some(true) || unknown {
                let sse = object(vec![
                    ("status", "ENABLED".into()),
                    ("ssetype", "KMS".into()),
                    (
                        "kmsmasterKeyArn",
                        key.map_or(Value::Null, |k| k.value.into()),
                    ),
                ]);
                b.finish(SSE_DESCRIPTION, unknown, sse);
            }
        }
        _ => {}
    }
    const PITR: &str = "supplementaryConfiguration.ContinuousBackupsDescription.pointInTimeRecoveryDescription.pointInTimeRecoveryStatus";
    // DynamoDB docs: point-in-time recovery is off unless enabled.
    match b.read(r, r.bool("point_in_time_recovery.0.enabled")) {
        Typed::Known(true) => b.put(PITR, "ENABLED"),
        Typed::Known(false) => b.put(PITR, "DISABLED"),
        Typed::Unknown => b.unknown(PITR),
        Typed::Null if r.partly_unknown("point_in_time_recovery") => b.unknown(PITR),
        Typed::Null => b.put(PITR, "DISABLED"),
    }
    // A global table's replicas are tables in other regions with their own point-in-time
    // recovery and keys: one item for the primary alone would judge them by it.
    if is_set(r, "replica") {
        for path in ["awsRegion", SSE_DESCRIPTION, PITR] {
            b.unknown(path);
        }
    }
}

pub(super) fn listener(b: &mut Builder<'_, '_>) {
    let r = b.r;
    b.tags();
    b.string("arn", "configuration.ListenerArn");
    b.string("protocol", "configuration.Protocol");
    b.int("port", "configuration.Port", None);
    b.string("ssl_policy", "configuration.SslPolicy");
    let mut part = b.part(r);
    let mut actions = Vec::new();
    for i in 0..part.count("default_action") {
        let at = format!("default_action.{i}.");
        let redirect = (part.count(&format!("{at}redirect")) > 0).then(|| {
            let r = format!("{at}redirect.0.");
            object(vec![
                (
                    "Protocol",
                    part.text(&format!("{r}protocol"))
                        .map_or(Value::Null, Value::String),
                ),
                (
                    "Port",
                    part.text(&format!("{r}port"))
                        .map_or(Value::Null, Value::String),
                ),
                (
                    "Host",
                    part.text(&format!("{r}host"))
                        .map_or(Value::Null, Value::String),
                ),
                (
                    "Path",
                    part.text(&format!("{r}path"))
                        .map_or(Value::Null, Value::String),
                ),
                (
                    "Query",
                    part.text(&format!("{r}query"))
                        .map_or(Value::Null, Value::String),
                ),
                (
                    "StatusCode",
                    part.text(&format!("{r}status_code"))
                        .map_or(Value::Null, Value::String),
                ),
            ])
        });
        let fixed = (part.count(&format!("{at}fixed_response")) > 0).then(|| {
            let f = format!("{at}fixed_response.0.");
            object(vec![
                (
                    "ContentType",
                    part.text(&format!("{f}content_type"))
                        .map_or(Value::Null, Value::String),
                ),
                (
                    "StatusCode",
                    part.text(&format!("{f}status_code"))
                        .map_or(Value::Null, Value::String),
                ),
            ])
        });
        let target_group = if matches!(r.get(&format!("{at}target_group_arn")), Val::Null) {
            None
        } else {
            part.reference(&format!("{at}target_group_arn"), TARGET_GROUP)
        };
        actions.push(object(vec![
            (
                "Type",
                part.text(&format!("{at}type"))
                    .map_or(Value::Null, Value::String),
            ),
            (
                "TargetGroupArn",
                target_group.map_or(Value::Null, |t| t.value.into()),
            ),
            ("RedirectConfig", redirect.unwrap_or(Value::Null)),
            ("FixedResponseConfig", fixed.unwrap_or(Value::Null)),
        ]));
    }
    let unknown = part.unknown;
    b.finish(
        "configuration.DefaultActions",
        unknown,
        Value::Array(actions),
    );
}

pub(super) fn iam_user(b: &mut Builder<'_, '_>) {
    let r = b.r;
    b.tags();
    b.name("name", "configuration.userName");
    b.string("arn", "configuration.arn");
    let new_user = r.action.creates();
    let (profiles, profiles_gone) = b.joined("aws_iam_user_login_profile");
    let password =
        if b.orphaned("aws_iam_user_login_profile") || b.stale(&profiles, CREDENTIAL_REPORT) {
            None
        } else if !profiles.is_empty() {
            Some(true)
        } else if new_user || !profiles_gone.is_empty() {
            // A new user has no console password until a login profile is made; deleting the
            // login profile removes it.
            Some(false)
        } else {
            // Whether an existing user has a password made outside the plan is not in the plan.
            None
        };
    if let Some(enabled) = password {
        b.put(&format!("{CREDENTIAL_REPORT}.passwordEnabled"), enabled);
    }
    if password == Some(true) {
        // MFA devices are enrolled by the user, outside Terraform: not known from a plan.
        b.unknown(&format!("{CREDENTIAL_REPORT}.mfaActive"));
        b.unknown("supplementaryConfiguration.MfaDevices");
        // A password set by this plan is set at apply (and never used yet); an existing one's
        // dates are not in the plan.
        if profiles.iter().any(|p| p.action.creates()) {
            b.unknown(&format!("{CREDENTIAL_REPORT}.passwordLastChanged"));
        }
    }
    access_keys(b, new_user);
}

fn access_keys(b: &mut Builder<'_, '_>, new_user: bool) {
    let (keys, _gone) = b.joined("aws_iam_access_key");
    if b.orphaned("aws_iam_access_key") || b.stale(&keys, ACCESS_KEYS) {
        return;
    }
    // The access keys of an existing user without key resources are not in the plan.
    if keys.is_empty() && !new_user {
        return;
    }
    let mut unknown = false;
    let mut list = Vec::new();
    for key in keys {
        let mut part = b.part(key);
        let id = part.text("id");
        // Provider docs (aws_iam_access_key): status "Defaults to Active".
        let status = part.text("status").unwrap_or_else(|| "Active".into());
        let created = part.text("create_date");
        unknown |= part.unknown;
        list.push(object(vec![
            ("accessKeyId", id.map_or(Value::Null, Value::String)),
            ("status", status.into()),
            ("createDate", created.map_or(Value::Null, Value::String)),
        ]));
    }
    b.finish(ACCESS_KEYS, unknown, Value::Array(list));
}

pub(super) fn password_policy(b: &mut Builder<'_, '_>) {
    // Provider docs (aws_iam_account_password_policy): minimum_password_length "Defaults to 6";
    // require_lowercase_characters, require_numbers, require_symbols,
    // require_uppercase_characters "Defaults to false"; allow_users_to_change_password
    // "Defaults to true". No reuse prevention unless set: AWS then reports none.
    b.int(
        "minimum_password_length",
        "configuration.minimumPasswordLength",
        Some(6),
    );
    for (tf, aws) in [
        ("require_symbols", "requireSymbols"),
        ("require_numbers", "requireNumbers"),
        ("require_uppercase_characters", "requireUppercaseCharacters"),
        ("require_lowercase_characters", "requireLowercaseCharacters"),
    ] {
        b.bool(tf, &format!("configuration.{aws}"), Some(false));
    }
    b.bool(
        "allow_users_to_change_password",
        "configuration.allowUsersToChangePassword",
        Some(true),
    );
    b.int(
        "password_reuse_prevention",
        "configuration.passwordReusePrevention",
        None,
    );
    b.int("max_password_age", "configuration.maxPasswordAge", None);
    b.bool("hard_expiry", "configuration.hardExpiry", None);
}
