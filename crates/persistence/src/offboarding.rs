//! Staff leaving: deactivate a user and hand their open work to another in
//! one transaction.

use glassbox_domain::handoff::TaskStatus;
use glassbox_domain::{DomainError, Scope};
use sea_orm::{ConnectionTrait, DbBackend};
use uuid::Uuid;

use crate::Store;
use crate::analytics::sql::Sql;
use crate::changes::{ChangeOp, SyncedKind};
use crate::error::db_err;
use crate::refs::{Ref, check};

/// What a deactivation moved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reassigned {
    /// Open opportunities now owned by the successor.
    pub opportunities: u64,
    /// Accounts now owned by the successor.
    pub accounts: u64,
    /// Open handoff tasks now assigned to the successor.
    pub handoff_tasks: u64,
}

/// Ids and versions of the rows `select` returns (`id`, `version`),
/// locked for update on PostgreSQL.
async fn locked(conn: &impl ConnectionTrait, mut s: Sql) -> Result<Vec<(Uuid, i64)>, DomainError> {
    if conn.get_database_backend() == DbBackend::Postgres {
        s.push(" FOR UPDATE");
    }
    s.all(conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("", "id")?, r.try_get("", "version")?)))
        .collect::<Result<_, sea_orm::DbErr>>()
        .map_err(db_err)
}

impl Store {
    /// Deactivates `user` (admin only) and, in the same transaction, moves
    /// their open opportunities (with field history, rollups and the change
    /// feed kept), their accounts and the open handoff tasks assigned to
    /// them to `successor`, then ends the user's sessions (refresh tokens
    /// revoked; access tokens fail at the next request).
    ///
    /// # Errors
    /// [`DomainError::Forbidden`] unless admin; [`DomainError::NotFound`]
    /// for the user; [`DomainError::Validation`] naming
    /// `reassign_to_user_id` (not an active user of the org, or the user
    /// themselves) or `user` (the caller themselves).
    pub async fn deactivate_and_reassign(&self, scope: &Scope, user: Uuid, successor: Uuid) -> Result<Reassigned, DomainError> {
        if !scope.is_admin() {
            return Err(DomainError::Forbidden("only an admin deactivates users".into()));
        }
        if user == scope.user_id {
            return Err(DomainError::invalid(
                "user",
                "self_lockout",
                "an admin cannot deactivate themselves",
            ));
        }
        if user == successor {
            return Err(DomainError::invalid(
                "reassign_to_user_id",
                "same_user",
                "the successor must be another user",
            ));
        }
        let txn = self.begin_write().await?;
        let now = self.now();
        let backend = txn.get_database_backend();
        let mut s = Sql::new(backend);
        let (o, u) = (s.bind(scope.org_id), s.bind(user));
        s.push(&format!("SELECT id, version FROM users WHERE org_id = {o} AND id = {u}"));
        if locked(&txn, s).await?.is_empty() {
            return Err(DomainError::NotFound("user"));
        }
        check(&txn, scope.org_id, &[("reassign_to_user_id", Some(successor), Ref::User)]).await?;

        // Open opportunities: owner, version, field history, feed, rollups.
        let mut s = Sql::new(backend);
        let (o, u) = (s.bind(scope.org_id), s.bind(user));
        s.push(&format!(
            "SELECT id, version FROM opportunities WHERE org_id = {o} AND owner_id = {u} AND status = 'open' AND deleted_at IS NULL ORDER BY id"
        ));
        let opps = locked(&txn, s).await?;
        let ids: Vec<Uuid> = opps.iter().map(|(id, _)| *id).collect();
        let tracked = crate::rollups::track(&txn, scope.org_id, &ids).await?;
        for chunk in ids.chunks(500) {
            let mut s = Sql::new(backend);
            let (to, at, list) = (s.bind(successor), s.bind(now), s.bind_list(chunk.iter().copied()));
            s.push(&format!(
                "UPDATE opportunities SET owner_id = {to}, version = version + 1, updated_at = {at} WHERE id IN ({list})"
            ));
            s.execute(&txn).await?;
            let mut s = Sql::new(backend);
            let (o, old, new, by, at) = (
                s.bind(scope.org_id),
                s.bind(user.to_string()),
                s.bind(successor.to_string()),
                s.bind(scope.user_id),
                s.bind(now),
            );
            let rows: Vec<String> = chunk
                .iter()
                .map(|id| {
                    format!(
                        "({}, {o}, {}, 'owner_id', {old}, {new}, {by}, {at})",
                        s.bind(Uuid::now_v7()),
                        s.bind(*id)
                    )
                })
                .collect();
            s.push(&format!(
                "INSERT INTO opportunity_field_history (id, org_id, opportunity_id, field, old_value, new_value, actor_id, changed_at) VALUES {}",
                rows.join(", ")
            ));
            s.execute(&txn).await?;
        }
        let feed: Vec<_> = opps.iter().map(|(id, v)| (*id, ChangeOp::Upsert, v + 1)).collect();
        self.log_changes(&txn, scope.org_id, SyncedKind::Opportunity, &feed, now).await?;
        tracked.apply(&txn).await?;

        // Accounts.
        let mut s = Sql::new(backend);
        let (to, at, o, u) = (s.bind(successor), s.bind(now), s.bind(scope.org_id), s.bind(user));
        s.push(&format!(
            "UPDATE accounts SET owner_id = {to}, version = version + 1, updated_at = {at} \
             WHERE org_id = {o} AND owner_id = {u} AND deleted_at IS NULL"
        ));
        let accounts = s.execute_counted(&txn).await?;

        // Open handoff tasks assigned to the user.
        let active: Vec<&str> = TaskStatus::ALL.iter().filter(|s| s.is_active()).map(|s| s.as_str()).collect();
        let mut s = Sql::new(backend);
        let (o, u, st) = (
            s.bind(scope.org_id),
            s.bind(user),
            s.bind_list(active.iter().map(|a| (*a).to_owned())),
        );
        s.push(&format!(
            "SELECT id, version FROM handoff_tasks WHERE org_id = {o} AND assignee_user_id = {u} AND status IN ({st}) ORDER BY id"
        ));
        let tasks = locked(&txn, s).await?;
        for chunk in tasks.chunks(500) {
            let mut s = Sql::new(backend);
            let (to, at, list) = (s.bind(successor), s.bind(now), s.bind_list(chunk.iter().map(|(id, _)| *id)));
            s.push(&format!(
                "UPDATE handoff_tasks SET assignee_user_id = {to}, version = version + 1, updated_at = {at} WHERE id IN ({list})"
            ));
            s.execute(&txn).await?;
        }
        let feed: Vec<_> = tasks.iter().map(|(id, v)| (*id, ChangeOp::Upsert, v + 1)).collect();
        self.log_changes(&txn, scope.org_id, SyncedKind::HandoffTask, &feed, now).await?;

        // The user: inactive, sessions ended.
        crate::auth::revoke_user_tokens(&txn, scope.org_id, user, now).await?;
        let mut s = Sql::new(backend);
        let (at, o, u) = (s.bind(now), s.bind(scope.org_id), s.bind(user));
        s.push(&format!(
            "UPDATE users SET active = FALSE, version = version + 1, updated_at = {at} WHERE org_id = {o} AND id = {u}"
        ));
        s.execute(&txn).await?;
        txn.commit().await.map_err(db_err)?;
        self.scopes.invalidate();
        Ok(Reassigned {
            opportunities: opps.len() as u64,
            accounts,
            handoff_tasks: tasks.len() as u64,
        })
    }
}
