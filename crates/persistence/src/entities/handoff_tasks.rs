//! Table `handoff_tasks`.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "handoff_tasks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub opportunity_id: Uuid,
    pub rule_id: Option<Uuid>,
    pub stage_history_id: Option<Uuid>,
    pub task_type: String,
    pub title: String,
    pub assignee_team_id: Uuid,
    pub assignee_user_id: Option<Uuid>,
    pub requester_id: Uuid,
    pub status: String,
    pub response_sla_minutes: Option<i32>,
    pub completion_sla_minutes: Option<i32>,
    pub response_due_at: Option<DateTimeUtc>,
    pub due_at: Option<DateTimeUtc>,
    pub accepted_at: Option<DateTimeUtc>,
    pub started_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    pub declined_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub decline_reason: Option<String>,
    pub cancel_reason: Option<String>,
    pub outcome: Option<String>,
    pub rating: Option<i32>,
    pub rating_comment: Option<String>,
    pub rated_at: Option<DateTimeUtc>,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
