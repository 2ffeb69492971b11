//! Teams and their members.

use std::collections::HashMap;

use glassbox_domain::page::{Page, PageRequest};
use glassbox_domain::team::{NewTeam, Team, TeamChanges, TeamKind, check_parent};
use glassbox_domain::{DomainError, Scope};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::Store;
use crate::entities::{orgs, team_members, teams, users};
use crate::error::{check_version, db_err};

fn to_domain(m: teams::Model, member_user_ids: Vec<Uuid>) -> Result<Team, DomainError> {
    Ok(Team {
        kind: TeamKind::parse("kind", &m.kind).map_err(|_| DomainError::Internal(format!("stored team kind `{}` is unknown", m.kind)))?,
        id: m.id,
        org_id: m.org_id,
        name: m.name,
        parent_team_id: m.parent_team_id,
        manager_user_id: m.manager_user_id,
        member_user_ids,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

async fn members(conn: &impl ConnectionTrait, org_id: Uuid, team_ids: Vec<Uuid>) -> Result<HashMap<Uuid, Vec<Uuid>>, DomainError> {
    let rows = team_members::Entity::find()
        .filter(team_members::Column::OrgId.eq(org_id))
        .filter(team_members::Column::TeamId.is_in(team_ids))
        .order_by_asc(team_members::Column::UserId)
        .all(conn)
        .await
        .map_err(db_err)?;
    let mut map: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for row in rows {
        map.entry(row.team_id).or_default().push(row.user_id);
    }
    Ok(map)
}

async fn check_users_exist(conn: &impl ConnectionTrait, org_id: Uuid, ids: &[Uuid], field: &str) -> Result<(), DomainError> {
    if ids.is_empty() {
        return Ok(());
    }
    let found = users::Entity::find()
        .filter(users::Column::OrgId.eq(org_id))
        .filter(users::Column::Id.is_in(ids.to_vec()))
        .count(conn)
        .await
        .map_err(db_err)?;
    if found != ids.len() as u64 {
        return Err(DomainError::invalid(
            field,
            "unknown_user",
            "every user id must name a user of this org",
        ));
    }
    Ok(())
}

pub(crate) async fn edges(conn: &impl ConnectionTrait, org_id: Uuid) -> Result<Vec<(Uuid, Option<Uuid>)>, DomainError> {
    teams::Entity::find()
        .select_only()
        .column(teams::Column::Id)
        .column(teams::Column::ParentTeamId)
        .filter(teams::Column::OrgId.eq(org_id))
        .into_tuple()
        .all(conn)
        .await
        .map_err(db_err)
}

async fn check_links(
    conn: &impl ConnectionTrait,
    org_id: Uuid,
    team_id: Uuid,
    parent: Option<Uuid>,
    manager: Option<Uuid>,
) -> Result<(), DomainError> {
    let edges = edges(conn, org_id).await?;
    if let Some(parent) = parent
        && !edges.iter().any(|(id, _)| *id == parent)
    {
        return Err(DomainError::invalid(
            "parent_team_id",
            "unknown_team",
            "must name a team of this org",
        ));
    }
    check_parent(team_id, parent, &edges)?;
    if let Some(manager) = manager {
        check_users_exist(conn, org_id, &[manager], "manager_user_id").await?;
    }
    Ok(())
}

async fn set_members(conn: &impl ConnectionTrait, org_id: Uuid, team_id: Uuid, user_ids: &[Uuid]) -> Result<(), DomainError> {
    check_users_exist(conn, org_id, user_ids, "member_user_ids").await?;
    team_members::Entity::delete_many()
        .filter(team_members::Column::OrgId.eq(org_id))
        .filter(team_members::Column::TeamId.eq(team_id))
        .exec(conn)
        .await
        .map_err(db_err)?;
    if user_ids.is_empty() {
        return Ok(());
    }
    let rows = user_ids.iter().map(|user_id| team_members::ActiveModel {
        org_id: Set(org_id),
        team_id: Set(team_id),
        user_id: Set(*user_id),
    });
    team_members::Entity::insert_many(rows).exec(conn).await.map_err(db_err)?;
    Ok(())
}

async fn get_team_in(conn: &impl ConnectionTrait, org_id: Uuid, id: Uuid) -> Result<Team, DomainError> {
    let row = teams::Entity::find_by_id(id)
        .filter(teams::Column::OrgId.eq(org_id))
        .one(conn)
        .await
        .map_err(db_err)?
        .ok_or(DomainError::NotFound("team"))?;
    let member_ids = members(conn, org_id, vec![id]).await?.remove(&id).unwrap_or_default();
    to_domain(row, member_ids)
}

/// Serializes changes to the org's team hierarchy: the cycle check reads
/// every parent link, so two concurrent moves (A under B, B under A) must
/// not both pass it; and on PostgreSQL their foreign-key checks would lock
/// each other's rows and deadlock. Locking the org row first makes them
/// queue instead. (SQLite write transactions are exclusive already.)
async fn lock_hierarchy(conn: &impl ConnectionTrait, org_id: Uuid) -> Result<(), DomainError> {
    orgs::Entity::find_by_id(org_id)
        .lock_exclusive()
        .one(conn)
        .await
        .map_err(db_err)?
        .map(|_| ())
        .ok_or(DomainError::NotFound("org"))
}

/// Reads a team of the org for update (row lock on PostgreSQL; SQLite
/// write transactions are already exclusive).
async fn lock_team(conn: &impl ConnectionTrait, org_id: Uuid, id: Uuid) -> Result<teams::Model, DomainError> {
    teams::Entity::find_by_id(id)
        .filter(teams::Column::OrgId.eq(org_id))
        .lock_exclusive()
        .one(conn)
        .await
        .map_err(db_err)?
        .ok_or(DomainError::NotFound("team"))
}

fn require_admin(scope: &Scope) -> Result<(), DomainError> {
    if scope.is_admin() {
        Ok(())
    } else {
        Err(DomainError::Forbidden("only an admin may change teams".into()))
    }
}

impl Store {
    /// Teams of the caller's org, ordered by id, one page.
    ///
    /// # Errors
    /// [`DomainError::Internal`] on storage failure.
    pub async fn list_teams(&self, scope: &Scope, page: PageRequest) -> Result<Page<Team>, DomainError> {
        let mut query = teams::Entity::find().filter(teams::Column::OrgId.eq(scope.org_id));
        if let Some(after) = page.after {
            query = query.filter(teams::Column::Id.gt(after));
        }
        let rows = query
            .order_by_asc(teams::Column::Id)
            .limit(page.limit.get() + 1)
            .all(self.conn())
            .await
            .map_err(db_err)?;
        let mut member_map = members(self.conn(), scope.org_id, rows.iter().map(|r| r.id).collect()).await?;
        let page = Page::from_overfetch(rows, page.limit, |r| r.id);
        let items = page
            .items
            .into_iter()
            .map(|r| {
                let ids = member_map.remove(&r.id).unwrap_or_default();
                to_domain(r, ids)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page {
            items,
            next_after: page.next_after,
        })
    }

    /// One team of the caller's org.
    ///
    /// # Errors
    /// [`DomainError::NotFound`] when absent or in another org.
    pub async fn get_team(&self, scope: &Scope, id: Uuid) -> Result<Team, DomainError> {
        get_team_in(self.conn(), scope.org_id, id).await
    }

    /// Creates a team (admin only).
    ///
    /// # Errors
    /// [`DomainError::Forbidden`]; [`DomainError::Validation`] on unknown
    /// parent, manager or members; [`DomainError::Conflict`] on a taken name or id.
    pub async fn create_team(&self, scope: &Scope, team: NewTeam) -> Result<Team, DomainError> {
        require_admin(scope)?;
        let txn = self.begin_write().await?;
        let now = self.now();
        lock_hierarchy(&txn, scope.org_id).await?;
        check_links(&txn, scope.org_id, team.id, team.parent_team_id, team.manager_user_id).await?;
        teams::ActiveModel {
            id: Set(team.id),
            org_id: Set(scope.org_id),
            name: Set(team.name.into_string()),
            kind: Set(team.kind.as_str().to_owned()),
            parent_team_id: Set(team.parent_team_id),
            manager_user_id: Set(team.manager_user_id),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await
        .map_err(db_err)?;
        set_members(&txn, scope.org_id, team.id, &team.member_user_ids).await?;
        let created = get_team_in(&txn, scope.org_id, team.id).await?;
        txn.commit().await.map_err(db_err)?;
        self.scopes.invalidate();
        Ok(created)
    }

    /// Changes a team (admin only).
    ///
    /// # Errors
    /// [`DomainError::NotFound`]; [`DomainError::Forbidden`];
    /// [`DomainError::StaleVersion`]; [`DomainError::Validation`] on a cycle or
    /// unknown links; [`DomainError::Conflict`] on a taken name.
    pub async fn update_team(&self, scope: &Scope, id: Uuid, changes: TeamChanges, if_match: Option<i64>) -> Result<Team, DomainError> {
        require_admin(scope)?;
        let txn = self.begin_write().await?;
        lock_hierarchy(&txn, scope.org_id).await?;
        let current = lock_team(&txn, scope.org_id, id).await?;
        check_version(if_match, current.version)?;
        if changes.is_empty() {
            return get_team_in(&txn, scope.org_id, id).await;
        }
        let parent = changes.parent_team_id.unwrap_or(current.parent_team_id);
        let manager = changes.manager_user_id.unwrap_or(current.manager_user_id);
        check_links(&txn, scope.org_id, id, parent, manager).await?;
        if let Some(member_ids) = &changes.member_user_ids {
            set_members(&txn, scope.org_id, id, member_ids).await?;
        }
        let version = current.version;
        let mut model = current.into_active_model();
        if let Some(name) = changes.name {
            model.name = Set(name.into_string());
        }
        if let Some(kind) = changes.kind {
            model.kind = Set(kind.as_str().to_owned());
        }
        model.parent_team_id = Set(parent);
        model.manager_user_id = Set(manager);
        model.version = Set(version + 1);
        model.updated_at = Set(self.now());
        model.update(&txn).await.map_err(db_err)?;
        let updated = get_team_in(&txn, scope.org_id, id).await?;
        txn.commit().await.map_err(db_err)?;
        self.scopes.invalidate();
        Ok(updated)
    }

    /// Deletes a team without sub-teams (admin only); memberships go with it.
    ///
    /// # Errors
    /// [`DomainError::NotFound`]; [`DomainError::Forbidden`];
    /// [`DomainError::StaleVersion`]; [`DomainError::Conflict`] while sub-teams exist.
    pub async fn delete_team(&self, scope: &Scope, id: Uuid, if_match: Option<i64>) -> Result<(), DomainError> {
        require_admin(scope)?;
        let txn = self.begin_write().await?;
        lock_hierarchy(&txn, scope.org_id).await?;
        let current = lock_team(&txn, scope.org_id, id).await?;
        check_version(if_match, current.version)?;
        let children = teams::Entity::find()
            .filter(teams::Column::OrgId.eq(scope.org_id))
            .filter(teams::Column::ParentTeamId.eq(id))
            .count(&txn)
            .await
            .map_err(db_err)?;
        if children > 0 {
            return Err(DomainError::Conflict(
                "the team still has sub-teams; move or delete them first".into(),
            ));
        }
        team_members::Entity::delete_many()
            .filter(team_members::Column::TeamId.eq(id))
            .exec(&txn)
            .await
            .map_err(db_err)?;
        teams::Entity::delete_by_id(id).exec(&txn).await.map_err(db_err)?;
        txn.commit().await.map_err(db_err)?;
        self.scopes.invalidate();
        Ok(())
    }
}
