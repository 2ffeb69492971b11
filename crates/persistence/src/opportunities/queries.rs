//! Opportunity lists and aggregates.

use chrono::{DateTime, NaiveDate, Utc};
use glassbox_domain::opportunity::Opportunity;
use glassbox_domain::page::{Page, PageRequest};
use glassbox_domain::pipeline::StageKind;
use glassbox_domain::{DomainError, Scope};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::to_domain;
use crate::Store;
use crate::entities::{opportunities as opps, team_members};
use crate::error::db_err;
use crate::visibility::Reach;

/// Currency, status, count, and the two partial sums as text.
type TotalsRow = (String, String, i64, Option<String>, Option<String>);

/// Divisor that splits amounts into billions and remainders for exact sums.
const SPLIT: i64 = 1_000_000_000;

/// Keyset position in the default order `(created_at, id)`.
pub type OpportunityKey = (DateTime<Utc>, Uuid);

/// List filters; every one is optional and they combine with AND.
#[derive(Debug, Clone, Default)]
pub struct OpportunityFilter {
    /// Owned by this user.
    pub owner_id: Option<Uuid>,
    /// Owned by a member of this team.
    pub team_id: Option<Uuid>,
    /// On this account.
    pub account_id: Option<Uuid>,
    /// In this pipeline.
    pub pipeline_id: Option<Uuid>,
    /// In this stage.
    pub stage_id: Option<Uuid>,
    /// Open, won or lost.
    pub status: Option<StageKind>,
    /// Close date on or after.
    pub close_date_from: Option<NaiveDate>,
    /// Close date on or before.
    pub close_date_to: Option<NaiveDate>,
    /// Changed at or after.
    pub updated_since: Option<DateTime<Utc>>,
    /// Name contains (case-insensitive).
    pub q: Option<String>,
    /// External id equals (exact).
    pub external_id: Option<String>,
    /// Newest first instead of oldest first.
    pub descending: bool,
}

/// Totals of one currency and status: count and exact sum of amounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpportunityTotal {
    /// ISO 4217 currency.
    pub currency: String,
    /// Open, won or lost.
    pub status: StageKind,
    /// Number of opportunities.
    pub count: i64,
    /// Sum of amounts in minor units (i128: sums may exceed one amount's range).
    pub amount_minor: i128,
}

impl Store {
    /// A page of opportunities in `(created_at, id)` order (or reversed),
    /// filtered. Keyset pagination on an immutable key: rows inserted or
    /// updated between pages never make a page skip or repeat a row.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn list_opportunities(
        &self,
        scope: &Scope,
        filter: &OpportunityFilter,
        page: PageRequest<OpportunityKey>,
    ) -> Result<Page<Opportunity, OpportunityKey>, DomainError> {
        let reach = Reach::of(self.conn(), scope).await?;
        let mut q = opps::Entity::find().filter(filtered(scope, filter)).filter(reach.opportunities());
        if let Some((at, id)) = page.after {
            let after = if filter.descending {
                Condition::any()
                    .add(opps::Column::CreatedAt.lt(at))
                    .add(Condition::all().add(opps::Column::CreatedAt.eq(at)).add(opps::Column::Id.lt(id)))
            } else {
                Condition::any()
                    .add(opps::Column::CreatedAt.gt(at))
                    .add(Condition::all().add(opps::Column::CreatedAt.eq(at)).add(opps::Column::Id.gt(id)))
            };
            q = q.filter(after);
        }
        q = if filter.descending {
            q.order_by_desc(opps::Column::CreatedAt).order_by_desc(opps::Column::Id)
        } else {
            q.order_by_asc(opps::Column::CreatedAt).order_by_asc(opps::Column::Id)
        };
        let rows = q.limit(page.limit.get() + 1).all(self.conn()).await.map_err(db_err)?;
        let page = Page::from_overfetch(rows, page.limit, |r| (r.created_at, r.id));
        page.try_map(to_domain)
    }

    /// Count and exact sum of amounts per currency and status, over the
    /// filtered opportunities, computed in SQL.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn opportunity_totals(&self, scope: &Scope, filter: &OpportunityFilter) -> Result<Vec<OpportunityTotal>, DomainError> {
        // SQLite's SUM stops with "integer overflow" past i64, and amounts go up
        // to 10^15 minor units; summing the billions and the remainders apart
        // keeps every partial sum far inside i64 (for up to 9·10^9 rows) on
        // both backends, and Rust puts them together in i128.
        let reach = Reach::of(self.conn(), scope).await?;
        let rows: Vec<TotalsRow> = opps::Entity::find()
            .filter(reach.opportunities())
            .select_only()
            .column(opps::Column::Currency)
            .column(opps::Column::Status)
            .column_as(opps::Column::Id.count(), "n")
            .column_as(Expr::cust(format!("CAST(SUM(amount_minor / {SPLIT}) AS TEXT)")), "high")
            .column_as(Expr::cust(format!("CAST(SUM(amount_minor % {SPLIT}) AS TEXT)")), "low")
            .filter(filtered(scope, filter))
            .group_by(opps::Column::Currency)
            .group_by(opps::Column::Status)
            .order_by_asc(opps::Column::Currency)
            .order_by_asc(opps::Column::Status)
            .into_tuple()
            .all(self.conn())
            .await
            .map_err(db_err)?;
        rows.into_iter()
            .map(|(currency, status, count, high, low)| {
                let part = |v: Option<String>| {
                    v.as_deref()
                        .unwrap_or("0")
                        .parse::<i128>()
                        .map_err(|_| DomainError::Internal("sum is not an integer".into()))
                };
                Ok(OpportunityTotal {
                    status: StageKind::parse("status", &status).map_err(|_| DomainError::Internal("bad stored status".into()))?,
                    amount_minor: part(high)? * i128::from(SPLIT) + part(low)?,
                    currency,
                    count,
                })
            })
            .collect()
    }
}

fn filtered(scope: &Scope, f: &OpportunityFilter) -> Condition {
    let mut c = Condition::all()
        .add(opps::Column::OrgId.eq(scope.org_id))
        .add(opps::Column::DeletedAt.is_null());
    if let Some(v) = f.owner_id {
        c = c.add(opps::Column::OwnerId.eq(v));
    }
    if let Some(team) = f.team_id {
        c = c.add(
            opps::Column::OwnerId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(team_members::Column::UserId)
                    .from(team_members::Entity)
                    .and_where(team_members::Column::OrgId.eq(scope.org_id))
                    .and_where(team_members::Column::TeamId.eq(team))
                    .to_owned(),
            ),
        );
    }
    if let Some(v) = f.account_id {
        c = c.add(opps::Column::AccountId.eq(v));
    }
    if let Some(v) = f.pipeline_id {
        c = c.add(opps::Column::PipelineId.eq(v));
    }
    if let Some(v) = f.stage_id {
        c = c.add(opps::Column::StageId.eq(v));
    }
    if let Some(v) = f.status {
        c = c.add(opps::Column::Status.eq(v.as_str()));
    }
    if let Some(v) = f.close_date_from {
        c = c.add(opps::Column::CloseDate.gte(v));
    }
    if let Some(v) = f.close_date_to {
        c = c.add(opps::Column::CloseDate.lte(v));
    }
    if let Some(v) = f.updated_since {
        c = c.add(opps::Column::UpdatedAt.gte(v));
    }
    if let Some(v) = &f.external_id {
        c = c.add(opps::Column::ExternalId.eq(v.as_str()));
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.is_empty()) {
        c = c.add(name_contains(opps::Column::Name, q));
    }
    c
}

/// Case-insensitive substring match on a name column, with LIKE wildcards
/// in the search text escaped.
pub(crate) fn name_contains(column: impl sea_orm::ColumnTrait, q: &str) -> Expr {
    let escaped = q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    Expr::expr(Func::lower(Expr::col(column))).like(sea_orm::sea_query::LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}
