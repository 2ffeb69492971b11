//! What the history-based model learns from: the stays in open stages of
//! deals closed in a trailing window, and their wins, as known at a moment
//! (the start of the forecast's day).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use glassbox_domain::DomainError;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::analytics::sql::Sql;
use crate::entities::stages;
use crate::error::db_err;

/// Every open stage of the org's pipelines with its probability (percent).
pub(super) async fn open_stages(conn: &impl ConnectionTrait, org: Uuid) -> Result<HashMap<Uuid, i32>, DomainError> {
    let rows: Vec<(Uuid, i32)> = stages::Entity::find()
        .select_only()
        .column(stages::Column::Id)
        .column(stages::Column::Probability)
        .filter(stages::Column::OrgId.eq(org))
        .filter(stages::Column::Kind.eq("open"))
        .into_tuple()
        .all(conn)
        .await
        .map_err(db_err)?;
    Ok(rows.into_iter().collect())
}

/// Every stage of the org with its probability (percent).
pub(super) async fn stage_probabilities(conn: &impl ConnectionTrait, org: Uuid) -> Result<HashMap<Uuid, i32>, DomainError> {
    let rows: Vec<(Uuid, i32)> = stages::Entity::find()
        .select_only()
        .column(stages::Column::Id)
        .column(stages::Column::Probability)
        .filter(stages::Column::OrgId.eq(org))
        .into_tuple()
        .all(conn)
        .await
        .map_err(db_err)?;
    Ok(rows.into_iter().collect())
}

/// When the org's first opportunity created before `before` (and not
/// deleted by then) was created, if it has one.
pub(super) async fn first_created(
    conn: &impl ConnectionTrait,
    org: Uuid,
    before: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, DomainError> {
    let mut s = Sql::new(conn.get_database_backend());
    let (o, b) = (s.bind(org), s.bind(before));
    s.push(&format!(
        "SELECT MIN(created_at) AS first FROM opportunities WHERE org_id = {o} AND created_at < {b} \
           AND (deleted_at IS NULL OR deleted_at > {b})"
    ));
    match s.all(conn).await?.first() {
        Some(r) => r.try_get("", "first").map_err(db_err),
        None => Ok(None),
    }
}

/// A past stay in a stage, instants.
pub(super) struct Visit {
    pub stage_id: Uuid,
    pub entered_at: DateTime<Utc>,
    pub exited_at: DateTime<Utc>,
    pub won_at: Option<DateTime<Utc>>,
}

/// The closings (entering a won or lost stage) in `[from, before)` that
/// still stood at `before`, of deals not deleted by then: the FROM clause
/// (`c` the closing, `cs` its stage, `d` the deal) and the WHERE clause,
/// with `extra` joined in between.
fn closings(o: &str, f: &str, b: &str, extra: &str) -> String {
    format!(
        "FROM opportunity_stage_history c \
         JOIN stages cs ON cs.id = c.to_stage_id AND cs.kind IN ('won', 'lost') \
         JOIN opportunities d ON d.id = c.opportunity_id AND (d.deleted_at IS NULL OR d.deleted_at > {b}) {extra} \
         WHERE c.org_id = {o} AND c.entered_at >= {f} AND c.entered_at < {b} \
           AND (c.exited_at IS NULL OR c.exited_at > {b})"
    )
}

/// The stays, ended by the closing, of the deals of [`closings`]; each
/// carries the deal's win instant when the closing was a win.
pub(super) async fn closed_visits(
    conn: &impl ConnectionTrait,
    org: Uuid,
    from: DateTime<Utc>,
    before: DateTime<Utc>,
) -> Result<Vec<Visit>, DomainError> {
    let mut s = Sql::new(conn.get_database_backend());
    let (o, f, b) = (s.bind(org), s.bind(from), s.bind(before));
    let stays = "JOIN opportunity_stage_history h ON h.org_id = c.org_id AND h.opportunity_id = c.opportunity_id \
                 AND h.exited_at IS NOT NULL AND h.exited_at <= c.entered_at";
    s.push(&format!(
        "SELECT h.to_stage_id, h.entered_at, h.exited_at, c.entered_at AS closed_at, cs.kind AS closed_kind {}",
        closings(&o, &f, &b, stays)
    ));
    s.all(conn)
        .await?
        .iter()
        .map(|r| {
            let kind: String = r.try_get("", "closed_kind").map_err(db_err)?;
            let closed_at: DateTime<Utc> = r.try_get("", "closed_at").map_err(db_err)?;
            Ok(Visit {
                stage_id: r.try_get("", "to_stage_id").map_err(db_err)?,
                entered_at: r.try_get("", "entered_at").map_err(db_err)?,
                exited_at: r.try_get("", "exited_at").map_err(db_err)?,
                won_at: (kind == "won").then_some(closed_at),
            })
        })
        .collect()
}

/// A deal won by one of the closings of [`closings`], with its current
/// owner, creation and amount.
pub(super) struct Won {
    pub owner_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub won_at: DateTime<Utc>,
    pub amount_minor: i64,
    pub currency: String,
}

/// The wins among [`closings`].
pub(super) async fn won_deals(
    conn: &impl ConnectionTrait,
    org: Uuid,
    from: DateTime<Utc>,
    before: DateTime<Utc>,
) -> Result<Vec<Won>, DomainError> {
    let mut s = Sql::new(conn.get_database_backend());
    let (o, f, b) = (s.bind(org), s.bind(from), s.bind(before));
    s.push(&format!(
        "SELECT d.owner_id, d.created_at, c.entered_at AS won_at, d.amount_minor, d.currency {} AND cs.kind = 'won'",
        closings(&o, &f, &b, "")
    ));
    s.all(conn)
        .await?
        .iter()
        .map(|r| {
            let amount: Option<i64> = r.try_get("", "amount_minor").map_err(db_err)?;
            Ok(Won {
                owner_id: r.try_get("", "owner_id").map_err(db_err)?,
                created_at: r.try_get("", "created_at").map_err(db_err)?,
                won_at: r.try_get("", "won_at").map_err(db_err)?,
                amount_minor: amount.unwrap_or(0),
                currency: r.try_get("", "currency").map_err(db_err)?,
            })
        })
        .collect()
}
