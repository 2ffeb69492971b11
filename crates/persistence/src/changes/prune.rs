//! Change-log retention: compaction of superseded rows and pruning of old
//! tombstones, with the horizon that turns too-old cursors away.

use chrono::{DateTime, TimeDelta, Utc};
use glassbox_domain::DomainError;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::{ChangeKey, SyncedKind};
use crate::Store;
use crate::analytics::sql::Sql;
use crate::error::db_err;

/// What one pruning run removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PruneReport {
    /// Deleted records whose rows (tombstone included) were removed.
    pub tombstones: u64,
    /// Change rows removed in all.
    pub rows: u64,
}

/// The kind's horizon in `org`: the feed position of its newest pruned
/// tombstone, if any was pruned.
///
/// # Errors
/// [`DomainError::Internal`] on storage failure.
pub(crate) async fn horizon(conn: &impl ConnectionTrait, org: Uuid, kind: SyncedKind) -> Result<Option<ChangeKey>, DomainError> {
    let mut s = Sql::new(conn.get_database_backend());
    let (o, k) = (s.bind(org), s.bind(kind.as_str()));
    s.push(&format!(
        "SELECT txid, seq FROM change_horizons WHERE org_id = {o} AND entity = {k}"
    ));
    let rows = s.all(conn).await?;
    rows.first()
        .map(|r| Ok((r.try_get("", "txid")?, r.try_get("", "seq")?)))
        .transpose()
        .map_err(|e: sea_orm::DbErr| db_err(e))
}

impl Store {
    /// Prunes every org's change log in one transaction: rows older than
    /// `retention` that a later change of the same record supersedes, and
    /// all rows of records deleted more than `retention` ago (tombstones
    /// included). Each kind's horizon moves to its newest pruned tombstone,
    /// so a cursor from before it answers 410 Gone; a replay from the start
    /// still rebuilds the current set, since every live record keeps its
    /// newest row. Safe to run from several processes at once.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn prune_changes(&self, retention: TimeDelta) -> Result<PruneReport, DomainError> {
        let cutoff: DateTime<Utc> = self.now() - retention;
        let txn = self.begin_write().await?;
        let backend = txn.get_database_backend();

        let mut s = Sql::new(backend);
        let c = s.bind(cutoff);
        s.push(&format!(
            "SELECT org_id, entity, txid, seq, n FROM (SELECT org_id, entity, txid, seq, \
             COUNT(*) OVER (PARTITION BY org_id, entity) AS n, \
             ROW_NUMBER() OVER (PARTITION BY org_id, entity ORDER BY txid DESC, seq DESC) AS rn \
             FROM changes WHERE op = 'delete' AND changed_at < {c}) t WHERE rn = 1"
        ));
        let newest = s.all(&txn).await?;
        let mut report = PruneReport::default();
        for row in &newest {
            let read = || -> Result<(Uuid, String, i64, i64, i64), sea_orm::DbErr> {
                Ok((
                    row.try_get("", "org_id")?,
                    row.try_get("", "entity")?,
                    row.try_get("", "txid")?,
                    row.try_get("", "seq")?,
                    row.try_get("", "n")?,
                ))
            };
            let (org, entity, txid, seq, n) = read().map_err(db_err)?;
            report.tombstones += u64::try_from(n).unwrap_or(0);
            let mut s = Sql::new(backend);
            let (o, e, t, q, at) = (s.bind(org), s.bind(entity), s.bind(txid), s.bind(seq), s.bind(self.now()));
            s.push(&format!(
                "INSERT INTO change_horizons (org_id, entity, txid, seq, pruned_at) VALUES ({o}, {e}, {t}, {q}, {at}) \
                 ON CONFLICT (org_id, entity) DO UPDATE SET txid = excluded.txid, seq = excluded.seq, \
                 pruned_at = excluded.pruned_at WHERE change_horizons.txid < excluded.txid \
                 OR (change_horizons.txid = excluded.txid AND change_horizons.seq < excluded.seq)"
            ));
            s.execute(&txn).await?;
        }

        let same_record = "d.org_id = changes.org_id AND d.entity = changes.entity AND d.record_id = changes.record_id";
        let mut s = Sql::new(backend);
        let c = s.bind(cutoff);
        s.push(&format!(
            "DELETE FROM changes WHERE EXISTS (SELECT 1 FROM changes d WHERE {same_record} \
             AND d.op = 'delete' AND d.changed_at < {c})"
        ));
        report.rows += s.execute_counted(&txn).await?;

        let mut s = Sql::new(backend);
        let c = s.bind(cutoff);
        s.push(&format!(
            "DELETE FROM changes WHERE changed_at < {c} AND EXISTS (SELECT 1 FROM changes d WHERE {same_record} \
             AND d.version > changes.version)"
        ));
        report.rows += s.execute_counted(&txn).await?;
        txn.commit().await.map_err(db_err)?;
        tracing::info!(tombstones = report.tombstones, rows = report.rows, "change log pruned");
        Ok(report)
    }
}
