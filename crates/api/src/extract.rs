//! Request extractors that answer with problem+json on bad input.
//!
//! - [`JsonBody`]: checks `Content-Type` (415), size (413), syntax (400), and
//!   shape (422 naming the field path, via `serde_path_to_error`), then runs
//!   the DTO's `validator` rules (422 per field).
//! - [`QueryParams`]: query strings with the same field-naming 422.
//! - [`IfMatch`]: the optional `If-Match: "<version>"` header.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use glassbox_domain::{DomainError, FieldError};
use serde::de::DeserializeOwned;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::error::ApiError;

/// Largest body the app accepts, in bytes (from `GLASSBOX_BODY_LIMIT`).
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON request body, parsed and validated.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

fn path_of<E>(err: &serde_path_to_error::Error<E>) -> String {
    let path = err.path().to_string();
    if path == "." { String::new() } else { path }
}

/// The field a serde message names, with our code for it.
fn named_field(message: &str) -> Option<(String, &'static str)> {
    [
        ("missing field `", "required"),
        ("unknown field `", "unknown_field"),
        ("duplicate field `", "duplicate_field"),
    ]
    .into_iter()
    .find_map(|(prefix, code)| {
        let rest = message.strip_prefix(prefix)?;
        rest.split('`').next().map(|name| (name.to_owned(), code))
    })
}

/// Records every string (value or key) holding U+0000, which no text column
/// can store (PostgreSQL rejects it) and no legitimate input needs.
fn find_nul_characters(value: &serde_json::Value, path: String, out: &mut Vec<FieldError>) {
    let at = |key: &str| if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") };
    let error = |field: String| FieldError::new(field, "invalid_character", "must not contain the NUL character (U+0000)");
    match value {
        serde_json::Value::String(s) if s.contains('\0') => out.push(error(if path.is_empty() { "body".into() } else { path })),
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                find_nul_characters(item, format!("{}[{i}]", if path.is_empty() { "body" } else { &path }), out);
            }
        }
        serde_json::Value::Object(map) => {
            for (key, item) in map {
                if key.contains('\0') {
                    out.push(error(at(key)));
                } else {
                    find_nul_characters(item, at(key), out);
                }
            }
        }
        _ => {}
    }
}

fn shape_error(path: String, inner: &str, whole: &str) -> ApiError {
    let first_line = crate::dto::clip(inner.split(" at line ").next().unwrap_or(inner), 300);
    let path = crate::dto::clip(&path, 100);
    let (field, code) = match named_field(&first_line) {
        Some((name, code)) if path.is_empty() => (crate::dto::clip(&name, 100), code),
        // serde_path_to_error's path already ends at an unknown key.
        Some((_, "unknown_field")) => (path, "unknown_field"),
        Some((name, code)) => (format!("{path}.{}", crate::dto::clip(&name, 100)), code),
        None if path.is_empty() => (whole.to_owned(), "invalid_type"),
        None => (path, "invalid_type"),
    };
    ApiError::field(&field, code, first_line)
}

/// Turns `validator` errors into field errors (nested paths dotted).
pub fn validation_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    fn walk(prefix: &str, errors: &ValidationErrors, out: &mut Vec<FieldError>) {
        for (field, kind) in errors.errors() {
            let name = if prefix.is_empty() {
                field.to_string()
            } else {
                format!("{prefix}.{field}")
            };
            match kind {
                ValidationErrorsKind::Field(list) => {
                    for e in list {
                        let message = e
                            .message
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_else(|| format!("fails rule `{}`", e.code));
                        out.push(FieldError::new(name.clone(), e.code.to_string(), message));
                    }
                }
                ValidationErrorsKind::Struct(inner) => walk(&name, inner, out),
                ValidationErrorsKind::List(items) => {
                    for (i, inner) in items {
                        walk(&format!("{name}[{i}]"), inner, out);
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk("", errors, &mut out);
    out
}

/// Reads a request body of at most `limit` bytes.
///
/// # Errors
/// [`ApiError::TooLarge`] past the limit; [`ApiError::Malformed`] when the
/// stream breaks.
pub async fn read_limited(mut payload: Payload, limit: usize) -> Result<web::Bytes, ApiError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::Malformed(format!("cannot read body: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The configured body limit.
pub fn body_limit(req: &HttpRequest) -> usize {
    req.app_data::<web::Data<BodyLimit>>().map(|l| l.0).unwrap_or(1024 * 1024)
}

/// Reads a JSON body: `application/json` (or `+json`), within the
/// configured size limit, well-formed.
fn read_json(req: &HttpRequest, payload: &mut Payload) -> LocalBoxFuture<'static, Result<serde_json::Value, ApiError>> {
    let limit = body_limit(req);
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let payload = payload.take();
    Box::pin(async move {
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        if declared.is_some_and(|n| n > limit) {
            return Err(ApiError::TooLarge { limit });
        }
        let body = read_limited(payload, limit).await?;
        serde_json::from_slice(&body).map_err(|e| ApiError::Malformed(format!("body is not valid JSON: {e}")))
    })
}

/// The NUL characters in `value` as field errors (see
/// [`find_nul_characters`]); empty when there is none.
pub fn nul_characters(value: &serde_json::Value) -> Vec<FieldError> {
    let mut found = Vec::new();
    find_nul_characters(value, String::new(), &mut found);
    found
}

impl<T: DeserializeOwned + Validate + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = read_json(req, payload);
        Box::pin(async move {
            let json = json.await?;
            let bad_chars = nul_characters(&json);
            if !bad_chars.is_empty() {
                return Err(ApiError::Domain(DomainError::Validation(bad_chars)));
            }
            let value: T =
                serde_path_to_error::deserialize(json).map_err(|err| shape_error(path_of(&err), &err.inner().to_string(), "body"))?;
            value
                .validate()
                .map_err(|e| ApiError::Domain(DomainError::Validation(validation_errors(&e))))?;
            Ok(JsonBody(value))
        })
    }
}

/// A JSON body read but not yet checked field by field, for endpoints that
/// answer parts of it separately (batches).
#[derive(Debug)]
pub struct RawJson(pub serde_json::Value);

impl FromRequest for RawJson {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = read_json(req, payload);
        Box::pin(async move { json.await.map(RawJson) })
    }
}

/// A serde error message as a field error: an unknown or missing field is
/// named with its own code, anything else is `invalid_type` at `path`.
pub fn serde_field_error(path: &str, message: &str) -> FieldError {
    let message = crate::dto::clip(message.split(" at line ").next().unwrap_or(message), 300);
    match named_field(&message) {
        Some((name, code)) => FieldError::new(crate::dto::clip(&name, 100), code, message),
        None => FieldError::new(
            if path.is_empty() || path == "." {
                "item".into()
            } else {
                crate::dto::clip(path, 100)
            },
            "invalid_type",
            message,
        ),
    }
}

/// Query-string parameters, parsed with field-naming errors.
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for QueryParams<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(req.query_string().as_bytes()));
        std::future::ready(
            serde_path_to_error::deserialize(de)
                .map(QueryParams)
                .map_err(|err| shape_error(path_of(&err), &err.inner().to_string(), "query")),
        )
    }
}

/// The `If-Match` precondition: `Some(version)` for `If-Match: "<version>"`,
/// `None` when absent or `*`.
#[derive(Debug, Clone, Copy)]
pub struct IfMatch(pub Option<i64>);

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = match req.headers().get(header::IF_MATCH) {
            None => Ok(IfMatch(None)),
            Some(value) => {
                let raw = value.to_str().unwrap_or("").trim();
                if raw == "*" {
                    Ok(IfMatch(None))
                } else {
                    raw.strip_prefix('"')
                        .and_then(|r| r.strip_suffix('"'))
                        .and_then(|v| v.parse::<i64>().ok())
                        .map(|v| IfMatch(Some(v)))
                        .ok_or_else(|| ApiError::Malformed("If-Match must be a strong ETag such as \"3\" or *".into()))
                }
            }
        };
        std::future::ready(parsed)
    }
}
