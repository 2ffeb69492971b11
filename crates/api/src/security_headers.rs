//! Security headers on every answer (OWASP Secure Headers Project
//! recommendations for an API): no MIME sniffing, no framing, no referrer,
//! no caching of API data, HTTPS only once a browser has seen HTTPS
//! (RFC 6797; browsers ignore it over plain HTTP), and a Content Security
//! Policy that allows nothing for API answers and only the docs' own assets
//! for `/docs`.

use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};

/// CSP of API answers: nothing may load, nothing may frame them.
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";
/// CSP of the docs UI: its own scripts, styles and images only.
const DOCS_CSP: &str =
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

/// Adds the headers an answer does not set itself; `path` picks the CSP.
pub fn secure(headers: &mut HeaderMap, path: &str) {
    let docs = path == "/docs" || path.starts_with("/docs/");
    let fixed: [(HeaderName, &str); 5] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::STRICT_TRANSPORT_SECURITY, "max-age=63072000; includeSubDomains"),
        (header::CONTENT_SECURITY_POLICY, if docs { DOCS_CSP } else { API_CSP }),
    ];
    for (name, value) in fixed {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    if path.starts_with("/api/") && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}
