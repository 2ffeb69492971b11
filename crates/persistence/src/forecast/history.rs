//! What the history-based model learns from: the stays in open stages of
//! deals closed in a trailing window, as known at `as_of`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use glassbox_domain::DomainError;
use glassbox_domain::forecast::model::ClosedVisit;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::analytics::sql::Sql;
use crate::entities::{opportunities, stages};
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

/// When the org's first live opportunity was created, if it has one.
pub(super) async fn first_created(conn: &impl ConnectionTrait, org: Uuid) -> Result<Option<DateTime<Utc>>, DomainError> {
    let first: Option<Option<DateTime<Utc>>> = opportunities::Entity::find()
        .select_only()
        .column_as(opportunities::Column::CreatedAt.min(), "first")
        .filter(opportunities::Column::OrgId.eq(org))
        .filter(opportunities::Column::DeletedAt.is_null())
        .into_tuple()
        .one(conn)
        .await
        .map_err(db_err)?;
    Ok(first.flatten())
}

/// The stays, ended by `as_of`, of live deals whose closing (entering a won
/// or lost stage) happened in `[from, as_of]` and still stood at `as_of`;
/// each carries the deal's win instant when the closing was a win.
pub(super) async fn closed_visits(
    conn: &impl ConnectionTrait,
    org: Uuid,
    from: DateTime<Utc>,
    as_of: DateTime<Utc>,
) -> Result<Vec<ClosedVisit>, DomainError> {
    let mut s = Sql::new(conn.get_database_backend());
    let (o, f, at) = (s.bind(org), s.bind(from), s.bind(as_of));
    s.push(&format!(
        "SELECT h.to_stage_id, h.entered_at, h.exited_at, c.entered_at AS closed_at, cs.kind AS closed_kind \
         FROM opportunity_stage_history c \
         JOIN stages cs ON cs.id = c.to_stage_id AND cs.kind IN ('won', 'lost') \
         JOIN opportunities d ON d.id = c.opportunity_id AND d.deleted_at IS NULL \
         JOIN opportunity_stage_history h ON h.org_id = c.org_id AND h.opportunity_id = c.opportunity_id \
           AND h.exited_at IS NOT NULL AND h.exited_at <= c.entered_at \
         WHERE c.org_id = {o} AND c.entered_at >= {f} AND c.entered_at <= {at} \
           AND (c.exited_at IS NULL OR c.exited_at > {at}) \
         ORDER BY h.opportunity_id, h.entered_at"
    ));
    s.all(conn)
        .await?
        .iter()
        .map(|r| {
            let kind: String = r.try_get("", "closed_kind").map_err(db_err)?;
            let closed_at: DateTime<Utc> = r.try_get("", "closed_at").map_err(db_err)?;
            Ok(ClosedVisit {
                stage_id: r.try_get("", "to_stage_id").map_err(db_err)?,
                entered_at: r.try_get("", "entered_at").map_err(db_err)?,
                exited_at: r.try_get("", "exited_at").map_err(db_err)?,
                won_at: (kind == "won").then_some(closed_at),
            })
        })
        .collect()
}
