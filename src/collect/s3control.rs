//! S3 Control (global): the account-level S3 Block Public Access setting, which applies to every
//! bucket in the account whatever the bucket's own setting says. One item per account,
//! `Attestor::S3::AccountPublicAccessBlock` (AWS Config records it as
//! `AWS::S3::AccountPublicAccessBlock`, in a shape attestor does not read yet).
//!
//! "No configuration" (`NoSuchPublicAccessBlockConfiguration`) is an answer: nothing is blocked at
//! the account level, so the item says all four settings are off. Any other failure is a collection
//! error, so the policy gives `error`.

use serde_json::{Value, json};

use super::support::{Batch, account_item, global_region, op};
use super::{BoxFuture, Ctx, Operation, Service};

const GET_PUBLIC_ACCESS_BLOCK: Operation = op!(
    "S3 Control",
    "GetPublicAccessBlock",
    "s3:GetAccountPublicAccessBlock"
);
const ACCOUNT_BLOCK: &str = "Attestor::S3::AccountPublicAccessBlock";

pub static SERVICE: Service = Service {
    name: "s3control",
    global: true,
    operations: &[GET_PUBLIC_ACCESS_BLOCK],
    resource_types: &[ACCOUNT_BLOCK],
    collect: run,
};

fn run<'a>(ctx: &'a Ctx, region: &'a str) -> BoxFuture<'a, Batch> {
    Box::pin(collect(ctx, region))
}

/// S3 Control's endpoint rules put the account ID in front of the host
/// (`123456789012.s3-control.eu-west-1.amazonaws.com`), for a custom endpoint too. In front of an
/// IP address or `localhost` (an emulator, a local proxy) that name can never be the intended
/// host, and resolving it would send a DNS query, with the account ID in it, off the machine. For
/// those endpoints only, this resolver leaves the account ID out of the host; the request still
/// names the account in its `x-amz-account-id` header. AWS's own endpoints and custom endpoints
/// with DNS names (PrivateLink) keep the SDK's rules.
#[derive(Debug)]
struct LoopbackSafeResolver(aws_sdk_s3control::config::endpoint::DefaultResolver);

impl LoopbackSafeResolver {
    fn new() -> Self {
        LoopbackSafeResolver(aws_sdk_s3control::config::endpoint::DefaultResolver::new())
    }
}

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for LoopbackSafeResolver {
    fn resolve_endpoint<'a>(
        &'a self,
        params: &'a aws_sdk_s3control::config::endpoint::Params,
    ) -> aws_smithy_runtime_api::client::endpoint::EndpointFuture<'a> {
        use aws_sdk_s3control::config::endpoint::Params;
        if !params.endpoint().is_some_and(host_takes_no_prefix) {
            return self.0.resolve_endpoint(params);
        }
        let unprefixed = Params::builder()
            .set_region(params.region().map(str::to_string))
            .set_use_fips(params.use_fips())
            .set_use_dual_stack(params.use_dual_stack())
            .set_endpoint(params.endpoint().map(str::to_string))
            .set_account_id(params.account_id().map(str::to_string))
            .set_requires_account_id(None)
            .set_outpost_id(params.outpost_id().map(str::to_string))
            .set_bucket(params.bucket().map(str::to_string))
            .set_access_point_name(params.access_point_name().map(str::to_string))
            .set_use_arn_region(params.use_arn_region())
            .set_resource_arn(params.resource_arn().map(str::to_string))
            .set_use_s3_express_control_endpoint(params.use_s3_express_control_endpoint())
            .build();
        match unprefixed {
            Ok(p) => aws_smithy_runtime_api::client::endpoint::EndpointFuture::new(async move {
                self.0.resolve_endpoint(&p).await
            }),
            Err(e) => {
                aws_smithy_runtime_api::client::endpoint::EndpointFuture::ready(Err(Box::new(e)))
            }
        }
    }
}

/// Whether `endpoint` (a URL) names its host by an IP address or as `localhost`.
fn host_takes_no_prefix(endpoint: &str) -> bool {
    let rest = endpoint
        .split_once("://")
        .map_or(endpoint, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    if host_port.starts_with('[') {
        return true; // an IPv6 literal
    }
    let host = host_port
        .rsplit_once(':')
        .map_or(host_port, |(host, _)| host);
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::Ipv4Addr>().is_ok()
}

async fn collect(ctx: &Ctx, _region: &str) -> Batch {
    let region = global_region();
    let config = aws_sdk_s3control::config::Builder::from(&ctx.config(region))
        .interceptor(ctx.interceptor())
        .endpoint_resolver(LoopbackSafeResolver::new())
        .build();
    let client = aws_sdk_s3control::Client::from_conf(config);
    let mut batch = Batch::default();
    let answer = {
        let _permit = ctx.permit().await;
        client
            .get_public_access_block()
            .account_id(&ctx.account_id)
            .send()
            .await
    };
    let block = match answer {
        Ok(out) => out.public_access_block_configuration().cloned(),
        // Not configured: nothing is blocked at the account level.
        Err(e)
            if e.as_service_error()
                .is_some_and(aws_sdk_s3control::operation::get_public_access_block::GetPublicAccessBlockError::is_no_such_public_access_block_configuration) =>
        {
            None
        }
        Err(e) => {
            batch.fail(
                ctx,
                "s3control",
                region,
                &GET_PUBLIC_ACCESS_BLOCK,
                &[ACCOUNT_BLOCK],
                e.into(),
            );
            return batch;
        }
    };
    batch.push(account_item(
        ctx,
        ACCOUNT_BLOCK,
        region,
        configuration(block.as_ref()),
    ));
    batch
}

/// The four settings; an unset one (or no configuration at all) is off, as S3 applies it.
fn configuration(
    block: Option<&aws_sdk_s3control::types::PublicAccessBlockConfiguration>,
) -> Value {
    json!({
        "blockPublicAcls": block.and_then(aws_sdk_s3control::types::PublicAccessBlockConfiguration::block_public_acls).unwrap_or(false),
        "ignorePublicAcls": block.and_then(aws_sdk_s3control::types::PublicAccessBlockConfiguration::ignore_public_acls).unwrap_or(false),
        "blockPublicPolicy": block.and_then(aws_sdk_s3control::types::PublicAccessBlockConfiguration::block_public_policy).unwrap_or(false),
        "restrictPublicBuckets": block.and_then(aws_sdk_s3control::types::PublicAccessBlockConfiguration::restrict_public_buckets).unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ip_and_localhost_endpoints_drop_the_account_prefix() {
        for url in [
            "http://127.0.0.1:5000",
            "http://127.0.0.1",
            "http://localhost:5000/",
            "https://LOCALHOST",
            "http://[::1]:5000",
            "http://user@10.0.0.1:80/path",
        ] {
            assert!(host_takes_no_prefix(url), "{url}");
        }
        for url in [
            "https://s3-control.eu-west-1.amazonaws.com",
            "https://control.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com",
            "http://moto.internal:5000",
            "http://localhost.example.com",
        ] {
            assert!(!host_takes_no_prefix(url), "{url}");
        }
    }

    /// Drives a future that never waits (endpoint resolution here is pure computation).
    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn emulator_endpoints_resolve_without_the_account_label() {
        use aws_sdk_s3control::config::endpoint::{Params, ResolveEndpoint};
        let resolve = |endpoint: Option<&str>| {
            let params = Params::builder()
                .region("eu-west-1")
                .set_endpoint(endpoint.map(str::to_string))
                .account_id("123456789012")
                .requires_account_id(true)
                .build()
                .unwrap();
            let resolver = LoopbackSafeResolver::new();
            let endpoint = block_on(resolver.resolve_endpoint(&params)).unwrap();
            endpoint.url().to_string()
        };
        assert_eq!(
            resolve(Some("http://127.0.0.1:5000")),
            "http://127.0.0.1:5000"
        );
        assert_eq!(
            resolve(Some("https://control.example.com")),
            "https://123456789012.control.example.com"
        );
        assert_eq!(
            resolve(None),
            "https://123456789012.s3-control.eu-west-1.amazonaws.com"
        );
    }

    #[test]
    fn no_configuration_means_nothing_is_blocked() {
        assert_eq!(
            configuration(None),
            json!({"blockPublicAcls": false, "ignorePublicAcls": false, "blockPublicPolicy": false, "restrictPublicBuckets": false})
        );
        let partial = aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder()
            .block_public_acls(true)
            .build();
        assert_eq!(configuration(Some(&partial))["blockPublicAcls"], true);
        assert_eq!(
            configuration(Some(&partial))["restrictPublicBuckets"],
            false
        );
    }
}
