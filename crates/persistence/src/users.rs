//! Users, team memberships, and the caller's scope.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use glassbox_domain::page::{Page, PageRequest};
use glassbox_domain::team::with_descendants;
use glassbox_domain::user::{NewUser, Role, User, UserChanges};
use glassbox_domain::{DomainError, Scope};
use sea_orm::ExprTrait;
use sea_orm::sea_query::{Condition, Expr, JoinType, Order, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::Store;
use crate::entities::{team_members, teams, users};
use crate::error::{check_version, db_err};

/// What login needs to know about a user with a given email.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// User id.
    pub user_id: Uuid,
    /// Tenant.
    pub org_id: Uuid,
    /// PHC-format argon2id hash.
    pub password_hash: String,
    /// Inactive users cannot sign in.
    pub active: bool,
}

fn to_domain(m: users::Model, team_ids: Vec<Uuid>) -> Result<User, DomainError> {
    Ok(User {
        role: Role::parse("role", &m.role).map_err(|_| DomainError::Internal(format!("stored role `{}` is unknown", m.role)))?,
        id: m.id,
        org_id: m.org_id,
        name: m.name,
        email: m.email,
        active: m.active,
        team_ids,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

/// Team ids per user, for the given users of one org.
async fn memberships(conn: &impl ConnectionTrait, org_id: Uuid, user_ids: Vec<Uuid>) -> Result<HashMap<Uuid, Vec<Uuid>>, DomainError> {
    let rows = team_members::Entity::find()
        .filter(team_members::Column::OrgId.eq(org_id))
        .filter(team_members::Column::UserId.is_in(user_ids))
        .order_by_asc(team_members::Column::TeamId)
        .all(conn)
        .await
        .map_err(db_err)?;
    let mut map: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for row in rows {
        map.entry(row.user_id).or_default().push(row.team_id);
    }
    Ok(map)
}

/// Fails unless every team id names a team of the org.
pub(crate) async fn check_teams_exist(
    conn: &impl ConnectionTrait,
    org_id: Uuid,
    team_ids: &[Uuid],
    field: &str,
) -> Result<(), DomainError> {
    if team_ids.is_empty() {
        return Ok(());
    }
    let found = teams::Entity::find()
        .filter(teams::Column::OrgId.eq(org_id))
        .filter(teams::Column::Id.is_in(team_ids.to_vec()))
        .count(conn)
        .await
        .map_err(db_err)?;
    if found != team_ids.len() as u64 {
        return Err(DomainError::invalid(
            field,
            "unknown_team",
            "every team id must name a team of this org",
        ));
    }
    Ok(())
}

/// Replaces a user's team memberships.
async fn set_memberships(conn: &impl ConnectionTrait, org_id: Uuid, user_id: Uuid, team_ids: &[Uuid]) -> Result<(), DomainError> {
    team_members::Entity::delete_many()
        .filter(team_members::Column::OrgId.eq(org_id))
        .filter(team_members::Column::UserId.eq(user_id))
        .exec(conn)
        .await
        .map_err(db_err)?;
    if team_ids.is_empty() {
        return Ok(());
    }
    let rows = team_ids.iter().map(|team_id| team_members::ActiveModel {
        org_id: Set(org_id),
        team_id: Set(*team_id),
        user_id: Set(user_id),
    });
    team_members::Entity::insert_many(rows).exec(conn).await.map_err(db_err)?;
    Ok(())
}

/// Inserts a user row and its memberships (inside the caller's transaction).
pub(crate) async fn insert_user(
    conn: &impl ConnectionTrait,
    org_id: Uuid,
    user: &NewUser,
    password_hash: String,
    now: DateTime<Utc>,
) -> Result<users::Model, DomainError> {
    check_teams_exist(conn, org_id, &user.team_ids, "team_ids").await?;
    let model = users::ActiveModel {
        id: Set(user.id),
        org_id: Set(org_id),
        name: Set(user.name.as_str().to_owned()),
        email: Set(user.email.as_str().to_owned()),
        password_hash: Set(password_hash),
        role: Set(user.role.as_str().to_owned()),
        active: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await
    .map_err(db_err)?;
    set_memberships(conn, org_id, model.id, &user.team_ids).await?;
    Ok(model)
}

impl Store {
    /// Loads the scope of an active user: role, teams, and for managers every
    /// sub-team of their teams.
    ///
    /// # Errors
    /// [`DomainError::Unauthenticated`] when the user is gone, inactive, or
    /// not in `org_id`.
    pub async fn load_scope(&self, org_id: Uuid, user_id: Uuid) -> Result<Scope, DomainError> {
        if let Some(scope) = self.scopes.get(org_id, user_id) {
            return Ok(scope);
        }
        let epoch = self.scopes.epoch();
        // One round trip: the user's row once per team it is in (or once
        // with no team).
        let q = Query::select()
            .column((users::Entity, users::Column::Role))
            .column((team_members::Entity, team_members::Column::TeamId))
            .from(users::Entity)
            .join(
                JoinType::LeftJoin,
                team_members::Entity,
                Condition::all()
                    .add(Expr::col((team_members::Entity, team_members::Column::UserId)).equals((users::Entity, users::Column::Id)))
                    .add(Expr::col((team_members::Entity, team_members::Column::OrgId)).equals((users::Entity, users::Column::OrgId))),
            )
            .and_where(Expr::col((users::Entity, users::Column::Id)).eq(user_id))
            .and_where(Expr::col((users::Entity, users::Column::OrgId)).eq(org_id))
            .and_where(Expr::col((users::Entity, users::Column::Active)).eq(true))
            .order_by((team_members::Entity, team_members::Column::TeamId), Order::Asc)
            .to_owned();
        let conn = self.conn();
        let rows = conn.query_all(&q).await.map_err(db_err)?;
        let first = rows
            .first()
            .ok_or_else(|| DomainError::Unauthenticated("the user is unknown or deactivated".into()))?;
        let stored_role: String = first.try_get_by_index(0).map_err(db_err)?;
        let role =
            Role::parse("role", &stored_role).map_err(|_| DomainError::Internal(format!("stored role `{stored_role}` is unknown")))?;
        let mut own_teams = rows
            .iter()
            .map(|r| r.try_get_by_index::<Option<Uuid>>(1))
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err)?
            .into_iter()
            .flatten()
            .collect::<Vec<_>>();
        let visible_team_ids = if role == Role::Manager {
            let teams: Vec<(Uuid, Option<Uuid>, Option<Uuid>)> = teams::Entity::find()
                .select_only()
                .column(teams::Column::Id)
                .column(teams::Column::ParentTeamId)
                .column(teams::Column::ManagerUserId)
                .filter(teams::Column::OrgId.eq(org_id))
                .into_tuple()
                .all(conn)
                .await
                .map_err(db_err)?;
            // A manager leads the teams they manage, member or not.
            own_teams.extend(teams.iter().filter(|t| t.2 == Some(user_id)).map(|t| t.0));
            let edges: Vec<(Uuid, Option<Uuid>)> = teams.iter().map(|t| (t.0, t.1)).collect();
            with_descendants(&own_teams, &edges)
        } else {
            own_teams
        };
        let scope = Scope {
            org_id,
            user_id,
            role,
            visible_team_ids,
        };
        self.scopes.put(&scope, epoch);
        Ok(scope)
    }

    /// The stored password hash of a user of the caller's org, to check a
    /// current password before changing it.
    ///
    /// # Errors
    /// [`DomainError::NotFound`] when absent or in another org.
    pub async fn password_hash(&self, scope: &Scope, id: Uuid) -> Result<String, DomainError> {
        users::Entity::find_by_id(id)
            .filter(users::Column::OrgId.eq(scope.org_id))
            .one(self.conn())
            .await
            .map_err(db_err)?
            .map(|u| u.password_hash)
            .ok_or(DomainError::NotFound("user"))
    }

    /// Every user (any org) whose normalized email is `email`, for login.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn find_credentials(&self, email: &str) -> Result<Vec<Credentials>, DomainError> {
        let rows = users::Entity::find()
            .filter(users::Column::Email.eq(email))
            .order_by_asc(users::Column::Id)
            .all(self.conn())
            .await
            .map_err(db_err)?;
        Ok(rows
            .into_iter()
            .map(|u| Credentials {
                user_id: u.id,
                org_id: u.org_id,
                password_hash: u.password_hash,
                active: u.active,
            })
            .collect())
    }

    /// Users of the caller's org, ordered by id, one page.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn list_users(&self, scope: &Scope, page: PageRequest) -> Result<Page<User>, DomainError> {
        let mut query = users::Entity::find().filter(users::Column::OrgId.eq(scope.org_id));
        if let Some(after) = page.after {
            query = query.filter(users::Column::Id.gt(after));
        }
        let rows = query
            .order_by_asc(users::Column::Id)
            .limit(page.limit.get() + 1)
            .all(self.conn())
            .await
            .map_err(db_err)?;
        let mut teams = memberships(self.conn(), scope.org_id, rows.iter().map(|r| r.id).collect()).await?;
        let page = Page::from_overfetch(rows, page.limit, |r| r.id);
        let items = page
            .items
            .into_iter()
            .map(|r| {
                let team_ids = teams.remove(&r.id).unwrap_or_default();
                to_domain(r, team_ids)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page {
            items,
            next_after: page.next_after,
        })
    }

    /// One user of the caller's org.
    ///
    /// # Errors
    /// [`DomainError::NotFound`] when absent or in another org.
    pub async fn get_user(&self, scope: &Scope, id: Uuid) -> Result<User, DomainError> {
        get_user_in(self.conn(), scope.org_id, id).await
    }

    /// Creates a user in the caller's org (admin only).
    ///
    /// # Errors
    /// [`DomainError::Forbidden`] unless admin; [`DomainError::Conflict`] on a
    /// duplicate email or id; [`DomainError::Validation`] on unknown teams.
    pub async fn create_user(&self, scope: &Scope, user: NewUser, password_hash: String) -> Result<User, DomainError> {
        if !scope.is_admin() {
            return Err(DomainError::Forbidden("only an admin may create users".into()));
        }
        let txn = self.begin_write().await?;
        let model = insert_user(&txn, scope.org_id, &user, password_hash, self.now()).await?;
        let created = get_user_in(&txn, scope.org_id, model.id).await?;
        txn.commit().await.map_err(db_err)?;
        self.scopes.invalidate();
        Ok(created)
    }

    /// Changes a user. Admins may change anything; a user may change their own
    /// name, email and password. `password_hash` accompanies a password change.
    /// A password change or a deactivation revokes every refresh token of the
    /// user in the same transaction (other sessions end).
    ///
    /// # Errors
    /// [`DomainError::NotFound`]; [`DomainError::Forbidden`];
    /// [`DomainError::StaleVersion`]; [`DomainError::Conflict`] on a taken email.
    pub async fn update_user(
        &self,
        scope: &Scope,
        id: Uuid,
        changes: UserChanges,
        password_hash: Option<String>,
        if_match: Option<i64>,
    ) -> Result<User, DomainError> {
        let is_self = scope.user_id == id;
        let allowed = scope.is_admin() || (is_self && changes.is_self_service());
        if !allowed {
            return Err(DomainError::Forbidden(
                "only an admin may change other users, roles, teams or the active flag".into(),
            ));
        }
        let txn = self.begin_write().await?;
        let current = users::Entity::find_by_id(id)
            .filter(users::Column::OrgId.eq(scope.org_id))
            .lock_exclusive()
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("user"))?;
        check_version(if_match, current.version)?;
        if changes.is_empty() {
            drop(txn);
            return self.get_user(scope, id).await;
        }
        if is_self && (changes.active == Some(false) || changes.role.is_some_and(|r| r != Role::Admin)) {
            let field = if changes.active == Some(false) { "active" } else { "role" };
            return Err(DomainError::invalid(
                field,
                "self_lockout",
                "an admin cannot demote or deactivate themselves",
            ));
        }
        if let Some(team_ids) = &changes.team_ids {
            check_teams_exist(&txn, scope.org_id, team_ids, "team_ids").await?;
            set_memberships(&txn, scope.org_id, id, team_ids).await?;
        }
        if password_hash.is_some() || changes.active == Some(false) {
            crate::auth::revoke_user_tokens(&txn, scope.org_id, id, self.now()).await?;
        }
        let version = current.version;
        let mut model = current.into_active_model();
        if let Some(name) = changes.name {
            model.name = Set(name.into_string());
        }
        if let Some(email) = changes.email {
            model.email = Set(email.as_str().to_owned());
        }
        if let Some(role) = changes.role {
            model.role = Set(role.as_str().to_owned());
        }
        if let Some(active) = changes.active {
            model.active = Set(active);
        }
        if let Some(hash) = password_hash {
            model.password_hash = Set(hash);
        }
        model.version = Set(version + 1);
        model.updated_at = Set(self.now());
        model.update(&txn).await.map_err(db_err)?;
        let updated = get_user_in(&txn, scope.org_id, id).await?;
        txn.commit().await.map_err(db_err)?;
        self.scopes.invalidate();
        Ok(updated)
    }
}

async fn get_user_in(conn: &impl ConnectionTrait, org_id: Uuid, id: Uuid) -> Result<User, DomainError> {
    let row = users::Entity::find_by_id(id)
        .filter(users::Column::OrgId.eq(org_id))
        .one(conn)
        .await
        .map_err(db_err)?
        .ok_or(DomainError::NotFound("user"))?;
    let team_ids = memberships(conn, org_id, vec![id]).await?.remove(&id).unwrap_or_default();
    to_domain(row, team_ids)
}
