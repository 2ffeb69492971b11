//! Handoff tasks and their lifecycle actions.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use glassbox_persistence::handoffs::TaskStep;
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::handoff::HandoffTaskDto;
use crate::error::ApiError;
use crate::routes::{or_stale, with_etag};
use crate::state::AppState;

pub mod accept;
pub mod cancel;
pub mod changes;
pub mod complete;
pub mod create;
pub mod decline;
pub mod get;
pub mod list;
pub mod metrics;
pub mod rate;
pub mod start;

/// Runs one step on a task and answers 200 with the task (412 with the
/// current one on a stale `If-Match`).
async fn act(state: &AppState, caller: &Caller, id: Uuid, step: TaskStep, if_match: Option<i64>) -> Result<HttpResponse, ApiError> {
    let scope = &caller.0;
    let now = || state.store.clock().now();
    let result = state.store.act_on_handoff_task(scope, id, step, if_match).await;
    let saved = or_stale(result, || async {
        let current = state.store.get_handoff_task(scope, id).await?;
        Ok((current.version, HandoffTaskDto::new(current, now())))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, saved.version, &HandoffTaskDto::new(saved, now())))
}
