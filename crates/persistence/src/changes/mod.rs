//! The change log behind the delta-sync feeds (`GET …/changes`), one
//! mechanism for every synced kind of record.
//!
//! Every create, update and delete of a synced record writes a row to
//! `changes` in the record's own transaction: the record id, the operation,
//! the record's new version, and the writing transaction's id. A feed reads
//! rows in `(txid, seq)` order after the client's cursor.
//!
//! Why not a timestamp or a plain sequence: both are taken when a row is
//! written, not when its transaction commits. A writer that started earlier
//! can commit after a later one, so a reader that has already passed a
//! higher sequence number would never see the earlier writer's rows.
//!
//! - PostgreSQL: a feed only returns rows whose transaction id is below the
//!   `xmin` of the reader's snapshot (`pg_snapshot_xmin(pg_current_snapshot())`):
//!   every transaction below it has committed or aborted, so all of its rows
//!   are visible and no row with a smaller `(txid, seq)` can still appear.
//!   Rows of transactions still running, and of later ones that committed
//!   while an older one runs, are held back until the oldest finishes; then
//!   they sort after the cursor, because their txid is at least that xmin.
//!   A long transaction anywhere in the cluster (transaction ids are
//!   cluster-wide) holds the feed back until it ends: changes arrive late,
//!   never lost.
//! - SQLite: writers run one at a time and hold the write lock from their
//!   first write to their commit, so `seq` order is commit order and every
//!   row is stored with txid 0.
//!
//! Retention ([`prune`]): rows a later change of the same record supersedes
//! and, once older than the retention window, deleted records' rows
//! including their tombstones are removed. Replaying the log from the start
//! still yields the current set (every live record keeps its newest row).
//! The newest pruned tombstone's position becomes the kind's *horizon*: a
//! cursor before it may have missed a delete, so [`Store::changes`] refuses
//! it with [`DomainError::Gone`] and the client syncs again from scratch.

pub mod prune;

use glassbox_domain::page::{Limit, Page};
use glassbox_domain::{DomainError, Scope};
use sea_orm::{ConnectionTrait, DbBackend};
use uuid::Uuid;

use crate::Store;
use crate::analytics::sql::Sql;
use crate::error::db_err;

/// A kind of synced record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncedKind {
    /// Activities.
    Activity,
    /// Opportunities.
    Opportunity,
    /// Handoff tasks.
    HandoffTask,
}

impl SyncedKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Activity => "activity",
            Self::Opportunity => "opportunity",
            Self::HandoffTask => "handoff_task",
        }
    }
}

/// What happened to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeOp {
    /// Created or updated.
    Upsert,
    /// Deleted (a tombstone).
    Delete,
}

/// One change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// The record.
    pub record_id: Uuid,
    /// What happened.
    pub op: ChangeOp,
    /// The record's version after it.
    pub version: i64,
    /// Position in the feed.
    pub key: ChangeKey,
}

/// Feed position: `(txid, seq)`.
pub type ChangeKey = (i64, i64);

/// Writes change rows inside the caller's transaction. Prefer
/// [`Store::log_changes`], which also honours the test-only commit delay.
///
/// # Errors
/// [`DomainError::Internal`] on storage failure.
pub(crate) async fn record(
    conn: &impl ConnectionTrait,
    org: Uuid,
    kind: SyncedKind,
    rows: &[(Uuid, ChangeOp, i64)],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DomainError> {
    for chunk in rows.chunks(1000) {
        insert(conn, org, kind, chunk, now).await?;
    }
    Ok(())
}

async fn insert(
    conn: &impl ConnectionTrait,
    org: Uuid,
    kind: SyncedKind,
    rows: &[(Uuid, ChangeOp, i64)],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DomainError> {
    let backend = conn.get_database_backend();
    let txid = match backend {
        DbBackend::Postgres => "CAST(CAST(pg_current_xact_id() AS TEXT) AS BIGINT)",
        _ => "0",
    };
    let mut s = Sql::new(backend);
    let (o, k, at) = (s.bind(org), s.bind(kind.as_str()), s.bind(now));
    let values: Vec<String> = rows
        .iter()
        .map(|(id, op, version)| {
            let op = match op {
                ChangeOp::Upsert => "upsert",
                ChangeOp::Delete => "delete",
            };
            format!("({o}, {k}, {}, '{op}', {}, {txid}, {at})", s.bind(*id), s.bind(*version))
        })
        .collect();
    s.push(&format!(
        "INSERT INTO changes (org_id, entity, record_id, op, version, txid, changed_at) VALUES {}",
        values.join(", ")
    ));
    s.execute(conn).await
}

/// The position of the newest row of `kind` in `org` (settled or not).
async fn head(conn: &impl ConnectionTrait, org: Uuid, kind: SyncedKind) -> Result<Option<ChangeKey>, DomainError> {
    let mut s = Sql::new(conn.get_database_backend());
    let (o, k) = (s.bind(org), s.bind(kind.as_str()));
    s.push(&format!(
        "SELECT txid, seq FROM changes WHERE org_id = {o} AND entity = {k} ORDER BY txid DESC, seq DESC LIMIT 1"
    ));
    s.all(conn)
        .await?
        .first()
        .map(|r| Ok((r.try_get("", "txid")?, r.try_get("", "seq")?)))
        .transpose()
        .map_err(|e: sea_orm::DbErr| db_err(e))
}

impl Store {
    /// [`record`], then, when the store was built with a test commit delay
    /// ([`crate::PoolOptions::test_commit_delay`]), a random pause of up to
    /// that long while the caller's transaction is still open, so tests can
    /// make writers commit out of order.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub(crate) async fn log_changes(
        &self,
        conn: &impl ConnectionTrait,
        org: Uuid,
        kind: SyncedKind,
        rows: &[(Uuid, ChangeOp, i64)],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), DomainError> {
        record(conn, org, kind, rows, now).await?;
        let max = self.test_commit_delay.as_micros();
        if max > 0 {
            let micros = Uuid::new_v4().as_u128() % (max + 1);
            tokio::time::sleep(std::time::Duration::from_micros(u64::try_from(micros).unwrap_or(0))).await;
        }
        Ok(())
    }

    /// The changes of `kind` in the caller's org after `after` (from the
    /// beginning when `None`), in feed order, at most `limit` of them.
    ///
    /// # Errors
    /// [`DomainError::Gone`] when `after` lies before the kind's pruning
    /// horizon; [`DomainError::Validation`] on `cursor` when it lies beyond
    /// the newest change (no feed issued it); [`DomainError::Internal`] on
    /// storage failure.
    pub async fn changes(
        &self,
        scope: &Scope,
        kind: SyncedKind,
        after: Option<ChangeKey>,
        limit: Limit,
    ) -> Result<Page<Change, ChangeKey>, DomainError> {
        let conn = self.conn();
        let cursor = after;
        let backend = conn.get_database_backend();
        let mut s = Sql::new(backend);
        let (o, k) = (s.bind(scope.org_id), s.bind(kind.as_str()));
        let after = match after {
            None => String::new(),
            Some((txid, seq)) => {
                let (t, q) = (s.bind(txid), s.bind(seq));
                format!(" AND (txid > {t} OR (txid = {t} AND seq > {q}))")
            }
        };
        let settled = match backend {
            DbBackend::Postgres => " AND txid < CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS TEXT) AS BIGINT)",
            _ => "",
        };
        s.push(&format!(
            "SELECT seq, txid, record_id, op, version FROM changes WHERE org_id = {o} AND entity = {k}{after}{settled} \
             ORDER BY txid, seq LIMIT {}",
            limit.get() + 1
        ));
        let rows = s
            .all(conn)
            .await?
            .iter()
            .map(|r| {
                let op: String = r.try_get("", "op")?;
                Ok(Change {
                    record_id: r.try_get("", "record_id")?,
                    op: if op == "delete" { ChangeOp::Delete } else { ChangeOp::Upsert },
                    version: r.try_get("", "version")?,
                    key: (r.try_get("", "txid")?, r.try_get("", "seq")?),
                })
            })
            .collect::<Result<Vec<_>, sea_orm::DbErr>>()
            .map_err(db_err)?;
        // After the rows: a prune that removed rows this read missed has
        // committed its horizon by now.
        let horizon = match cursor {
            Some(_) => prune::horizon(conn, scope.org_id, kind).await?,
            None => None,
        };
        if let Some(cursor) = cursor
            && rows.is_empty()
            && cursor
                > horizon
                    .unwrap_or((0, 0))
                    .max(head(conn, scope.org_id, kind).await?.unwrap_or((0, 0)))
        {
            return Err(DomainError::invalid(
                "cursor",
                "beyond_feed",
                "this cursor lies beyond the end of the feed, so this feed did not issue it; sync without a cursor",
            ));
        }
        if let Some(cursor) = cursor
            && let Some(horizon) = horizon
            && cursor < horizon
        {
            return Err(DomainError::Gone(
                "this cursor is older than the change log keeps (deleted records' tombstones are pruned after the \
                 retention window): drop the local copy and sync again from scratch, without a cursor"
                    .into(),
            ));
        }
        Ok(Page::from_overfetch(rows, limit, |c| c.key))
    }
}
