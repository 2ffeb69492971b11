//! `/api/v1/forecast-snapshots`: forecasts kept as of a moment, on demand
//! or on the org's schedule, and the job that takes scheduled ones.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, post, put, web, web::Json};
use glassbox_domain::user::Role;
use glassbox_domain::{DomainError, Scope};
use glassbox_persistence::Store;
use glassbox_persistence::forecast::{ClaimedRun, ForecastQuery, Snapshot, SnapshotDraft};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::forecast::{
    ForecastDto, ScheduleDto, ScheduleInput, SnapshotDto, SnapshotInput, SnapshotList, SnapshotQuery, SnapshotSummaryDto,
};
use crate::error::ApiError;
use crate::error::responses::{CreateProblems, DeleteProblems, ReadProblems, UpdateProblems};
use crate::extract::{JsonBody, QueryParams};
use crate::state::AppState;

/// Computes the forecast of `query` and keeps it.
async fn take(
    store: &Store,
    scope: &Scope,
    query: &ForecastQuery,
    scheduled_for: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Snapshot, DomainError> {
    let report = store.forecast(scope, query).await?;
    let total = report.total.clone();
    let draft = SnapshotDraft {
        period: report.period,
        first_day: report.days.0,
        team_id: query.team_id,
        group_by: query.group_by,
        as_of: report.as_of,
        scheduled_for,
        currency: report.currency.clone(),
        closed_won: total.figures.closed_won,
        forecasts: total.method_forecasts(),
        body: serde_json::to_string(&ForecastDto::new(report)).map_err(|e| DomainError::Internal(e.to_string()))?,
    };
    store.save_forecast_snapshot(scope, draft).await
}

/// Keeps the forecast of a period as it stands now (or at `as_of`), in
/// full, with each method's total for `GET /forecasts/accuracy` (admins
/// and managers).
#[utoipa::path(
    tag = "forecasts",
    operation_id = "create_forecast_snapshot",
    request_body = SnapshotInput,
    responses((status = 201, description = "Kept", body = SnapshotDto), CreateProblems),
    security(("bearer" = []))
)]
#[post("/forecast-snapshots")]
pub async fn create_forecast_snapshot(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<SnapshotInput>,
) -> Result<HttpResponse, ApiError> {
    let query = body.0.params().query()?;
    let kept = take(&state.store, &caller.0, &query, None).await?;
    Ok(HttpResponse::build(StatusCode::CREATED)
        .insert_header(("Location", format!("/api/v1/forecast-snapshots/{}", kept.id)))
        .json(SnapshotDto::new(&kept)?))
}

/// Kept snapshots, oldest `as_of` first, optionally of one period.
#[utoipa::path(
    tag = "forecasts",
    operation_id = "list_forecast_snapshots",
    params(SnapshotQuery),
    responses((status = 200, description = "Snapshots", body = SnapshotList), ReadProblems),
    security(("bearer" = []))
)]
#[get("/forecast-snapshots")]
pub async fn list_forecast_snapshots(
    state: web::Data<AppState>,
    caller: Caller,
    q: QueryParams<SnapshotQuery>,
) -> Result<Json<SnapshotList>, ApiError> {
    let scope = &caller.0;
    let period = crate::routes::quotas::period_filter(&state, scope, q.0.period.as_deref()).await?;
    let rows = state.store.list_forecast_snapshots(scope, period).await?;
    Ok(Json(SnapshotList {
        data: rows.iter().map(SnapshotSummaryDto::from).collect(),
    }))
}

/// The org's snapshot schedule.
#[utoipa::path(
    tag = "forecasts",
    operation_id = "get_forecast_snapshot_schedule",
    responses((status = 200, description = "The schedule", body = ScheduleDto), ReadProblems),
    security(("bearer" = []))
)]
#[get("/forecast-snapshots/schedule")]
pub async fn get_forecast_snapshot_schedule(state: web::Data<AppState>, caller: Caller) -> Result<Json<ScheduleDto>, ApiError> {
    let schedule = state
        .store
        .snapshot_schedule(&caller.0)
        .await?
        .ok_or(DomainError::NotFound("snapshot schedule"))?;
    Ok(Json(schedule.into()))
}

/// Sets the org's snapshot schedule (admin only): at every local midnight
/// of the frequency, one server keeps the forecast of the period containing
/// that day. Runs are claimed from the database, so several servers on one
/// database take each run once.
#[utoipa::path(
    tag = "forecasts",
    operation_id = "set_forecast_snapshot_schedule",
    request_body = ScheduleInput,
    responses((status = 200, description = "The schedule", body = ScheduleDto), UpdateProblems),
    security(("bearer" = []))
)]
#[put("/forecast-snapshots/schedule")]
pub async fn set_forecast_snapshot_schedule(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<ScheduleInput>,
) -> Result<Json<ScheduleDto>, ApiError> {
    let parsed = body.0.parse()?;
    let saved = state
        .store
        .set_snapshot_schedule(&caller.0, Some(parsed))
        .await?
        .ok_or(DomainError::Internal("the schedule was not kept".into()))?;
    Ok(Json(saved.into()))
}

/// Stops scheduled snapshots (admin only).
#[utoipa::path(
    tag = "forecasts",
    operation_id = "delete_forecast_snapshot_schedule",
    responses((status = 204, description = "Stopped"), DeleteProblems),
    security(("bearer" = []))
)]
#[delete("/forecast-snapshots/schedule")]
pub async fn delete_forecast_snapshot_schedule(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    state.store.set_snapshot_schedule(&caller.0, None).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// One snapshot with the forecast as it was kept.
#[utoipa::path(
    tag = "forecasts",
    operation_id = "get_forecast_snapshot",
    params(("id" = Uuid, Path, description = "Id")),
    responses((status = 200, description = "The snapshot", body = SnapshotDto), ReadProblems),
    security(("bearer" = []))
)]
#[get("/forecast-snapshots/{id}")]
pub async fn get_forecast_snapshot(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>) -> Result<Json<SnapshotDto>, ApiError> {
    let kept = state.store.forecast_snapshot(&caller.0, id.into_inner()).await?;
    Ok(Json(SnapshotDto::new(&kept)?))
}

/// Takes every scheduled snapshot due now that this server claims; returns
/// how many it kept. A run another server claimed, or already kept, is
/// skipped; a failed run is logged and not retried (the next run comes).
///
/// # Errors
/// [`DomainError::Internal`] when the schedules cannot be read.
pub async fn take_due_snapshots(store: &Store) -> Result<usize, DomainError> {
    let mut kept = 0;
    for run in store.claim_due_snapshot_runs(100).await? {
        match take_run(store, &run).await {
            Ok(()) => kept += 1,
            Err(DomainError::Conflict(_)) => {}
            Err(e) => tracing::warn!(org = %run.org_id, error = %e, "a scheduled forecast snapshot failed"),
        }
    }
    Ok(kept)
}

async fn take_run(store: &Store, run: &ClaimedRun) -> Result<(), DomainError> {
    // The schedule acts for the org as a whole.
    let scope = Scope {
        org_id: run.org_id,
        user_id: Uuid::nil(),
        role: Role::Admin,
        visible_team_ids: vec![],
    };
    let query = ForecastQuery {
        period: run.period,
        group_by: run.schedule.group_by,
        team_id: None,
        as_of: None,
        window_days: glassbox_domain::forecast::model::DEFAULT_WINDOW_DAYS,
    };
    take(store, &scope, &query, Some(run.scheduled_for)).await.map(|_| ())
}
