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
    let mut page = state.store.changes(scope, kind, after, limit).await?;
    let ids: Vec<Uuid> = page.items.iter().map(|c| c.record_id).collect();
    // Where the next page starts: after the last change read, whether or
    // not the caller may see it.
    let resume = page.items.last().map(|c| c.key).or(after);
    // Only changes of records in the caller's reach (deleted ones included).
    if let Some(visible) = state.store.visible_ids(scope, kind, ids.clone()).await? {
        page.items.retain(|c| visible.contains(&c.record_id));
    }
    let ids = page.items.iter().map(|c| c.record_id).collect();
    let current: HashMap<Uuid, R> = load(ids).await?.into_iter().map(|r| (id_of(&r), r)).collect();
    Ok(Json(ChangesPage::new(kind, page, resume, &current, to_dto)))
}
