//! Business calendars, handoff rules and handoff tasks.

use sea_orm_migration::prelude::*;

use super::m20261129_000005_create_sales_core::{bigint_null, fk, index, int, table, text, text_null, ts_null, uuid, uuid_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn int_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).integer().null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One row per org that changed the standard calendar; `id` is the org's id.
        manager
            .create_table(table(
                "org_calendars",
                vec![
                    text("working_days", 20),
                    text("work_start", 5),
                    text("work_end", 5),
                    ColumnDef::new(Alias::new("holidays")).text().not_null().to_owned(),
                ],
                vec![fk("org_calendars", "id", "orgs")],
                false,
            ))
            .await?;
        manager
            .create_table(table(
                "handoff_rules",
                vec![
                    uuid("org_id"),
                    uuid("pipeline_id"),
                    uuid("stage_id"),
                    bigint_null("min_amount_minor"),
                    text("task_type", 32),
                    text("title_template", 255),
                    uuid("assignee_team_id"),
                    int("response_sla_minutes"),
                    int("completion_sla_minutes"),
                    ColumnDef::new(Alias::new("active")).boolean().not_null().default(true).to_owned(),
                    ts_null("deleted_at"),
                ],
                vec![
                    fk("handoff_rules", "org_id", "orgs"),
                    fk("handoff_rules", "pipeline_id", "pipelines"),
                    fk("handoff_rules", "stage_id", "stages"),
                    fk("handoff_rules", "assignee_team_id", "teams"),
                ],
                true,
            ))
            .await?;
        manager
            .create_index(index("ix_handoff_rules_org_stage", "handoff_rules", &["org_id", "stage_id"], false))
            .await?;
        manager
            .create_table(table(
                "handoff_tasks",
                vec![
                    uuid("org_id"),
                    uuid("opportunity_id"),
                    uuid_null("rule_id"),
                    uuid_null("stage_history_id"),
                    text("task_type", 32),
                    text("title", 255),
                    uuid("assignee_team_id"),
                    uuid_null("assignee_user_id"),
                    uuid("requester_id"),
                    text("status", 16),
                    int_null("response_sla_minutes"),
                    int_null("completion_sla_minutes"),
                    ts_null("response_due_at"),
                    ts_null("due_at"),
                    ts_null("accepted_at"),
                    ts_null("started_at"),
                    ts_null("completed_at"),
                    ts_null("declined_at"),
                    ts_null("cancelled_at"),
                    text_null("decline_reason", 1000),
                    text_null("cancel_reason", 1000),
                    text_null("outcome", 1000),
                    int_null("rating"),
                    text_null("rating_comment", 1000),
                    ts_null("rated_at"),
                ],
                vec![
                    fk("handoff_tasks", "org_id", "orgs"),
                    fk("handoff_tasks", "opportunity_id", "opportunities"),
                    fk("handoff_tasks", "rule_id", "handoff_rules"),
                    fk("handoff_tasks", "stage_history_id", "opportunity_stage_history"),
                    fk("handoff_tasks", "assignee_team_id", "teams"),
                    fk("handoff_tasks", "assignee_user_id", "users"),
                    fk("handoff_tasks", "requester_id", "users"),
                ],
                true,
            ))
            .await?;
        for (name, cols, unique) in [
            // One task per rule and stage entry: retries and races cannot add a second.
            ("ux_handoff_tasks_rule_entry", &["org_id", "rule_id", "stage_history_id"][..], true),
            (
                "ix_handoff_tasks_org_team_status",
                &["org_id", "assignee_team_id", "status"][..],
                false,
            ),
            ("ix_handoff_tasks_org_opportunity", &["org_id", "opportunity_id"][..], false),
        ] {
            manager.create_index(index(name, "handoff_tasks", cols, unique)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["handoff_tasks", "handoff_rules", "org_calendars"] {
            manager.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
