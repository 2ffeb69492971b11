//! Table `handoff_rules`.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "handoff_rules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub pipeline_id: Uuid,
    pub stage_id: Uuid,
    pub min_amount_minor: Option<i64>,
    pub task_type: String,
    pub title_template: String,
    pub assignee_team_id: Uuid,
    pub response_sla_minutes: i32,
    pub completion_sla_minutes: i32,
    pub active: bool,
    pub deleted_at: Option<DateTimeUtc>,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
