//! Which accounts a live run reads, and with which credentials: the caller's own account, every
//! active account of an AWS Organization (`--org-role NAME`, narrowed by `--accounts`,
//! `--exclude-accounts` and `--ou`), or the accounts of roles named directly (`--role-arn`).
//!
//! Each account other than the caller's is read through a role assumed with STS. The SDK's
//! identity cache renews those credentials before they expire, so a scan may outlast the role
//! session. An account that cannot be read at all (suspended, its role not assumable) is kept
//! with the cause, so every policy gives `error` for it: an account is never silently missing.

use std::time::Duration;

use aws_config::SdkConfig;

use super::{CallRecorder, Operation, RecordingInterceptor, support};
use crate::diagnostics::{Code, Diagnostic};
use std::sync::Arc;

pub const LIST_ACCOUNTS: Operation = Operation {
    sdk_service: "Organizations",
    name: "ListAccounts",
    iam_action: "organizations:ListAccounts",
};
pub const LIST_ACCOUNTS_FOR_PARENT: Operation = Operation {
    sdk_service: "Organizations",
    name: "ListAccountsForParent",
    iam_action: "organizations:ListAccountsForParent",
};
pub const LIST_OUS_FOR_PARENT: Operation = Operation {
    sdk_service: "Organizations",
    name: "ListOrganizationalUnitsForParent",
    iam_action: "organizations:ListOrganizationalUnitsForParent",
};
pub const ASSUME_ROLE: Operation = Operation {
    sdk_service: "STS",
    name: "AssumeRole",
    iam_action: "sts:AssumeRole",
};

/// The operations of organisation mode, for `attestor permissions`.
pub static OPERATIONS: &[Operation] = &[
    LIST_ACCOUNTS,
    LIST_ACCOUNTS_FOR_PARENT,
    LIST_OUS_FOR_PARENT,
    ASSUME_ROLE,
];

/// Which accounts to read.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    /// `--org-role NAME`: every active account of the organisation, through this role.
    pub org_role: Option<String>,
    /// `--role-arn ARN` (repeatable): these roles' accounts, without Organizations.
    pub role_arns: Vec<String>,
    /// `--accounts`: only these (of the organisation).
    pub only: Vec<String>,
    /// `--exclude-accounts`: not these (the caller's own account included).
    pub exclude: Vec<String>,
    /// `--ou`: only accounts in this organisational unit and the units below it.
    pub ou: Option<String>,
    pub external_id: Option<String>,
    pub session_name: String,
    pub session_duration: Duration,
}

impl Targets {
    /// Whether the run reads more than the caller's own account.
    pub fn several(&self) -> bool {
        self.org_role.is_some() || !self.role_arns.is_empty()
    }
}

/// One account to read: its credentials, or why it cannot be read.
pub struct Account {
    pub id: String,
    pub name: Option<String>,
    pub access: Result<SdkConfig, Unreadable>,
}

/// Why an account cannot be read at all: becomes a collection error for every resource type.
#[derive(Debug, Clone)]
pub struct Unreadable {
    pub operation: Operation,
    pub error_code: String,
    pub message: String,
}

/// The accounts `targets` names, each with the configuration to read it. `caller` is the
/// account of the credentials attestor runs with (`partition` from its ARN).
pub async fn accounts(
    sdk: &SdkConfig,
    caller: &str,
    partition: &str,
    targets: &Targets,
    calls: &Arc<CallRecorder>,
) -> Result<Vec<Account>, Diagnostic> {
    let mut found: Vec<Candidate> = Vec::new();
    if let Some(role) = &targets.org_role {
        for listed in list_accounts(sdk, targets.ou.as_deref(), calls).await? {
            let how = match listed.inactive {
                Some(state) => How::Inactive(state),
                None if listed.id == caller => How::Caller,
                None => How::Role(format!("arn:{partition}:iam::{}:role/{role}", listed.id)),
            };
            found.push(Candidate {
                id: listed.id,
                name: listed.name,
                how,
            });
        }
    }
    for arn in &targets.role_arns {
        let Some(id) = account_of_role(arn) else {
            return Err(Diagnostic::error(
                Code::InvalidArgument,
                format!("--role-arn {arn}: not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)"),
            ));
        };
        // A role named directly is how its account is read, whatever the organisation says.
        found.retain(|c| c.id != id);
        found.push(Candidate {
            id,
            name: None,
            how: How::Role(arn.clone()),
        });
    }
    if !targets.only.is_empty() {
        let missing: Vec<&str> = targets
            .only
            .iter()
            .filter(|id| !found.iter().any(|c| c.id == **id))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            return Err(Diagnostic::error(
                Code::InvalidArgument,
                format!(
                    "--accounts names accounts {}: {}",
                    match &targets.ou {
                        Some(ou) => format!("the organisation does not list under {ou}"),
                        None => "neither the organisation nor --role-arn gives".into(),
                    },
                    missing.join(", ")
                ),
            )
            .with_help("check the IDs with `aws organizations list-accounts`"));
        }
        found.retain(|c| targets.only.contains(&c.id));
    }
    found.retain(|c| !targets.exclude.contains(&c.id));
    found.sort_by(|a, b| a.id.cmp(&b.id));
    found.dedup_by(|a, b| a.id == b.id);

    let mut out = Vec::with_capacity(found.len());
    for Candidate { id, name, how } in found {
        let access = match how {
            // The caller's own account (the management account, in organisation mode) is read
            // with the caller's credentials.
            How::Caller => Ok(sdk.clone()),
            How::Role(role_arn) => assume(sdk, &role_arn, &id, targets, calls).await,
            How::Inactive(state) => Err(Unreadable {
                operation: LIST_ACCOUNTS,
                error_code: "AccountNotActive".into(),
                message: format!(
                    "the organisation lists account {id} as {state}: it cannot be read until it is active again"
                ),
            }),
        };
        out.push(Account { id, name, access });
    }
    Ok(out)
}

struct Candidate {
    id: String,
    name: Option<String>,
    how: How,
}

enum How {
    Caller,
    Role(String),
    /// Suspended, closed or closing: the state the organisation gives.
    Inactive(String),
}

struct Listed {
    id: String,
    name: Option<String>,
    /// The state when the account is not active (SUSPENDED, PENDING_CLOSURE, CLOSED).
    inactive: Option<String>,
}

/// The organisation's accounts (every page), or those under `ou` and its units.
async fn list_accounts(
    sdk: &SdkConfig,
    ou: Option<&str>,
    calls: &Arc<CallRecorder>,
) -> Result<Vec<Listed>, Diagnostic> {
    let config = aws_sdk_organizations::config::Builder::from(sdk)
        .interceptor(RecordingInterceptor(calls.clone()))
        .build();
    let client = aws_sdk_organizations::Client::from_conf(config);
    let mut accounts = Vec::new();
    let failed = |op: &Operation, e: String| {
        Diagnostic::error(
            Code::AwsAccessDenied,
            format!(
                "cannot list the organisation's accounts: {} ({}) failed: {e}",
                op.name, op.iam_action
            ),
        )
        .with_help(
            "run from the management account or a delegated administrator with organizations:List* allowed, or name the roles with --role-arn",
        )
    };
    let mut collect = |list: &[aws_sdk_organizations::types::Account]| {
        for a in list {
            let Some(id) = a.id() else { continue };
            // `State` replaced `Status` in 2025; older answers carry only `Status`.
            let state = (a.state().map(|s| s.as_str().to_string()))
                .or_else(|| a.status().map(|s| s.as_str().to_string()));
            let active = state.as_deref().is_none_or(|s| s == "ACTIVE");
            accounts.push(Listed {
                id: id.to_string(),
                name: a.name().map(str::to_string),
                inactive: (!active).then(|| state.unwrap_or_default()),
            });
        }
    };
    match ou {
        None => {
            let mut pages = client.list_accounts().into_paginator().send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| failed(&LIST_ACCOUNTS, describe(&e)))?;
                collect(page.accounts());
            }
        }
        Some(root) => {
            // The unit and every unit below it, breadth first.
            let mut parents = vec![root.to_string()];
            while let Some(parent) = parents.pop() {
                let mut pages = client
                    .list_accounts_for_parent()
                    .parent_id(&parent)
                    .into_paginator()
                    .send();
                while let Some(page) = pages.next().await {
                    let page = page.map_err(|e| failed(&LIST_ACCOUNTS_FOR_PARENT, describe(&e)))?;
                    collect(page.accounts());
                }
                let mut pages = client
                    .list_organizational_units_for_parent()
                    .parent_id(&parent)
                    .into_paginator()
                    .send();
                while let Some(page) = pages.next().await {
                    let page = page.map_err(|e| failed(&LIST_OUS_FOR_PARENT, describe(&e)))?;
                    parents.extend(
                        page.organizational_units()
                            .iter()
                            .filter_map(|u| u.id().map(str::to_string)),
                    );
                }
            }
        }
    }
    Ok(accounts)
}

fn describe<E, R>(e: &aws_smithy_runtime_api::client::result::SdkError<E, R>) -> String
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let (code, message) = support::error_code(e);
    format!("{code}: {message}")
}

/// A configuration whose credentials come from assuming `role_arn`, renewed by the SDK before
/// they expire. One AssumeRole call first checks the role can be assumed and lands in `account`,
/// so a refusal is reported with STS's own error code.
async fn assume(
    sdk: &SdkConfig,
    role_arn: &str,
    account: &str,
    targets: &Targets,
    calls: &Arc<CallRecorder>,
) -> Result<SdkConfig, Unreadable> {
    let sts = aws_sdk_sts::config::Builder::from(sdk)
        .interceptor(RecordingInterceptor(calls.clone()))
        .build();
    let duration = i32::try_from(targets.session_duration.as_secs()).unwrap_or(i32::MAX);
    let probe = aws_sdk_sts::Client::from_conf(sts)
        .assume_role()
        .role_arn(role_arn)
        .role_session_name(&targets.session_name)
        .duration_seconds(duration)
        .set_external_id(targets.external_id.clone())
        .send()
        .await;
    match probe {
        Ok(out) => {
            let landed = out
                .assumed_role_user()
                .map(aws_sdk_sts::types::AssumedRoleUser::arn)
                .and_then(|arn| arn.split(':').nth(4))
                .unwrap_or_default();
            if landed != account {
                return Err(Unreadable {
                    operation: ASSUME_ROLE,
                    error_code: "WrongAccount".into(),
                    message: format!(
                        "{role_arn} gave credentials for account {landed}, not {account}"
                    ),
                });
            }
        }
        Err(e) => {
            let (code, message) = support::error_code(&e);
            return Err(Unreadable {
                operation: ASSUME_ROLE,
                error_code: code,
                message: format!(
                    "cannot assume {role_arn}: {message}; check the role exists in account {account}, trusts the caller{}, and allows sts:AssumeRole",
                    if targets.external_id.is_some() {
                        " with this external ID"
                    } else {
                        ""
                    }
                ),
            });
        }
    }
    let mut builder = aws_config::sts::AssumeRoleProvider::builder(role_arn)
        .session_name(&targets.session_name)
        .session_length(targets.session_duration)
        .configure(sdk);
    if let Some(id) = &targets.external_id {
        builder = builder.external_id(id);
    }
    let provider = builder.build().await;
    Ok(sdk
        .to_builder()
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(provider),
        )
        .build())
}

/// The account of `arn:PARTITION:iam::ACCOUNT:role/NAME`.
pub fn account_of_role(arn: &str) -> Option<String> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_), Some("iam"), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    (account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && resource.starts_with("role/"))
    .then(|| account.to_string())
}

/// The partition of a caller ARN (`aws`, `aws-cn`, `aws-us-gov`), for the roles' ARNs.
pub fn partition_of(arn: Option<&str>) -> String {
    arn.and_then(|a| a.split(':').nth(1))
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
        .to_string()
}

/// What organisation mode needs, as one JSON document for `attestor permissions
/// --organization`: the hub's policy (the identity attestor runs as lists the accounts and
/// assumes the member roles), and each member role's trust and permissions policies.
pub fn organization_policies(member_permissions: serde_json::Value) -> String {
    let organizations: Vec<&str> = OPERATIONS
        .iter()
        .filter(|o| o.sdk_service == "Organizations")
        .map(|o| o.iam_action)
        .collect();
    let document = serde_json::json!({
        "hubPolicy": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AttestorListOrganization",
                    "Effect": "Allow",
                    "Action": organizations,
                    "Resource": "*",
                },
                {
                    "Sid": "AttestorAssumeMemberRoles",
                    "Effect": "Allow",
                    "Action": ASSUME_ROLE.iam_action,
                    "Resource": "arn:aws:iam::*:role/ROLE-NAME",
                },
            ],
        },
        "memberRoleTrustPolicy": {
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "AttestorHub",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::HUB-ACCOUNT:role/HUB-ROLE"},
                "Action": ASSUME_ROLE.iam_action,
                "Condition": {"StringEquals": {"sts:ExternalId": "EXTERNAL-ID"}},
            }],
        },
        "memberRolePermissionsPolicy": member_permissions,
    });
    crate::json::pretty_value(&document)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_name_their_account() {
        assert_eq!(
            account_of_role("arn:aws:iam::111122223333:role/attestor-read").as_deref(),
            Some("111122223333")
        );
        assert_eq!(
            account_of_role("arn:aws-us-gov:iam::111122223333:role/path/r").as_deref(),
            Some("111122223333")
        );
        for bad in [
            "arn:aws:iam::1111:role/r",
            "arn:aws:iam::111122223333:user/u",
            "arn:aws:s3:::bucket",
            "111122223333",
            "",
        ] {
            assert_eq!(account_of_role(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_partition_comes_from_the_caller() {
        assert_eq!(
            partition_of(Some("arn:aws-cn:iam::111122223333:user/x")),
            "aws-cn"
        );
        assert_eq!(partition_of(None), "aws");
    }
}
