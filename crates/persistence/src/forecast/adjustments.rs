//! Forecast adjustments: append-only history, the newest in force.

use std::collections::HashMap;

use chrono::NaiveDate;
use glassbox_domain::forecast::{AdjustedCategory, FiscalPeriod, ForecastAdjustment, PeriodKind, QuotaTarget};
use glassbox_domain::user::Role;
use glassbox_domain::{DomainError, Scope};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::Store;
use crate::entities::forecast_adjustments as adj;
use crate::error::db_err;

fn to_domain(m: adj::Model) -> Result<ForecastAdjustment, DomainError> {
    let corrupt = || DomainError::Internal("stored forecast adjustment is bad".into());
    Ok(ForecastAdjustment {
        id: m.id,
        org_id: m.org_id,
        target: QuotaTarget::from_stored(&m.target_kind, m.target_id),
        period: FiscalPeriod::parse("period", &m.period).map_err(|_| corrupt())?,
        first_day: m.first_day,
        category: AdjustedCategory::parse("category", &m.category).map_err(|_| corrupt())?,
        amount_minor: m.amount_minor,
        currency: m.currency,
        note: m.note,
        author_id: m.author_id,
        created_at: m.created_at,
    })
}

/// The adjustments in force for a period: (target, category) → amount in
/// minor units of the base currency.
pub(crate) async fn in_force(
    conn: &impl ConnectionTrait,
    org: Uuid,
    kind: PeriodKind,
    first_day: NaiveDate,
) -> Result<HashMap<(QuotaTarget, AdjustedCategory), i64>, DomainError> {
    let rows = adj::Entity::find()
        .filter(adj::Column::OrgId.eq(org))
        .filter(adj::Column::PeriodKind.eq(kind.as_str()))
        .filter(adj::Column::FirstDay.eq(first_day))
        .order_by_asc(adj::Column::CreatedAt)
        .order_by_asc(adj::Column::Id)
        .all(conn)
        .await
        .map_err(db_err)?;
    let mut out = HashMap::new();
    for m in rows {
        let a = to_domain(m)?;
        out.insert((a.target, a.category), a.amount_minor);
    }
    Ok(out)
}

impl Store {
    /// Records an adjustment (admins and managers); the newest per target,
    /// period and category is in force.
    ///
    /// # Errors
    /// [`DomainError::Forbidden`]; [`DomainError::Validation`] naming
    /// `user_id` or `team_id` when not of the org.
    pub async fn add_forecast_adjustment(&self, scope: &Scope, mut a: ForecastAdjustment) -> Result<ForecastAdjustment, DomainError> {
        if !matches!(scope.role, Role::Admin | Role::Manager) {
            return Err(DomainError::Forbidden("only admins and managers adjust forecasts".into()));
        }
        let txn = self.begin_write().await?;
        super::quotas::check_target(&txn, scope, a.target).await?;
        let (kind, id) = a.target.stored();
        a.org_id = scope.org_id;
        a.author_id = scope.user_id;
        a.created_at = self.now();
        adj::ActiveModel {
            id: Set(a.id),
            org_id: Set(a.org_id),
            target_kind: Set(kind.to_owned()),
            target_id: Set(id),
            period_kind: Set(a.period.kind.as_str().to_owned()),
            period: Set(a.period.label()),
            first_day: Set(a.first_day),
            category: Set(a.category.as_str().to_owned()),
            amount_minor: Set(a.amount_minor),
            currency: Set(a.currency.clone()),
            note: Set(a.note.clone()),
            author_id: Set(a.author_id),
            created_at: Set(a.created_at),
        }
        .insert(&txn)
        .await
        .map_err(db_err)?;
        txn.commit().await.map_err(db_err)?;
        Ok(a)
    }

    /// The adjustment history of a period (all when `period` is `None`),
    /// newest first, optionally of one target; of the users and teams in
    /// the caller's reach (see [`crate::visibility`]).
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn list_forecast_adjustments(
        &self,
        scope: &Scope,
        period: Option<(PeriodKind, NaiveDate)>,
        target: Option<QuotaTarget>,
    ) -> Result<Vec<ForecastAdjustment>, DomainError> {
        let mut q = adj::Entity::find().filter(adj::Column::OrgId.eq(scope.org_id));
        if let Some((kind, first_day)) = period {
            q = q
                .filter(adj::Column::PeriodKind.eq(kind.as_str()))
                .filter(adj::Column::FirstDay.eq(first_day));
        }
        if let Some(t) = target {
            let (kind, id) = t.stored();
            q = q.filter(adj::Column::TargetKind.eq(kind)).filter(adj::Column::TargetId.eq(id));
        }
        let rows: Vec<ForecastAdjustment> = q
            .order_by_desc(adj::Column::CreatedAt)
            .order_by_desc(adj::Column::Id)
            .all(self.conn())
            .await
            .map_err(db_err)?
            .into_iter()
            .map(to_domain)
            .collect::<Result<_, _>>()?;
        // Adjustments of users and teams in the caller's reach only.
        let reach = crate::visibility::Reach::of(self.conn(), scope).await?;
        Ok(match reach.aggregate_owners() {
            None => rows,
            Some(owners) => rows
                .into_iter()
                .filter(|a| match a.target {
                    QuotaTarget::User(u) => owners.contains(&u),
                    QuotaTarget::Team(t) => scope.role == Role::Manager && scope.visible_team_ids.contains(&t),
                })
                .collect(),
        })
    }
}
