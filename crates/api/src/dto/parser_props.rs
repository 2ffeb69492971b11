//! Property-based tests of the query parsers: filters, sorts, cursors,
//! periods and `as_of`. Whatever a client sends, a parser answers a value
//! or a validation problem naming a field of its own — never a panic,
//! never an internal error — and every cursor a list issues reads back
//! as the same position.

use chrono::{DateTime, TimeZone, Utc};
use glassbox_domain::DomainError;
use glassbox_domain::forecast::FiscalPeriod;
use glassbox_persistence::changes::SyncedKind;
use proptest::prelude::*;
use uuid::Uuid;

use super::account::AccountQuery;
use super::analytics::parse_as_of;
use super::changes::{ChangesQuery, encode_cursor};
use super::forecast::{BacktestParams, ForecastParams};
use super::opportunity::OpportunityQuery;
use super::{encode_time_cursor, parse_date, time_page_request};

/// True when `r` is a value or a validation problem on `allowed` fields.
fn answered<T>(r: &Result<T, DomainError>, allowed: &[&str]) -> bool {
    match r {
        Ok(_) => true,
        Err(DomainError::Validation(errors)) => errors.iter().all(|e| allowed.contains(&e.field.as_str())),
        Err(_) => false,
    }
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    // 1970 to 2200, microsecond precision (what cursors carry).
    (0i64..7_258_118_400_000_000).prop_map(|us| Utc.timestamp_micros(us).single().unwrap_or_default())
}

/// Query strings of known and unknown keys with arbitrary values.
fn query(keys: &'static [&'static str]) -> impl Strategy<Value = String> {
    let key = prop_oneof![4 => proptest::sample::select(keys).prop_map(str::to_owned), 1 => "[a-z_]{1,8}"];
    let value = prop_oneof![".{0,40}", "-?[0-9]{1,22}", "[0-9a-f-]{36}", "[A-Za-z0-9_=-]{0,60}"];
    proptest::collection::vec((key, value), 0..6).prop_map(|pairs| {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            out.append_pair(&k, &v);
        }
        out.finish()
    })
}

const OPPORTUNITY_KEYS: &[&str] = &[
    "limit",
    "cursor",
    "owner_id",
    "team_id",
    "account_id",
    "pipeline_id",
    "stage_id",
    "status",
    "close_date_from",
    "close_date_to",
    "updated_since",
    "q",
    "external_id",
    "sort",
];

proptest! {
    #[test]
    fn time_cursors_read_back_as_issued(at in instant(), id in any::<u128>()) {
        let id = Uuid::from_u128(id);
        let cursor = encode_time_cursor((at, id), "o1|");
        let page = time_page_request(None, Some(&cursor), "o1|").map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(page.after, Some((at, id)));
        // Another list's cursor is refused.
        prop_assert!(time_page_request(None, Some(&cursor), "a1|").is_err());
    }

    #[test]
    fn arbitrary_cursors_are_refused_on_the_cursor_field(raw in ".{0,80}", limit in proptest::option::of(any::<i64>())) {
        prop_assert!(answered(&time_page_request(limit, Some(&raw), "o1|"), &["cursor", "limit"]));
        prop_assert!(answered(&super::page_request(limit, Some(&raw)), &["cursor", "limit"]));
        let feed = ChangesQuery { limit, cursor: Some(raw) };
        prop_assert!(answered(&feed.parse(SyncedKind::Activity), &["cursor", "limit"]));
    }

    #[test]
    fn feed_cursors_read_back_and_stay_in_their_feed(txid in 0i64..i64::MAX, seq in 0i64..i64::MAX) {
        let cursor = encode_cursor(SyncedKind::Opportunity, (txid, seq));
        let q = ChangesQuery { limit: None, cursor: Some(cursor) };
        let (_, after) = q.parse(SyncedKind::Opportunity).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(after, Some((txid, seq)));
        prop_assert!(q.parse(SyncedKind::HandoffTask).is_err());
    }

    #[test]
    fn opportunity_filters_and_sorts_answer_every_query(raw in query(OPPORTUNITY_KEYS)) {
        // A query string that does not deserialize is a 422 before this.
        if let Ok(q) = serde_urlencoded::from_str::<OpportunityQuery>(&raw) {
            prop_assert!(answered(&q.filter(), &["sort", "q", "external_id"]), "{raw}");
            prop_assert!(answered(&q.page(), &["limit", "cursor"]), "{raw}");
        }
    }

    #[test]
    fn account_lists_answer_every_query(raw in query(&["limit", "cursor", "q", "owner_id"])) {
        if let Ok(q) = serde_urlencoded::from_str::<AccountQuery>(&raw) {
            prop_assert!(answered(&super::page_request(q.limit, q.cursor.as_deref()), &["limit", "cursor"]));
            prop_assert!(answered(&super::max_chars("q", q.q.as_deref(), 100), &["q"]));
        }
    }

    #[test]
    fn forecast_parameters_answer_every_query(raw in query(&["period", "group_by", "team_id", "as_of", "window_days", "from", "to"])) {
        if let Ok(p) = serde_urlencoded::from_str::<ForecastParams>(&raw) {
            prop_assert!(answered(&p.query(), &["period", "group_by", "as_of", "window_days"]), "{raw}");
        }
        if let Ok(p) = serde_urlencoded::from_str::<BacktestParams>(&raw) {
            prop_assert!(answered(&p.query(), &["window_days"]), "{raw}");
        }
    }

    #[test]
    fn periods_dates_and_as_of_answer_every_text(raw in ".{0,40}") {
        prop_assert!(answered(&FiscalPeriod::parse("period", &raw), &["period"]));
        prop_assert!(answered(&parse_as_of(Some(&raw)), &["as_of"]));
        let _ = parse_date(&raw);
    }

    #[test]
    fn periods_read_back_from_their_labels(year in 1900i32..3000, quarter in 1u32..5, month in 1u32..13) {
        for label in [format!("{year}"), format!("{year}-Q{quarter}"), format!("{year}-M{month:02}")] {
            let p = FiscalPeriod::parse("period", &label).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(p.label(), label);
        }
    }
}
