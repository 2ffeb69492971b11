//! The route table. Registering a handler with `.service()` on a
//! utoipa-actix-web scope documents it in the OpenAPI spec.

pub mod accounts;
pub mod activities;
pub mod analytics;
pub mod api_keys;
pub mod audit_log;
pub mod auth;
pub mod contacts;
pub mod exchange_rates;
pub mod feed;
pub mod forecasts;
pub mod handoff_rules;
pub mod handoff_tasks;
pub mod me;
pub mod opportunities;
pub mod org;
pub mod pipelines;
pub mod products;
pub mod quotas;
pub mod system;
pub mod teams;
pub mod users;

use std::future::Future;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header;
use glassbox_domain::DomainError;
use serde::Serialize;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;

/// Registers every documented route.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(system::healthz::healthz).service(system::readyz::readyz).service(
        scope("/api/v1")
            .service(auth::token::create_token)
            .service(auth::refresh::refresh_token)
            .service(auth::logout::logout)
            .service(me::get_me)
            .service(org::get::get_org)
            .service(org::update::update_org)
            .service(users::list::list_users)
            .service(users::create::create_user)
            .service(users::get::get_user)
            .service(users::update::update_user)
            .service(users::deactivate::deactivate_user)
            .service(teams::list::list_teams)
            .service(teams::create::create_team)
            .service(teams::get::get_team)
            .service(teams::update::update_team)
            .service(teams::delete::delete_team)
            .service(pipelines::list::list_pipelines)
            .service(pipelines::create::create_pipeline)
            .service(pipelines::get::get_pipeline)
            .service(pipelines::update_stage::update_stage)
            .service(opportunities::list::list_opportunities)
            .service(opportunities::create::create_opportunity)
            .service(opportunities::totals::get_opportunity_totals)
            .service(opportunities::changes::opportunity_changes)
            .service(opportunities::get::get_opportunity)
            .service(opportunities::update::update_opportunity)
            .service(opportunities::delete::delete_opportunity)
            .service(opportunities::stage_history::get_opportunity_stage_history)
            .service(opportunities::history::get_opportunity_history)
            .service(accounts::list::list_accounts)
            .service(accounts::create::create_account)
            .service(accounts::get::get_account)
            .service(accounts::timeline::account_timeline)
            .service(accounts::update::update_account)
            .service(accounts::delete::delete_account)
            .service(contacts::list::list_contacts)
            .service(contacts::create::create_contact)
            .service(contacts::get::get_contact)
            .service(contacts::update::update_contact)
            .service(contacts::delete::delete_contact)
            .service(products::list::list_products)
            .service(products::create::create_product)
            .service(products::get::get_product)
            .service(products::update::update_product)
            .service(activities::list::list_activities)
            .service(activities::create::create_activity)
            .service(activities::batch::upsert_activities)
            .service(activities::changes::activity_changes)
            .service(activities::get::get_activity)
            .service(activities::update::update_activity)
            .service(activities::delete::delete_activity)
            .service(api_keys::create_api_key)
            .service(api_keys::list_api_keys)
            .service(api_keys::revoke_api_key)
            .service(audit_log::list_audit_log)
            .service(forecasts::forecast)
            .service(forecasts::forecast_accuracy)
            .service(forecasts::forecast_backtest)
            .service(forecasts::snapshots::create_forecast_snapshot)
            .service(forecasts::snapshots::list_forecast_snapshots)
            .service(forecasts::snapshots::get_forecast_snapshot_schedule)
            .service(forecasts::snapshots::set_forecast_snapshot_schedule)
            .service(forecasts::snapshots::delete_forecast_snapshot_schedule)
            .service(forecasts::snapshots::get_forecast_snapshot)
            .service(forecasts::adjustments::create_forecast_adjustment)
            .service(forecasts::adjustments::list_forecast_adjustments)
            .service(quotas::list::list_quotas)
            .service(quotas::create::create_quota)
            .service(quotas::get::get_quota)
            .service(quotas::update::update_quota)
            .service(quotas::delete::delete_quota)
            .service(exchange_rates::list_exchange_rates)
            .service(exchange_rates::create_exchange_rate)
            .service(exchange_rates::delete_exchange_rate)
            .service(handoff_rules::list::list_handoff_rules)
            .service(handoff_rules::create::create_handoff_rule)
            .service(handoff_rules::get::get_handoff_rule)
            .service(handoff_rules::update::update_handoff_rule)
            .service(handoff_rules::delete::delete_handoff_rule)
            .service(handoff_tasks::list::list_handoff_tasks)
            .service(handoff_tasks::metrics::handoff_task_metrics)
            .service(handoff_tasks::changes::handoff_task_changes)
            .service(handoff_tasks::create::create_handoff_task)
            .service(handoff_tasks::get::get_handoff_task)
            .service(handoff_tasks::accept::accept_handoff_task)
            .service(handoff_tasks::start::start_handoff_task)
            .service(handoff_tasks::complete::complete_handoff_task)
            .service(handoff_tasks::decline::decline_handoff_task)
            .service(handoff_tasks::cancel::cancel_handoff_task)
            .service(handoff_tasks::rate::rate_handoff_task)
            .service(analytics::funnel::funnel)
            .service(analytics::stage_conversion::stage_conversion)
            .service(analytics::stalled::stalled_opportunities)
            .service(analytics::rep_performance::rep_performance)
            .service(analytics::pipeline_changes::pipeline_changes)
            .service(analytics::kpis::kpis),
    );
}

/// A JSON answer carrying `ETag: "<version>"`.
pub(crate) fn with_etag<T: Serialize>(status: StatusCode, version: i64, body: &T) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, format!("\"{version}\"")))
        .json(body)
}

/// A 201 answer with `ETag` and the new record's `Location`.
pub(crate) fn created<T: Serialize>(location: String, version: i64, body: &T) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::ETAG, format!("\"{version}\"")))
        .insert_header((header::LOCATION, location))
        .json(body)
}

/// Turns a stale-version failure into a 412 that carries the current record
/// (fetched by `current`); passes every other outcome through.
pub(crate) async fn or_stale<T, D, Fut>(result: Result<T, DomainError>, current: impl FnOnce() -> Fut) -> Result<T, ApiError>
where
    Fut: Future<Output = Result<(i64, D), DomainError>>,
    D: Serialize,
{
    match result {
        Err(DomainError::StaleVersion { .. }) => {
            let (version, record) = current().await?;
            Err(ApiError::Stale {
                current_version: version,
                current: serde_json::to_value(record).unwrap_or_default(),
            })
        }
        other => other.map_err(ApiError::from),
    }
}
