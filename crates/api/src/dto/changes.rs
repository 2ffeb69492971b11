//! Wire forms of the delta-sync feeds (`GET …/changes`).

use base64::Engine;
use glassbox_domain::DomainError;
use glassbox_domain::page::Limit;
use glassbox_persistence::changes::{ChangeKey, ChangeOp, SyncedKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Cursors issued before feeds had prefixes of their own (still read, by
/// every feed).
const LEGACY_PREFIX: &str = "f1|";

/// Each feed's cursor prefix: one feed's cursor is refused by another.
fn prefix(kind: SyncedKind) -> &'static str {
    match kind {
        SyncedKind::Activity => "fa1|",
        SyncedKind::Opportunity => "fo1|",
        SyncedKind::HandoffTask => "ft1|",
    }
}

/// Feed parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ChangesQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page; absent for a first sync.
    pub cursor: Option<String>,
}

impl ChangesQuery {
    /// The page size and position.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `limit` or `cursor`.
    pub fn parse(&self, kind: SyncedKind) -> Result<(Limit, Option<ChangeKey>), DomainError> {
        let position = |rest: &str| {
            let (txid, seq) = rest.split_once('|')?;
            Some((canonical(txid)?, canonical(seq)?))
        };
        let after = self
            .cursor
            .as_deref()
            .map(|raw| super::cursor_pair(raw, prefix(kind), position).or_else(|_| super::cursor_pair(raw, LEGACY_PREFIX, position)))
            .transpose()?;
        Ok((Limit::parse(self.limit)?, after))
    }
}

/// A non-negative integer written as the feed writes it: digits only, no
/// sign, no leading zero.
fn canonical(raw: &str) -> Option<i64> {
    let plain = !raw.is_empty() && raw.len() <= 19 && raw.bytes().all(|b| b.is_ascii_digit()) && (raw == "0" || !raw.starts_with('0'));
    plain.then(|| raw.parse().ok()).flatten()
}

/// Encodes a position in the `kind` feed.
pub fn encode_cursor(kind: SyncedKind, (txid, seq): ChangeKey) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{}{txid}|{seq}", prefix(kind)))
}

/// `upsert` or `delete`.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOpDto {
    /// Created or updated: store `activity` (when it is null the record was
    /// deleted since; a `delete` follows).
    Upsert,
    /// Deleted: drop the record (a tombstone).
    Delete,
}

impl From<ChangeOp> for ChangeOpDto {
    fn from(o: ChangeOp) -> Self {
        match o {
            ChangeOp::Upsert => Self::Upsert,
            ChangeOp::Delete => Self::Delete,
        }
    }
}

/// One change of a record.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeDto<T: ToSchema> {
    /// What happened.
    pub op: ChangeOpDto,
    /// The record.
    pub id: Uuid,
    /// Its version after the change.
    pub version: i64,
    /// For `upsert`: the record as stored now (its version may be newer;
    /// null when it was deleted since, a `delete` entry follows).
    #[schema(nullable = true)]
    pub record: Option<T>,
}

/// One page of a feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangesPage<T: ToSchema> {
    /// Changes in feed order.
    pub data: Vec<ChangeDto<T>>,
    /// Where to continue: pass it as `cursor` next time (also when the page
    /// is empty; null only before anything has changed).
    pub next_cursor: Option<String>,
    /// More changes wait right now; ask again at once.
    pub has_more: bool,
}

impl<T: ToSchema> ChangesPage<T> {
    /// The wire page of `page`: each `upsert` carries the current record
    /// from `current` (by id) in its wire form `to_dto`; the next cursor
    /// points at `resume` (the last change read, shown or not).
    pub fn new<R>(
        kind: SyncedKind,
        page: glassbox_domain::page::Page<glassbox_persistence::changes::Change, ChangeKey>,
        resume: Option<ChangeKey>,
        current: &std::collections::HashMap<Uuid, R>,
        to_dto: impl Fn(&R) -> T,
    ) -> Self {
        let last = resume;
        Self {
            has_more: page.next_after.is_some(),
            next_cursor: last.map(|key| encode_cursor(kind, key)),
            data: page
                .items
                .iter()
                .map(|c| ChangeDto {
                    op: c.op.into(),
                    id: c.record_id,
                    version: c.version,
                    record: match c.op {
                        ChangeOp::Upsert => current.get(&c.record_id).map(&to_dto),
                        ChangeOp::Delete => None,
                    },
                })
                .collect(),
        }
    }
}
