//! Table `forecast_snapshots`.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "forecast_snapshots")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub period_kind: String,
    pub period: String,
    pub first_day: Date,
    pub team_id: Option<Uuid>,
    pub group_by: String,
    pub as_of: DateTimeUtc,
    pub taken_at: DateTimeUtc,
    pub trigger: String,
    pub taken_by: Option<Uuid>,
    pub scheduled_for: Option<DateTimeUtc>,
    pub currency: String,
    pub closed_won: i64,
    pub weighted_forecast: i64,
    pub history_forecast: i64,
    pub commit_forecast: i64,
    pub best_case_forecast: i64,
    pub body: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
