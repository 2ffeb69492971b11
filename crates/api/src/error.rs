//! The one place failures become HTTP answers: RFC 9457 problem+json.
//!
//! Every error body has `type`, `title`, `status`, `detail`, a stable
//! snake_case `code`, `request_id`, and for validation `errors[]` with the
//! offending `field`. [`ApiError::status_and_code`] is the single status
//! table; it matches [`DomainError`] exhaustively, so a new domain outcome
//! forces a decision here. A 5xx logs the whole cause and tells the client
//! nothing internal.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use glassbox_domain::{DomainError, FieldError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::request_id::current_request_id;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One offending input field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemField {
    /// Wire name of the field, dotted for nested fields (`business_hours.start`).
    pub field: String,
    /// Stable reason, e.g. `too_short`, `unknown_currency`, `required`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

/// RFC 9457 problem details.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// URI reference naming the problem type: `/problems/{code}`.
    #[schema(example = "/problems/validation_failed")]
    pub r#type: String,
    /// Short summary of the problem type.
    #[schema(example = "Validation failed")]
    pub title: String,
    /// HTTP status code.
    #[schema(example = 422)]
    pub status: u16,
    /// Explanation of this occurrence.
    pub detail: String,
    /// Stable machine-readable code.
    #[schema(example = "validation_failed")]
    pub code: String,
    /// Id of the request (also in the `X-Request-Id` header); quote it in support requests.
    pub request_id: String,
    /// Offending fields (validation problems only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    /// The record as stored now (412 answers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub current: Option<serde_json::Value>,
}

/// Every failure an HTTP handler can return.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A business outcome from the domain or storage.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The request cannot be parsed (malformed JSON, bad header).
    #[error("malformed request: {0}")]
    Malformed(String),
    /// The body is larger than the configured limit.
    #[error("request body exceeds {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A batch holds more items than allowed.
    #[error("a batch holds at most {max} items")]
    BatchTooLarge {
        /// Most items per batch.
        max: usize,
    },
    /// The body is not `application/json`.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// No route has this path.
    #[error("no such route")]
    NoRoute,
    /// The path exists with other methods.
    #[error("method not allowed")]
    MethodNotAllowed {
        /// Methods the path does accept.
        allow: Vec<String>,
    },
    /// `If-Match` is stale; carries the current record.
    #[error("stale version")]
    Stale {
        /// Version stored now.
        current_version: i64,
        /// The current record, serialized as its GET answer.
        current: serde_json::Value,
    },
    /// A middleware refused the request (e.g. CORS); carries its status.
    #[error("{detail}")]
    Rejected {
        /// Status chosen by the middleware.
        status: StatusCode,
        /// Its explanation.
        detail: String,
    },
    /// The caller sent more requests than its rate limit allows.
    #[error("too many requests; retry in {retry_after} s")]
    RateLimited {
        /// Seconds until the next request is allowed.
        retry_after: u64,
    },
    /// A dependency such as the database is down.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A handler panicked.
    #[error("handler panicked")]
    Panic,
}

impl ApiError {
    /// The status table: HTTP status, stable code and title of each failure.
    pub fn status_and_code(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            ApiError::Domain(e) => match e {
                DomainError::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "Validation failed"),
                DomainError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found", "Not found"),
                DomainError::Conflict(_) => (StatusCode::CONFLICT, "conflict", "Conflict"),
                DomainError::StaleVersion { .. } => (StatusCode::PRECONDITION_FAILED, "stale_version", "Precondition failed"),
                DomainError::Unauthenticated(_) => (StatusCode::UNAUTHORIZED, "unauthenticated", "Unauthenticated"),
                DomainError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", "Forbidden"),
                DomainError::Gone(_) => (StatusCode::GONE, "resync_required", "Gone"),
                DomainError::Busy(_) => (StatusCode::SERVICE_UNAVAILABLE, "busy", "Service busy"),
                DomainError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "Internal server error"),
            },
            ApiError::Malformed(_) => (StatusCode::BAD_REQUEST, "malformed_request", "Malformed request"),
            ApiError::TooLarge { .. } | ApiError::BatchTooLarge { .. } => {
                (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "Payload too large")
            }
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Unsupported media type",
            ),
            ApiError::NoRoute => (StatusCode::NOT_FOUND, "route_not_found", "Not found"),
            ApiError::MethodNotAllowed { .. } => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "Method not allowed"),
            ApiError::Stale { .. } => (StatusCode::PRECONDITION_FAILED, "stale_version", "Precondition failed"),
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", "Service unavailable"),
            ApiError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited", "Too many requests"),
            ApiError::Rejected { status, .. } => (*status, "request_rejected", "Request rejected"),
            ApiError::Panic => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "Internal server error"),
        }
    }

    fn detail(&self) -> String {
        match self {
            ApiError::Domain(DomainError::Internal(_)) | ApiError::Panic | ApiError::Unavailable(_) => {
                "the server failed to complete the request; quote the request_id when reporting it".into()
            }
            ApiError::Domain(DomainError::Validation(_)) => "one or more fields are invalid; see errors".into(),
            ApiError::Domain(DomainError::Gone(what)) => what.clone(),
            ApiError::Domain(DomainError::Busy(_)) => {
                "the database is busy with other writes; nothing was changed, retry after Retry-After seconds".into()
            }
            ApiError::Domain(DomainError::NotFound(what)) => format!("no {what} with this id is visible to you"),
            ApiError::Domain(DomainError::StaleVersion { current, .. })
            | ApiError::Stale {
                current_version: current, ..
            } => {
                format!("the record changed; current version is {current}. Re-read it and retry with If-Match: \"{current}\"")
            }
            ApiError::UnsupportedMediaType => "send the body as application/json".into(),
            ApiError::NoRoute => "no endpoint has this path; see /openapi.json".into(),
            ApiError::MethodNotAllowed { allow } => format!("this path accepts {}", allow.join(", ")),
            other => other.to_string(),
        }
    }

    /// A validation problem about one field.
    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        ApiError::Domain(DomainError::Validation(vec![FieldError::new(field, code, message)]))
    }

    /// The problem body of this error, quoting the current request id.
    pub fn problem(&self) -> Problem {
        self.problem_for(current_request_id().unwrap_or_default())
    }

    /// The problem body of this error for request `request_id`.
    pub fn problem_for(&self, request_id: String) -> Problem {
        let (status, code, title) = self.status_and_code();
        let errors = match self {
            ApiError::Domain(DomainError::Validation(errs)) => errs
                .iter()
                .map(|e| ProblemField {
                    field: e.field.clone(),
                    code: e.code.clone(),
                    message: e.message.clone(),
                })
                .collect(),
            _ => Vec::new(),
        };
        Problem {
            r#type: format!("/problems/{code}"),
            title: title.into(),
            status: status.as_u16(),
            detail: self.detail(),
            code: code.into(),
            request_id,
            errors,
            current: match self {
                ApiError::Stale { current, .. } => Some(current.clone()),
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status_and_code().0
    }

    fn error_response(&self) -> HttpResponse {
        self.render(self.problem())
    }
}

impl ApiError {
    fn render(&self, problem: Problem) -> HttpResponse {
        if problem.status >= 500 {
            tracing::error!(request_id = %problem.request_id, error = ?self, "request failed");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        match self {
            ApiError::MethodNotAllowed { allow } => {
                if let Ok(value) = HeaderValue::from_str(&allow.join(", ")) {
                    response.insert_header((header::ALLOW, value));
                }
            }
            ApiError::Stale { current_version, .. } => {
                response.insert_header((header::ETAG, format!("\"{current_version}\"")));
            }
            ApiError::RateLimited { retry_after } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            ApiError::Domain(DomainError::Busy(_)) => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            ApiError::Domain(DomainError::Unauthenticated(_)) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            _ => {}
        }
        response.body(serde_json::to_string(&problem).unwrap_or_default())
    }
}

/// An error rendered outside the request's task (e.g. after a panic), with
/// its request id carried along for the body and the `X-Request-Id` header.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct WithRequestId {
    /// The request's id.
    pub request_id: String,
    /// What went wrong.
    pub error: ApiError,
}

impl ResponseError for WithRequestId {
    fn status_code(&self) -> StatusCode {
        self.error.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = self.error.render(self.error.problem_for(self.request_id.clone()));
        if let Ok(value) = HeaderValue::from_str(&self.request_id) {
            response.headers_mut().insert(crate::request_id::REQUEST_ID, value);
        }
        crate::security_headers::secure(response.headers_mut(), "/api/");
        response
    }
}

/// Problem answers documented on operations: each marker type lists the
/// statuses an operation of that kind can answer with.
pub mod responses {
    use utoipa::openapi::{ContentBuilder, RefOr, Response, ResponseBuilder, ResponsesBuilder};

    use super::PROBLEM_JSON;

    fn problem(description: &str) -> RefOr<Response> {
        ResponseBuilder::new()
            .description(description)
            .content(
                PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(utoipa::openapi::Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build()
            .into()
    }

    fn build(codes: &[&str]) -> std::collections::BTreeMap<String, RefOr<Response>> {
        let mut builder = ResponsesBuilder::new();
        for code in codes {
            let description = match *code {
                "400" => "Malformed request (bad JSON syntax, bad header)",
                "401" => "Missing, invalid, expired or revoked credentials",
                "403" => "The caller's role may not do this",
                "404" => "No such record visible to the caller",
                "409" => "Conflicts with existing data",
                "410" => "The cursor is older than the change log keeps; sync again from scratch",
                "412" => "If-Match names a stale version; body carries the current record",
                "413" => "Body larger than the configured limit",
                "415" => "Body is not application/json",
                "422" => "Invalid fields; see errors[]",
                "429" => "Too many requests: wait Retry-After seconds (see the RateLimit headers)",
                "503" => "The database is unavailable or busy (code busy: retry after Retry-After seconds; nothing was written)",
                _ => "Internal error; quote request_id",
            };
            builder = builder.response(*code, problem(description));
        }
        builder.build().responses
    }

    macro_rules! problem_set {
        ($(#[$doc:meta])* $name:ident: $($code:literal),+) => {
            $(#[$doc])*
            #[derive(Debug)]
            pub struct $name;
            impl utoipa::IntoResponses for $name {
                fn responses() -> std::collections::BTreeMap<String, RefOr<Response>> {
                    build(&[$($code),+])
                }
            }
        };
    }

    problem_set!(
        /// Problems of an authenticated read.
        ReadProblems: "401", "403", "404", "422", "429", "500", "503"
    );
    problem_set!(
        /// Problems of a delta-sync feed read.
        FeedProblems: "401", "403", "410", "422", "429", "500", "503"
    );
    problem_set!(
        /// Problems of an authenticated create.
        CreateProblems: "400", "401", "403", "409", "413", "415", "422", "429", "500", "503"
    );
    problem_set!(
        /// Problems of an authenticated update with `If-Match`.
        UpdateProblems: "400", "401", "403", "404", "409", "412", "413", "415", "422", "429", "500", "503"
    );
    problem_set!(
        /// Problems of an authenticated delete with `If-Match`.
        DeleteProblems: "400", "401", "403", "404", "409", "412", "429", "500", "503"
    );
    problem_set!(
        /// Problems of the unauthenticated token endpoints.
        AuthProblems: "400", "401", "413", "415", "422", "429", "500", "503"
    );
}
