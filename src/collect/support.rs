//! What every collector shares: the result batch, turning SDK errors into collection errors, and
//! building configuration items.

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde_json::{Map, Value};

use super::{Ctx, GLOBAL, Operation};
use crate::inventory::{CollectionError, ConfigurationItem};

/// What one collector found in one region.
#[derive(Debug, Default)]
pub struct Batch {
    pub items: Vec<ConfigurationItem>,
    pub errors: Vec<CollectionError>,
}

impl Batch {
    /// The batches' items and errors, in the order given.
    pub fn concat(parts: impl IntoIterator<Item = Batch>) -> Batch {
        let mut all = Batch::default();
        for part in parts {
            all.items.extend(part.items);
            all.errors.extend(part.errors);
        }
        all
    }

    pub fn push(&mut self, item: ConfigurationItem) {
        self.items.push(item);
    }

    /// Records a failed call that leaves `resource_types` incomplete in `region`.
    pub fn fail(
        &mut self,
        ctx: &Ctx,
        service: &str,
        region: &str,
        op: &Operation,
        resource_types: &[&str],
        failure: Failure,
    ) {
        self.fail_properties(ctx, service, region, op, resource_types, &[], failure);
    }

    /// Names the resource the last recorded failure was for (a per-resource call): failures
    /// with the same cause are reported once, with their resources listed.
    pub fn for_resource(&mut self, resource_id: &str) {
        if let Some(last) = self.errors.last_mut() {
            last.resources.push(resource_id.to_string());
        }
    }

    /// Records `op` as not called when no policy of the run reads any of `types` (whole types it
    /// would list); whether it is to be skipped.
    pub fn skip_unread(
        &mut self,
        ctx: &Ctx,
        service: &str,
        region: &str,
        op: &Operation,
        types: &[&str],
    ) -> bool {
        if ctx.plan.wants_any(types) {
            return false;
        }
        self.not_collected(ctx, service, region, op, types, &[]);
        true
    }

    /// Records a call the run did not make because no policy reads what it returns: only
    /// `properties` of the resources (all of them, in `region`) are unknown.
    pub fn not_collected(
        &mut self,
        ctx: &Ctx,
        service: &str,
        region: &str,
        op: &Operation,
        resource_types: &[&str],
        properties: &[&str],
    ) {
        let failure = Failure {
            code: crate::inventory::NOT_COLLECTED.to_string(),
            message: "no policy of the run reads it".to_string(),
        };
        self.fail_properties(
            ctx,
            service,
            region,
            op,
            resource_types,
            properties,
            failure,
        );
    }

    /// Records a failed call that leaves only `properties` of the resources unknown.
    #[allow(clippy::too_many_arguments)] // the fields of the collection error, in order
    pub fn fail_properties(
        &mut self,
        ctx: &Ctx,
        service: &str,
        region: &str,
        op: &Operation,
        resource_types: &[&str],
        properties: &[&str],
        failure: Failure,
    ) {
        self.errors.push(CollectionError {
            service: service.to_string(),
            region: region.to_string(),
            account_id: ctx.account_id.clone(),
            operation: op.name.to_string(),
            iam_action: op.iam_action.to_string(),
            error_code: failure.code,
            message: failure.message,
            resource_types: resource_types
                .iter()
                .map(std::string::ToString::to_string)
                .collect(),
            properties: properties
                .iter()
                .map(std::string::ToString::to_string)
                .collect(),
            resources: Vec::new(),
        });
    }
}

/// An error code and message from a failed call.
#[derive(Debug, Clone)]
pub struct Failure {
    pub code: String,
    pub message: String,
}

/// Keeps error messages to one readable line: some SDK errors embed whole response bodies.
fn one_line(message: String) -> String {
    let line = message.lines().next().unwrap_or_default().trim();
    if line.chars().count() > 300 {
        format!("{}…", line.chars().take(300).collect::<String>())
    } else {
        line.to_string()
    }
}

impl<E, R> From<SdkError<E, R>> for Failure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    fn from(err: SdkError<E, R>) -> Self {
        let (code, message) = error_code(&err);
        Failure {
            code,
            message: one_line(message),
        }
    }
}

/// A stable error code for any SDK failure: the service's code when there is one, else the kind
/// of transport failure (timeouts, connection errors) so reports say what happened.
pub fn error_code<E, R>(err: &SdkError<E, R>) -> (String, String)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match err {
        SdkError::ServiceError(service) => {
            let inner = service.err();
            // No code means the response could not be parsed (an emulator or proxy answered oddly).
            let code = inner.code().unwrap_or("UnparseableResponse").to_string();
            let message = inner.message().map_or_else(
                || {
                    // The SDK's own account of an unparseable response ends in a dump of parser
                    // state (`StartEl { name: … }`): keep the words before it.
                    let text = format!(
                        "{}",
                        aws_smithy_types::error::display::DisplayErrorContext(inner)
                    );
                    let words = text.split('{').next().unwrap_or_default();
                    let words = words
                        .trim_end()
                        .trim_end_matches(" but got StartEl")
                        .trim_start_matches("unhandled error: ");
                    format!("the response could not be read: {words}")
                },
                str::to_string,
            );
            (code, message)
        }
        SdkError::TimeoutError(_) => (
            "Timeout".into(),
            "the request timed out (after retries)".into(),
        ),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => (
            "Timeout".into(),
            "the request timed out (after retries)".into(),
        ),
        SdkError::DispatchFailure(_) | SdkError::ConstructionFailure(_) => transport_failure(err),
        SdkError::ResponseError(_) => (
            "InvalidResponse".into(),
            format!(
                "{}",
                aws_smithy_types::error::display::DisplayErrorContext(err)
            ),
        ),
        _ => (
            "RequestFailed".into(),
            format!(
                "{}",
                aws_smithy_types::error::display::DisplayErrorContext(err)
            ),
        ),
    }
}

/// What went wrong below the API, told apart by the error's causes: the codes attestor reports
/// (`ConnectionRefused`, `DnsFailure`, `TlsFailure`, `NoCredentials`, `ConnectionError`) and one
/// line saying it, never a debug dump.
fn transport_failure(err: &(dyn std::error::Error + 'static)) -> (String, String) {
    let mut chain: Vec<String> = Vec::new();
    let mut refused = false;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            refused = true;
        }
        chain.push(e.to_string());
        source = e.source();
    }
    let text = chain.join(": ").to_ascii_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| text.contains(n));
    let (code, message) = if refused || has(&["connection refused"]) {
        (
            "ConnectionRefused",
            "the connection was refused: nothing is listening at the endpoint",
        )
    } else if has(&[
        "dns error",
        "failed to lookup address",
        "name or service not known",
    ]) {
        (
            "DnsFailure",
            "the endpoint's host name could not be resolved (DNS)",
        )
    } else if has(&["tls", "certificate", "invalidcontenttype", "handshake"]) {
        (
            "TlsFailure",
            "the TLS handshake with the endpoint failed (not HTTPS, or a certificate that is not trusted)",
        )
    } else if has(&["credential", "no credentials"]) {
        (
            "NoCredentials",
            "no AWS credentials were found (environment, profile, SSO or instance role)",
        )
    } else {
        ("ConnectionError", "the request could not be sent")
    };
    // The innermost cause, in its own words, for the rare case the code does not say enough.
    let detail = chain.last().map_or_else(String::new, |c| format!(" ({c})"));
    (code.to_string(), format!("{message}{detail}"))
}

/// The one item per account an attestor-defined setting is (the account summary, the password
/// policy, account-level public access block): keyed by the account ID, no name, ARN or tags.
pub fn account_item(
    ctx: &Ctx,
    resource_type: &str,
    region: &str,
    configuration: Value,
) -> ConfigurationItem {
    item(
        ctx,
        resource_type,
        region,
        ctx.account_id.clone(),
        None,
        None,
        configuration,
        Value::Null,
        Value::Null,
    )
}

/// The partition of a region's ARNs: `aws`, `aws-cn` or `aws-us-gov`.
fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// The ARN of an EC2 resource the Describe call does not return one for (VPCs, route tables,
/// volumes, …), in the form AWS Config records: `arn:aws:ec2:REGION:ACCOUNT:KIND/ID`.
pub fn ec2_arn(ctx: &Ctx, region: &str, kind: &str, id: Option<&str>) -> Option<String> {
    id.map(|id| {
        format!(
            "arn:{}:ec2:{region}:{}:{kind}/{id}",
            partition(region),
            ctx.account_id
        )
    })
}

/// An EC2 resource's `Name` tag: the name people give VPCs, subnets and volumes in the console.
pub fn name_tag(tags: &Value) -> Option<&str> {
    tags.get("Name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
}

/// Builds a configuration item. `configuration` and `supplementary` are JSON objects with AWS
/// Config's property names.
// The arguments are the configuration item's own fields, in its order; a builder would add nothing.
#[allow(clippy::too_many_arguments)]
pub fn item(
    ctx: &Ctx,
    resource_type: &str,
    region: &str,
    resource_id: impl Into<String>,
    resource_name: Option<&str>,
    arn: Option<&str>,
    configuration: Value,
    supplementary: Value,
    tags: Value,
) -> ConfigurationItem {
    let resource_id = resource_id.into();
    let mut doc = Map::new();
    doc.insert("resourceType".into(), resource_type.into());
    doc.insert("resourceId".into(), resource_id.clone().into());
    if let Some(name) = resource_name {
        doc.insert("resourceName".into(), name.into());
    }
    doc.insert("accountId".into(), ctx.account_id.clone().into());
    doc.insert("awsRegion".into(), region.into());
    if let Some(arn) = arn {
        doc.insert("arn".into(), arn.into());
    }
    doc.insert("configuration".into(), configuration);
    if !supplementary.is_null() {
        doc.insert("supplementaryConfiguration".into(), supplementary);
    }
    if !tags.is_null() {
        doc.insert("tags".into(), tags);
    }
    ConfigurationItem {
        resource_type: resource_type.into(),
        resource_id,
        account_id: ctx.account_id.as_str().into(),
        region: region.into(),
        resource_name: resource_name.map(str::to_string),
        arn: arn.map(str::to_string),
        doc: Value::Object(doc),
        unknown: Vec::new(),
    }
}

/// Drops `null` members so absent API fields stay absent (policies treat null as missing anyway,
/// and snapshots stay small).
pub fn compact(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, compact(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(compact).collect()),
        other => other,
    }
}

/// An SDK timestamp as RFC 3339 text, the form dates take in configuration items.
pub fn date(t: Option<&aws_smithy_types::DateTime>) -> Value {
    t.and_then(|t| t.fmt(aws_smithy_types::date_time::Format::DateTime).ok())
        .map_or(Value::Null, Value::String)
}

/// Tags as AWS Config records them: a map of key to value.
pub fn tags<'a>(pairs: impl IntoIterator<Item = (Option<&'a str>, Option<&'a str>)>) -> Value {
    let map: Map<String, Value> = pairs
        .into_iter()
        .filter_map(|(k, v)| {
            Some((
                k?.to_string(),
                Value::String(v.unwrap_or_default().to_string()),
            ))
        })
        .collect();
    Value::Object(map)
}

/// The region to report for a global service's resources.
pub fn global_region() -> &'static str {
    GLOBAL
}

/// Declares an [`Operation`] constant list entry.
macro_rules! op {
    ($sdk:literal, $name:literal, $action:literal) => {
        $crate::collect::Operation {
            sdk_service: $sdk,
            name: $name,
            iam_action: $action,
        }
    };
}
pub(crate) use op;

/// Walks a paginator: one request slot per page; a failed page records a collection error for
/// `$types` (or, with `properties:`, for those properties of them alone) and stops (the data
/// seen so far is kept; the error says the rest is missing). Evaluates to whether every page was
/// read.
macro_rules! for_each_page {
    // A listing of whole types: not called at all when no policy of the run reads any of them
    // (recorded as not collected, so a later scan reading them gives `error`).
    ($ctx:expr, $batch:expr, $service:expr, $region:expr, $op:expr, $types:expr, $pages:expr, |$out:ident| $body:block) => {
        if $batch.skip_unread($ctx, $service, $region, &$op, $types) {
            true
        } else {
            $crate::collect::support::for_each_page!(
                $ctx, $batch, $service, $region, $op, $types, properties: &[], $pages, |$out| $body
            )
        }
    };
    ($ctx:expr, $batch:expr, $service:expr, $region:expr, $op:expr, $types:expr, properties: $properties:expr, $pages:expr, |$out:ident| $body:block) => {{
        let mut pages = $pages;
        let mut complete = true;
        loop {
            let page = {
                let _permit = $ctx.permit().await;
                pages.next().await
            };
            match page {
                None => break,
                Some(Err(e)) => {
                    $batch.fail_properties($ctx, $service, $region, &$op, $types, $properties, e.into());
                    complete = false;
                    break;
                }
                Some(Ok($out)) => $body,
            }
        }
        complete
    }};
}
pub(crate) use for_each_page;
