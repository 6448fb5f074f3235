//! What a distribution update keeps of the live configuration. CloudFront
//! takes a whole configuration on every write, so a write built from the file
//! alone drops whatever others set that the file does not manage: a WAF web
//! ACL, IPv6, an origin's secret header or timeouts, a behavior's response
//! headers policy or CloudFront Functions. `keep_unmanaged` copies those from
//! the live configuration into the one wway built; what wway manages (the
//! file's fields) stays as built.

use aws_sdk_cloudfront::types::{CacheBehavior, DefaultCacheBehavior, DistributionConfig, Origin};

/// Copies each named field from `live` into `built`.
macro_rules! keep {
    ($built:expr, $live:expr, $($field:ident),+ $(,)?) => {
        $( $built.$field = $live.$field.clone(); )+
    };
}

/// The behavior fields the file does not manage (its cache policies are not
/// kept: a behavior cannot have both a cache policy and the forwarded values
/// and TTLs the file sets).
macro_rules! keep_behavior {
    ($built:expr, $live:expr) => {
        keep!(
            $built,
            $live,
            trusted_signers,
            trusted_key_groups,
            smooth_streaming,
            function_associations,
            field_level_encryption_id,
            realtime_log_config_arn,
            response_headers_policy_id,
            grpc_config,
        )
    };
}

pub fn keep_unmanaged(built: &mut DistributionConfig, live: &DistributionConfig) {
    keep!(
        built,
        live,
        default_root_object,
        origin_groups,
        web_acl_id,
        http_version,
        is_ipv6_enabled,
        continuous_deployment_policy_id,
        staging,
        anycast_ip_list_id,
        tenant_config,
        connection_mode,
        viewer_mtls_config,
        connection_function_association,
        cache_tag_config,
    );
    let live_origins = live.origins.as_ref().map(|o| o.items.as_slice()).unwrap_or_default();
    for origin in built.origins.iter_mut().flat_map(|o| o.items.iter_mut()) {
        if let Some(was) = live_origins.iter().find(|o| o.id == origin.id) {
            keep_origin(origin, was);
        }
    }
    if let (Some(built), Some(was)) =
        (built.default_cache_behavior.as_mut(), live.default_cache_behavior.as_ref())
    {
        keep_default_behavior(built, was);
    }
    let live_behaviors =
        live.cache_behaviors.as_ref().and_then(|b| b.items.as_deref()).unwrap_or_default();
    for behavior in built.cache_behaviors.iter_mut().flat_map(|b| b.items.iter_mut().flatten()) {
        if let Some(was) = live_behaviors.iter().find(|b| b.path_pattern == behavior.path_pattern) {
            keep_ordered_behavior(behavior, was);
        }
    }
}

fn keep_origin(built: &mut Origin, live: &Origin) {
    keep!(
        built,
        live,
        origin_path,
        custom_headers,
        vpc_origin_config,
        connection_attempts,
        connection_timeout,
        response_completion_timeout,
        origin_shield,
        origin_access_control_id,
    );
    // The file sets the protocol policy; ports, TLS versions and timeouts
    // are the origin's own.
    if let (Some(built), Some(live)) =
        (built.custom_origin_config.as_mut(), live.custom_origin_config.as_ref())
    {
        keep!(
            built,
            live,
            http_port,
            https_port,
            origin_ssl_protocols,
            origin_read_timeout,
            origin_keepalive_timeout,
            ip_address_type,
            origin_mtls_config,
        );
    }
}

fn keep_default_behavior(built: &mut DefaultCacheBehavior, live: &DefaultCacheBehavior) {
    keep_behavior!(built, live);
}

fn keep_ordered_behavior(built: &mut CacheBehavior, live: &CacheBehavior) {
    keep_behavior!(built, live);
}
