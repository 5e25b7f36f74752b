//! IAM (global): users with the credential report (password use, MFA, access-key ages — one call
//! for every user instead of one per user), MFA devices, the account summary (root MFA) and the
//! password policy.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::support::{
    Batch, Failure, account_item, compact, date, for_each_page, global_region, item, op, tags,
};
use super::{BoxFuture, Ctx, Operation, Service};

const GENERATE_REPORT: Operation = op!(
    "IAM",
    "GenerateCredentialReport",
    "iam:GenerateCredentialReport"
);
const GET_REPORT: Operation = op!("IAM", "GetCredentialReport", "iam:GetCredentialReport");
const LIST_USERS: Operation = op!("IAM", "ListUsers", "iam:ListUsers");
const LIST_VIRTUAL_MFA: Operation =
    op!("IAM", "ListVirtualMFADevices", "iam:ListVirtualMFADevices");
const LIST_MFA: Operation = op!("IAM", "ListMFADevices", "iam:ListMFADevices");
const ACCOUNT_SUMMARY: Operation = op!("IAM", "GetAccountSummary", "iam:GetAccountSummary");
const PASSWORD_POLICY: Operation = op!(
    "IAM",
    "GetAccountPasswordPolicy",
    "iam:GetAccountPasswordPolicy"
);

const USER: &str = "AWS::IAM::User";
const SUMMARY: &str = "Attestor::IAM::AccountSummary";
const POLICY: &str = "Attestor::IAM::PasswordPolicy";

pub static SERVICE: Service = Service {
    name: "iam",
    global: true,
    operations: &[
        GENERATE_REPORT,
        GET_REPORT,
        LIST_USERS,
        LIST_VIRTUAL_MFA,
        LIST_MFA,
        ACCOUNT_SUMMARY,
        PASSWORD_POLICY,
    ],
    resource_types: &[USER, SUMMARY, POLICY],
    collect: run,
};

fn run<'a>(ctx: &'a Ctx, region: &'a str) -> BoxFuture<'a, Batch> {
    Box::pin(collect(ctx, region))
}

async fn collect(ctx: &Ctx, _region: &str) -> Batch {
    let region = global_region();
    let config = aws_sdk_iam::config::Builder::from(&ctx.config(region))
        .interceptor(ctx.interceptor())
        .build();
    let client = aws_sdk_iam::Client::from_conf(config);
    // Users, the account summary and the password policy are independent: read side by side.
    let (users, summary, policy) = tokio::join!(
        users(ctx, &client, region),
        account_summary(ctx, &client, region),
        password_policy(ctx, &client, region),
    );
    Batch::concat([users, summary, policy])
}

/// Users with their credential-report rows and MFA devices.
async fn users(ctx: &Ctx, client: &aws_sdk_iam::Client, region: &str) -> Batch {
    let mut batch = Batch::default();
    if batch.skip_unread(ctx, "iam", region, &LIST_USERS, &[USER]) {
        return batch;
    }

    let report = match credential_report(ctx, client).await {
        Ok(report) => report,
        Err((operation, failure)) => {
            batch.fail_properties(
                ctx,
                "iam",
                region,
                operation,
                &[USER],
                &[
                    "supplementaryConfiguration.CredentialReport",
                    "supplementaryConfiguration.AccessKeys",
                ],
                failure,
            );
            BTreeMap::new()
        }
    };

    // Virtual MFA devices for every user in one paginated listing.
    let mut virtual_devices: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let devices_complete = for_each_page!(
        ctx,
        batch,
        "iam",
        region,
        LIST_VIRTUAL_MFA,
        &[USER],
        properties: &["supplementaryConfiguration.MfaDevices"],
        client.list_virtual_mfa_devices().into_paginator().send(),
        |out| {
            for device in out.virtual_mfa_devices() {
                if let Some(user) = device.user() {
                    virtual_devices
                        .entry(user.user_name().to_string())
                        .or_default()
                        .push(compact(json!({
                            "serialNumber": device.serial_number(),
                            "type": "virtual",
                            "enableDate": date(device.enable_date()),
                        })));
                }
            }
        }
    );

    for_each_page!(
        ctx,
        batch,
        "iam",
        region,
        LIST_USERS,
        &[USER],
        client.list_users().into_paginator().send(),
        |out| {
            for user in out.users() {
                let name = user.user_name();
                let row = report.get(name);
                let mut supplementary = serde_json::Map::new();
                if let Some(row) = row {
                    supplementary.insert("CredentialReport".into(), credential_fields(row));
                    supplementary.insert("AccessKeys".into(), access_keys(row));
                }
                let mfa_active = row
                    .and_then(|r| r.get("mfa_active"))
                    .is_some_and(|v| v == "true");
                let mut devices = virtual_devices.remove(name).unwrap_or_default();
                // Hardware and FIDO devices are not in the virtual listing: ask only for users whose
                // report says MFA is active but who have no virtual device.
                let devices_known = if mfa_active && devices.is_empty() {
                    match mfa_devices(ctx, client, name).await {
                        Ok(found) => {
                            devices = found;
                            true
                        }
                        Err(failure) => {
                            batch.fail_properties(
                                ctx,
                                "iam",
                                region,
                                &LIST_MFA,
                                &[USER],
                                &["supplementaryConfiguration.MfaDevices"],
                                failure,
                            );
                            false
                        }
                    }
                } else {
                    devices_complete
                };
                if devices_known {
                    supplementary.insert("MfaDevices".into(), Value::Array(devices));
                }
                let configuration = compact(json!({
                    "userName": name,
                    "userId": user.user_id(),
                    "arn": user.arn(),
                    "path": user.path(),
                    "createDate": date(Some(user.create_date())),
                }));
                batch.push(item(
                    ctx,
                    USER,
                    region,
                    user.user_id(),
                    Some(name),
                    Some(user.arn()),
                    configuration,
                    Value::Object(supplementary),
                    tags(user.tags().iter().map(|t| (Some(t.key()), Some(t.value())))),
                ));
            }
        }
    );
    batch
}

async fn account_summary(ctx: &Ctx, client: &aws_sdk_iam::Client, region: &str) -> Batch {
    let mut batch = Batch::default();
    if batch.skip_unread(ctx, "iam", region, &ACCOUNT_SUMMARY, &[SUMMARY]) {
        return batch;
    }
    let summary = {
        let _permit = ctx.permit().await;
        client.get_account_summary().send().await
    };
    match summary {
        Ok(out) => {
            let map: serde_json::Map<String, Value> = out
                .summary_map()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.as_str().to_string(), Value::from(*v)))
                        .collect()
                })
                .unwrap_or_default();
            let mut sorted: Vec<(String, Value)> = map.into_iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            let configuration = Value::Object(sorted.into_iter().collect());
            batch.push(account_item(ctx, SUMMARY, region, configuration));
        }
        Err(e) => batch.fail(ctx, "iam", region, &ACCOUNT_SUMMARY, &[SUMMARY], e.into()),
    }
    batch
}

async fn password_policy(ctx: &Ctx, client: &aws_sdk_iam::Client, region: &str) -> Batch {
    let mut batch = Batch::default();
    if batch.skip_unread(ctx, "iam", region, &PASSWORD_POLICY, &[POLICY]) {
        return batch;
    }
    let policy = {
        let _permit = ctx.permit().await;
        client.get_account_password_policy().send().await
    };
    match policy {
        Ok(out) => {
            if let Some(p) = out.password_policy() {
                let configuration = compact(json!({
                    "minimumPasswordLength": p.minimum_password_length(),
                    "requireSymbols": p.require_symbols(),
                    "requireNumbers": p.require_numbers(),
                    "requireUppercaseCharacters": p.require_uppercase_characters(),
                    "requireLowercaseCharacters": p.require_lowercase_characters(),
                    "allowUsersToChangePassword": p.allow_users_to_change_password(),
                    "expirePasswords": p.expire_passwords(),
                    "maxPasswordAge": p.max_password_age(),
                    "passwordReusePrevention": p.password_reuse_prevention(),
                    "hardExpiry": p.hard_expiry(),
                }));
                batch.push(account_item(ctx, POLICY, region, configuration));
            }
        }
        // No password policy set is an answer (the policy then fails), not a collection error.
        Err(e)
            if e.as_service_error()
                .is_some_and(aws_sdk_iam::operation::get_account_password_policy::GetAccountPasswordPolicyError::is_no_such_entity_exception) => {}
        Err(e) => batch.fail(ctx, "iam", region, &PASSWORD_POLICY, &[POLICY], e.into()),
    }
    batch
}

type ReportRow = BTreeMap<String, String>;

/// Generates (waiting for it to finish) and parses the credential report, keyed by user name.
async fn credential_report(
    ctx: &Ctx,
    client: &aws_sdk_iam::Client,
) -> Result<BTreeMap<String, ReportRow>, (&'static Operation, Failure)> {
    for attempt in 0..20 {
        let state = {
            let _permit = ctx.permit().await;
            client.generate_credential_report().send().await
        }
        .map_err(|e| (&GENERATE_REPORT, Failure::from(e)))?;
        let complete = state.state().is_some_and(|s| s.as_str() == "COMPLETE");
        if complete {
            break;
        }
        if attempt == 19 {
            return Err((
                &GENERATE_REPORT,
                Failure {
                    code: "ReportNotReady".into(),
                    message: "the credential report was still being generated after 20 attempts"
                        .into(),
                },
            ));
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let out = {
        let _permit = ctx.permit().await;
        client.get_credential_report().send().await
    }
    .map_err(|e| (&GET_REPORT, Failure::from(e)))?;
    let text = out
        .content()
        .map(|b| String::from_utf8_lossy(b.as_ref()).into_owned())
        .unwrap_or_default();
    Ok(parse_report(&text))
}

/// The credential report is CSV with a header row; values contain no commas or quotes.
fn parse_report(text: &str) -> BTreeMap<String, ReportRow> {
    let mut lines = text.lines();
    let Some(header) = lines.next() else {
        return BTreeMap::new();
    };
    let columns: Vec<&str> = header.split(',').collect();
    lines
        .map(|line| {
            columns
                .iter()
                .zip(line.split(','))
                .map(|(c, v)| (c.to_string(), v.to_string()))
                .collect::<ReportRow>()
        })
        .filter_map(|row| Some((row.get("user")?.clone(), row)))
        .collect()
}

/// "N/A", "no_information" and "not_supported" mean "no value": leave the field out.
fn report_value(row: &ReportRow, column: &str) -> Value {
    match row.get(column).map(String::as_str) {
        None | Some("N/A" | "no_information" | "not_supported" | "") => Value::Null,
        Some("true") => Value::Bool(true),
        Some("false") => Value::Bool(false),
        Some(other) => Value::String(other.to_string()),
    }
}

fn credential_fields(row: &ReportRow) -> Value {
    compact(json!({
        "passwordEnabled": report_value(row, "password_enabled"),
        "passwordLastUsed": report_value(row, "password_last_used"),
        "passwordLastChanged": report_value(row, "password_last_changed"),
        "mfaActive": report_value(row, "mfa_active"),
        "userCreationTime": report_value(row, "user_creation_time"),
    }))
}

fn access_keys(row: &ReportRow) -> Value {
    let keys: Vec<Value> = ["1", "2"]
        .iter()
        .filter_map(|n| {
            let rotated = report_value(row, &format!("access_key_{n}_last_rotated"));
            if rotated.is_null() {
                return None;
            }
            let active = report_value(row, &format!("access_key_{n}_active")) == Value::Bool(true);
            Some(compact(json!({
                "status": if active { "Active" } else { "Inactive" },
                "createDate": rotated,
                "lastUsedDate": report_value(row, &format!("access_key_{n}_last_used_date")),
            })))
        })
        .collect();
    Value::Array(keys)
}

async fn mfa_devices(
    ctx: &Ctx,
    client: &aws_sdk_iam::Client,
    user: &str,
) -> Result<Vec<Value>, Failure> {
    let out = {
        let _permit = ctx.permit().await;
        client.list_mfa_devices().user_name(user).send().await
    }?;
    Ok(out
        .mfa_devices()
        .iter()
        .map(|d| {
            let serial = d.serial_number();
            let kind = if serial.contains(":u2f/") {
                "u2f"
            } else if serial.contains(":mfa/") {
                "virtual"
            } else {
                "hardware"
            };
            compact(json!({"serialNumber": serial, "type": kind, "enableDate": date(Some(d.enable_date()))}))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_rows_map_to_fields() {
        let text = "user,arn,user_creation_time,password_enabled,password_last_used,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date\n\
                    alice,arn:aws:iam::1:user/alice,2026-01-01T00:00:00+00:00,true,no_information,false,true,2026-02-01T00:00:00+00:00,N/A,false,N/A,N/A\n";
        let report = parse_report(text);
        let row = &report["alice"];
        let fields = credential_fields(row);
        assert_eq!(fields["passwordEnabled"], true);
        assert_eq!(fields["mfaActive"], false);
        assert!(fields.get("passwordLastUsed").is_none());
        let keys = access_keys(row);
        assert_eq!(
            keys,
            json!([{"status": "Active", "createDate": "2026-02-01T00:00:00+00:00"}])
        );
    }
}
