//! Table `opportunities`.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "opportunities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub name: String,
    pub account_id: Option<Uuid>,
    pub owner_id: Uuid,
    pub pipeline_id: Uuid,
    pub stage_id: Uuid,
    pub status: String,
    pub amount_minor: Option<i64>,
    pub currency: String,
    pub close_date: Option<Date>,
    pub forecast_category: String,
    pub next_step: Option<String>,
    pub lead_source: Option<String>,
    pub campaign_id: Option<Uuid>,
    pub product_id: Option<Uuid>,
    pub loss_reason: Option<String>,
    pub closed_at: Option<DateTimeUtc>,
    pub stage_entered_at: DateTimeUtc,
    pub last_activity_at: Option<DateTimeUtc>,
    pub external_id: Option<String>,
    pub deleted_at: Option<DateTimeUtc>,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
