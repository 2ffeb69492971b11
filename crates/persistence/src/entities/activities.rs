//! Table `activities`.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    #[sea_orm(column_name = "type")]
    pub activity_type: String,
    pub subject: String,
    pub notes: Option<String>,
    pub occurred_at: Option<DateTimeUtc>,
    pub due_at: Option<DateTimeUtc>,
    pub duration_minutes: Option<i32>,
    pub outcome: Option<String>,
    pub done: bool,
    pub owner_id: Uuid,
    pub opportunity_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub deleted_at: Option<DateTimeUtc>,
    pub recorded_at: DateTimeUtc,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
