//! Rate limiting per caller with the `governor` crate (GCRA, the generic
//! cell rate algorithm of ITU-T I.371): each authenticated user, each API
//! key, and each client address for requests without a valid token, gets
//! `GLASSBOX_RATE_LIMIT_PER_MINUTE` requests per minute to `/api/`, with a
//! burst of that many. Every limited answer carries the IETF headers of
//! draft-ietf-httpapi-ratelimit-headers (`RateLimit-Policy: "default";q=N;w=60`
//! and `RateLimit: "default";r=<remaining>;t=<seconds until one is free>`);
//! a refused request gets 429 `rate_limited` with `Retry-After`.
//!
//! Limits are per process: behind a load balancer with k instances a caller
//! may reach k times the limit.

use std::num::NonZeroU32;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError, web};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::error::ApiError;
use crate::state::AppState;

type Limiter = RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// The per-process limiter.
pub struct RateLimits {
    limiter: Limiter,
    per_minute: u32,
    clock: DefaultClock,
}

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimits").field("per_minute", &self.per_minute).finish()
    }
}

impl RateLimits {
    /// `per_minute` requests a minute per caller, bursts of as many; `None`
    /// for 0 (no limit).
    pub fn new(per_minute: u32) -> Option<Self> {
        let n = NonZeroU32::new(per_minute)?;
        let quota = Quota::per_minute(n).allow_burst(n);
        Some(Self {
            limiter: RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
            per_minute,
            clock: DefaultClock::default(),
        })
    }

    /// Forgets callers that have been idle long enough to be back at a
    /// full burst (keeps memory bounded).
    pub fn shrink(&self) {
        self.limiter.retain_recent();
    }

    fn policy(&self) -> String {
        format!("\"default\";q={};w=60", self.per_minute)
    }
}

/// Who a request counts against: the user of a valid bearer token, else
/// the client address.
fn caller_key(req: &ServiceRequest, state: &AppState) -> String {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim());
    if let Some(t) = token.filter(|t| t.starts_with(crate::auth::api_key::PREFIX)) {
        return format!("key:{}", crate::auth::api_key::hash(t));
    }
    if let Some(claims) = token.and_then(|t| state.jwt.verify(t, state.store.clock().now()).ok()) {
        return format!("user:{}", claims.sub);
    }
    let peer = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    format!("ip:{peer}")
}

fn set(headers: &mut header::HeaderMap, name: &'static str, value: String) {
    if let Ok(v) = HeaderValue::from_str(&value) {
        headers.insert(HeaderName::from_static(name), v);
    }
}

/// The middleware: counts `/api/` requests and refuses those over the limit.
pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody + 'static>>, Error> {
    let limits = req.app_data::<web::Data<Option<RateLimits>>>().cloned();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let (Some(limits), Some(state)) = (limits, state) else {
        return next.call(req).await.map(ServiceResponse::map_into_left_body);
    };
    let Some(limits) = limits.as_ref().as_ref() else {
        return next.call(req).await.map(ServiceResponse::map_into_left_body);
    };
    if !req.path().starts_with("/api/") {
        return next.call(req).await.map(ServiceResponse::map_into_left_body);
    }
    let key = caller_key(&req, &state);
    match limits.limiter.check_key(&key) {
        Ok(snapshot) => {
            let remaining = snapshot.remaining_burst_capacity();
            let mut res = next.call(req).await?.map_into_left_body();
            let headers = res.headers_mut();
            set(headers, "ratelimit-policy", limits.policy());
            // With none left, the next one frees up within one emission
            // interval (60 s / limit, rounded up).
            let per_minute = limits.per_minute.max(1);
            let reset = if remaining == 0 { 60_u32.div_ceil(per_minute) } else { 0 };
            set(headers, "ratelimit", format!("\"default\";r={remaining};t={reset}"));
            Ok(res)
        }
        Err(not_until) => {
            let wait = not_until.wait_time_from(limits.clock.now());
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let error = ApiError::RateLimited { retry_after: seconds };
            let mut response = error.error_response();
            let headers = response.headers_mut();
            set(headers, "ratelimit-policy", limits.policy());
            set(headers, "ratelimit", format!("\"default\";r=0;t={seconds}"));
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            Ok(req.into_response(response).map_into_right_body())
        }
    }
}
