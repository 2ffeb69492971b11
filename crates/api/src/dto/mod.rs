//! Wire types: request bodies (Deserialize + Validate + ToSchema) and
//! responses (Serialize + ToSchema), converted to and from domain types.
//! ORM rows never appear here.

pub mod account;
pub mod activity;
pub mod activity_batch;
pub mod analytics;
pub mod api_key;
pub mod audit;
pub mod auth;
pub mod changes;
pub mod forecast;
pub mod handoff;
pub mod handoff_metrics;
pub mod kpis;
pub mod opportunity;
pub mod org;
pub mod pipeline;
pub mod pipeline_changes;
pub mod product;
pub mod quota;
pub mod rep_performance;
pub mod team;
pub mod timeline;
pub mod user;

#[cfg(test)]
mod parser_props;

use base64::Engine;
use glassbox_domain::DomainError;
use glassbox_domain::page::{Limit, Page, PageRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// One page of a list: `{"data": [...], "next_cursor": "…" | null}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct List<T: ToSchema> {
    /// Records of this page.
    pub data: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T: ToSchema> List<T> {
    /// Wire form of a domain page.
    pub fn from_page<D>(page: Page<D>, f: impl FnMut(D) -> T) -> Self {
        Self {
            next_cursor: page.next_after.map(encode_cursor),
            data: page.items.into_iter().map(f).collect(),
        }
    }
}

/// Paging parameters of every list endpoint.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

impl PageParams {
    /// The domain page request.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `limit` or `cursor`.
    pub fn to_request(&self) -> Result<PageRequest, DomainError> {
        page_request(self.limit, self.cursor.as_deref())
    }
}

/// The page request of `limit` and `cursor` query parameters.
///
/// # Errors
/// [`DomainError::Validation`] on `limit` or `cursor`.
pub fn page_request(limit: Option<i64>, cursor: Option<&str>) -> Result<PageRequest, DomainError> {
    Ok(PageRequest {
        limit: Limit::parse(limit)?,
        after: cursor.map(decode_cursor).transpose()?,
    })
}

/// For optional fields of a PATCH body that cannot be cleared: absent means
/// "leave as is", and an explicit `null` is refused (422 `invalid_type`)
/// instead of being silently ignored.
pub fn non_null<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// For nullable PATCH fields: absent is `None`, `null` is `Some(None)`.
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Input echoed in an error message, made safe to show: control characters
/// become U+FFFD and anything past `max` characters is cut with `…`.
pub fn clip(raw: &str, max: usize) -> String {
    let mut out: String = raw.chars().take(max).map(|c| if c.is_control() { '\u{fffd}' } else { c }).collect();
    if raw.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// Parses a calendar date strictly as `YYYY-MM-DD` (RFC 3339 full-date)
/// with a year from 1900 to 2999; chrono alone also takes `26-01-01`,
/// `2026-1-1` and `+10000-01-01`.
///
/// # Errors
/// A message naming the expected form.
pub fn parse_date(raw: &str) -> Result<chrono::NaiveDate, String> {
    let b = raw.as_bytes();
    let shaped = b.len() == 10 && b[4] == b'-' && b[7] == b'-' && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    let date = shaped.then(|| chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()).flatten();
    match date {
        Some(d) if (1900..=2999).contains(&chrono::Datelike::year(&d)) => Ok(d),
        _ => Err(format!(
            "`{}` is not a valid date YYYY-MM-DD with a year from 1900 to 2999",
            clip(raw, 40)
        )),
    }
}

/// Deserializes an optional strict date (see [`parse_date`]).
pub fn strict_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<chrono::NaiveDate>, D::Error> {
    Option::<String>::deserialize(d)?
        .map(|s| parse_date(&s).map_err(serde::de::Error::custom))
        .transpose()
}

/// Deserializes a nullable PATCH date: absent `None`, `null` `Some(None)`.
pub fn strict_nullable_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<chrono::NaiveDate>>, D::Error> {
    strict_date(d).map(Some)
}

/// Refuses a query text longer than `max` characters.
///
/// # Errors
/// [`DomainError::Validation`] on `field` (`too_long`).
pub fn max_chars(field: &str, value: Option<&str>, max: usize) -> Result<(), DomainError> {
    match value {
        Some(v) if v.chars().count() > max => Err(DomainError::invalid(field, "too_long", format!("must be at most {max} characters"))),
        _ => Ok(()),
    }
}

const CURSOR_PREFIX: &str = "k1:";

fn encode_cursor(after: Uuid) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{after}"))
}

fn decode_cursor(raw: &str) -> Result<Uuid, DomainError> {
    cursor_pair(raw, CURSOR_PREFIX, |text| Uuid::parse_str(text).ok())
}

/// Decodes an opaque cursor made of `prefix` and a text that `parse` reads.
///
/// # Errors
/// [`DomainError::Validation`] on `cursor` (`invalid_cursor`).
pub fn cursor_pair<T>(raw: &str, prefix: &str, parse: impl FnOnce(&str) -> Option<T>) -> Result<T, DomainError> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix(prefix).and_then(parse))
        .ok_or_else(|| DomainError::invalid("cursor", "invalid_cursor", "not a cursor returned by this endpoint"))
}

/// A page request keyed by `(instant, id)`, from a cursor made by
/// [`encode_time_cursor`] with the same `prefix` (each list has its own, so
/// one list's cursor is refused by another).
///
/// # Errors
/// [`DomainError::Validation`] on `limit` or `cursor`.
pub fn time_page_request(
    limit: Option<i64>,
    cursor: Option<&str>,
    prefix: &str,
) -> Result<PageRequest<(chrono::DateTime<chrono::Utc>, Uuid)>, DomainError> {
    let after = cursor
        .map(|raw| {
            cursor_pair(raw, prefix, |rest| {
                let (at, id) = rest.split_once('|')?;
                Some((at.parse().ok()?, id.parse().ok()?))
            })
        })
        .transpose()?;
    Ok(PageRequest {
        limit: Limit::parse(limit)?,
        after,
    })
}

/// Encodes an `(instant, id)` keyset position as an opaque cursor.
pub fn encode_time_cursor((at, id): (chrono::DateTime<chrono::Utc>, Uuid), prefix: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!("{prefix}{}|{id}", at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let id = Uuid::now_v7();
        assert_eq!(decode_cursor(&encode_cursor(id)).unwrap(), id);
        assert!(decode_cursor("garbage").is_err());
        assert!(decode_cursor("").is_err());
    }
}
