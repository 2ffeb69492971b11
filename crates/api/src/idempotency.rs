//! `Idempotency-Key` on POST requests (IETF draft "The Idempotency-Key HTTP
//! Header Field"): the first answer is stored for 24 hours per org and key
//! with a fingerprint of the request, and a retry gets the same status and
//! body with `Idempotent-Replayed: true` instead of a second write. The same
//! key with another request is 422; while the first request with a key is
//! still running, another one gets 409. Answers of 5xx are not kept, so a
//! retry runs again. Requests without the header, and unauthenticated ones,
//! pass through untouched (sign-in and token refresh among them). The key
//! is per org and the fingerprint includes the caller, so another user's
//! request under the same key is a different request (422). A replayed body
//! is the stored one, `request_id` included.

use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse, web};
use glassbox_domain::DomainError;
use glassbox_persistence::idempotency::{Claim, StoredAnswer};
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{body_limit, read_limited};
use crate::state::AppState;

/// The request header.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// The header a replayed answer carries.
pub const REPLAYED: &str = "idempotent-replayed";
/// Headers stored with an answer and replayed.
const KEPT: [HeaderName; 3] = [header::CONTENT_TYPE, header::ETAG, header::LOCATION];

/// A key: 1–255 visible ASCII characters (a UUID is the usual choice).
fn parse_key(raw: &HeaderValue) -> Result<String, ApiError> {
    raw.to_str()
        .ok()
        .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
        .ok_or_else(|| ApiError::field("Idempotency-Key", "invalid_idempotency_key", "1 to 255 visible ASCII characters"))
}

/// Fingerprint of a request: caller, method, path with query, body.
fn fingerprint(user: uuid::Uuid, req: &ServiceRequest, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(user.as_bytes());
    h.update(req.method().as_str());
    h.update(b"\n");
    h.update(req.uri().path_and_query().map(|p| p.as_str()).unwrap_or_default());
    h.update(b"\n");
    h.update(body);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

async fn read_body(req: &mut ServiceRequest) -> Result<web::Bytes, ApiError> {
    let limit = body_limit(req.request());
    read_limited(req.take_payload(), limit).await
}

fn replay(req: ServiceRequest, stored: StoredAnswer) -> ServiceResponse<BoxBody> {
    let mut res = HttpResponse::build(StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK));
    for line in stored.headers.lines() {
        if let Some((name, value)) = line.split_once(": ") {
            res.insert_header((name.to_owned(), value.to_owned()));
        }
    }
    res.insert_header((REPLAYED, "true"));
    req.into_response(res.body(stored.body))
}

fn problem(req: ServiceRequest, err: ApiError) -> ServiceResponse<BoxBody> {
    let res = actix_web::ResponseError::error_response(&err);
    req.into_response(res)
}

/// The middleware.
///
/// # Errors
/// Only those of the wrapped service.
pub async fn idempotency(mut req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(raw) = req.headers().get(IDEMPOTENCY_KEY).cloned() else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    if req.method() != Method::POST {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    }
    if req.headers().get_all(IDEMPOTENCY_KEY).count() > 1 {
        let err = ApiError::field("Idempotency-Key", "duplicate_header", "send one Idempotency-Key");
        return Ok(problem(req, err));
    }
    let key = match parse_key(&raw) {
        Ok(k) => k,
        Err(e) => return Ok(problem(req, e)),
    };
    let (Ok(caller), Some(state)) = (req.extract::<Caller>().await, req.app_data::<web::Data<AppState>>().cloned()) else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let body = match read_body(&mut req).await {
        Ok(b) => b,
        Err(e) => return Ok(problem(req, e)),
    };
    let hash = fingerprint(caller.0.user_id, &req, &body);
    req.set_payload(actix_web::dev::Payload::from(body));
    let org = caller.0.org_id;
    match state.store.claim_idempotency_key(org, &key, &hash).await {
        Err(e) => Ok(problem(req, e.into())),
        Ok(Claim::Replay(stored)) => Ok(replay(req, stored)),
        Ok(Claim::Mismatch) => Ok(problem(
            req,
            ApiError::field(
                "Idempotency-Key",
                "idempotency_key_reused",
                "this key was used for a different request; use a new key",
            ),
        )),
        Ok(Claim::InProgress) => Ok(problem(
            req,
            DomainError::Conflict("a request with this Idempotency-Key is still running; retry shortly".into()).into(),
        )),
        Ok(Claim::Fresh) => {
            let res = next.call(req).await?.map_into_boxed_body();
            let status = res.status();
            if status.is_server_error() {
                state.store.release_idempotency_key(org, &key).await.ok();
                return Ok(res);
            }
            let headers: String = KEPT
                .iter()
                .filter_map(|name| {
                    res.headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(|v| format!("{name}: {v}\n"))
                })
                .collect();
            let (http_req, http_res) = res.into_parts();
            let (head, body) = http_res.into_parts();
            let bytes = to_bytes(body).await.unwrap_or_default();
            let answer = StoredAnswer {
                status: status.as_u16(),
                headers,
                body: String::from_utf8_lossy(&bytes).into_owned(),
            };
            if state.store.finish_idempotency_key(org, &key, &answer).await.is_err() {
                state.store.release_idempotency_key(org, &key).await.ok();
            }
            Ok(ServiceResponse::new(http_req, head.set_body(BoxBody::new(bytes))))
        }
    }
}
