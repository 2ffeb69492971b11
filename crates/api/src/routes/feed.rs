//! The one handler body behind every delta-sync feed (`GET …/changes`).

use std::collections::HashMap;
use std::future::Future;

use actix_web::web::Json;
use glassbox_domain::{DomainError, Scope};
use glassbox_persistence::changes::SyncedKind;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::dto::changes::{ChangesPage, ChangesQuery};
use crate::error::ApiError;
use crate::state::AppState;

/// One page of the `kind` feed after `q.cursor`: the change rows, each
/// `upsert` carrying the record as it is now, fetched in one call of
/// `load` (ids → records) and turned into its wire form by `to_dto`.
///
/// # Errors
/// 422 for a bad `limit` or `cursor`; 410 for a cursor older than the
/// change log keeps.
pub(crate) async fn page<R, T, Fut>(
    state: &AppState,
    scope: &Scope,
    kind: SyncedKind,
    q: &ChangesQuery,
    load: impl FnOnce(Vec<Uuid>) -> Fut,
    id_of: impl Fn(&R) -> Uuid,
    to_dto: impl Fn(&R) -> T,
) -> Result<Json<ChangesPage<T>>, ApiError>
where
    Fut: Future<Output = Result<Vec<R>, DomainError>>,
    T: ToSchema,
{
    let (limit, after) = q.parse(kind)?;
    let page = state.store.changes(scope, kind, after, limit).await?;
    let ids = page.items.iter().map(|c| c.record_id).collect();
    let current: HashMap<Uuid, R> = load(ids).await?.into_iter().map(|r| (id_of(&r), r)).collect();
    Ok(Json(ChangesPage::new(kind, page, after, &current, to_dto)))
}
