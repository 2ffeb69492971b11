//! Request id, access log and panic guard.
//!
//! [`request_context`] runs outermost: it takes the client's `X-Request-Id`
//! (if it is a sane token) or makes a UUIDv7, keeps it in a task-local for the
//! whole request (so every problem body can quote it), logs the request in a
//! span, and puts the id on the response. Inside it, a panicking handler is
//! caught and answered with a 500 problem instead of a dropped connection.

use std::panic::AssertUnwindSafe;
use std::time::Instant;

use actix_web::Error;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::HeaderValue;
use actix_web::middleware::Next;
use futures_util::FutureExt;
use tracing::Instrument;

use crate::error::{ApiError, WithRequestId};
use crate::request_id::{CURRENT_REQUEST_ID, REQUEST_ID};

/// Failures answered by code outside our handlers (CORS refusals, the docs
/// UI's file server) come without a problem body; give them one so every
/// 4xx/5xx is `application/problem+json` with the request id.
async fn as_problem_if_failed(res: ServiceResponse<BoxBody>, id: &str) -> ServiceResponse<BoxBody> {
    let status = res.status();
    let is_problem = res
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(crate::error::PROBLEM_JSON.as_bytes()));
    if status.as_u16() < 400 || is_problem {
        return res;
    }
    let (req, http_res) = res.into_parts();
    let text = actix_web::body::to_bytes_limited(http_res.into_body(), 4096)
        .await
        .ok()
        .and_then(Result::ok)
        .and_then(|b| String::from_utf8(b.to_vec()).ok())
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("request failed").to_owned());
    let error = if status == actix_web::http::StatusCode::NOT_FOUND {
        ApiError::NoRoute
    } else {
        ApiError::Rejected { status, detail: text }
    };
    let rendered = actix_web::ResponseError::error_response(&WithRequestId {
        request_id: id.to_owned(),
        error,
    });
    ServiceResponse::new(req, rendered)
}

fn accepted_client_id(value: &HeaderValue) -> Option<String> {
    let s = value.to_str().ok()?;
    let ok = !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    ok.then(|| s.to_owned())
}

/// Outermost middleware: request id, access log, error rendering in scope.
///
/// # Errors
/// Never: errors from inner services are rendered as problem responses here.
pub async fn request_context(mut req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<BoxBody>, Error> {
    // HEAD is GET without a body (RFC 9110 §9.3.2): route it as GET; the
    // HTTP layer drops the body because the request was HEAD on the wire.
    if req.method() == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(accepted_client_id)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.path());
    let started = Instant::now();
    let outcome = CURRENT_REQUEST_ID
        .scope(id.clone(), AssertUnwindSafe(next.call(req)).catch_unwind())
        .instrument(span.clone())
        .await;
    let mut response = match outcome {
        Ok(Ok(res)) => as_problem_if_failed(res.map_into_boxed_body(), &id).await,
        // Errors raised by middleware (e.g. a refused CORS preflight) become
        // problems too, with the request id.
        Ok(Err(err)) => {
            return Err(WithRequestId {
                request_id: id,
                error: ApiError::Rejected {
                    status: err.as_response_error().status_code(),
                    detail: err.to_string(),
                },
            }
            .into());
        }
        Err(_) => {
            span.in_scope(|| tracing::error!("handler panicked"));
            return Err(WithRequestId {
                request_id: id,
                error: ApiError::Panic,
            }
            .into());
        }
    };
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let path = response.request().path().to_owned();
    crate::security_headers::secure(response.headers_mut(), &path);
    let status = response.status().as_u16();
    span.in_scope(|| tracing::info!(status, elapsed_ms = started.elapsed().as_millis() as u64, "served"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test, web};

    use super::request_context;

    async fn boom() -> HttpResponse {
        panic!("handler bug")
    }

    #[actix_web::test]
    async fn a_panicking_handler_becomes_a_500_problem_with_the_request_id() {
        let app = test::init_service(App::new().route("/boom", web::get().to(boom)).wrap(from_fn(request_context))).await;
        let req = test::TestRequest::get()
            .uri("/boom")
            .insert_header(("x-request-id", "req-77"))
            .to_request();
        let err = match test::try_call_service(&app, req).await {
            Err(err) => err,
            Ok(res) => panic!("expected the panic to surface as an error, got {}", res.status()),
        };
        let res = err.error_response();
        assert_eq!(res.status(), 500);
        assert_eq!(res.headers().get("x-request-id").unwrap(), "req-77");
        assert_eq!(res.headers().get("content-type").unwrap(), "application/problem+json");
        let body = actix_web::body::to_bytes(res.into_body()).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["request_id"], "req-77");
        assert_eq!(body["code"], "internal_error");
        assert!(!body["detail"].as_str().unwrap().contains("handler bug"), "panic message leaked");
    }

    #[actix_web::test]
    async fn the_server_keeps_serving_after_a_panic() {
        let app = test::init_service(
            App::new()
                .route("/boom", web::get().to(boom))
                .route("/ok", web::get().to(|| async { HttpResponse::Ok().finish() }))
                .wrap(from_fn(request_context)),
        )
        .await;
        let _ = test::try_call_service(&app, test::TestRequest::get().uri("/boom").to_request()).await;
        let ok = test::call_service(&app, test::TestRequest::get().uri("/ok").to_request()).await;
        assert_eq!(ok.status(), 200);
        assert_eq!(ok.headers().get("x-request-id").unwrap().len(), 36);
    }
}
