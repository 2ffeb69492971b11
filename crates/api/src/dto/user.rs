//! User wire types.

use chrono::{DateTime, Utc};
use glassbox_domain::user::{NewUserInput, Role, User, UserPatchInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::org::OrgDto;

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleDto {
    /// Administers the org.
    Admin,
    /// Leads a team and its sub-teams.
    Manager,
    /// Sales representative.
    Rep,
    /// Presales engineer.
    Presales,
    /// Marketing.
    Marketing,
    /// Customer service.
    Service,
    /// Read-only, org-wide.
    Viewer,
}

impl From<RoleDto> for Role {
    fn from(r: RoleDto) -> Self {
        match r {
            RoleDto::Admin => Role::Admin,
            RoleDto::Manager => Role::Manager,
            RoleDto::Rep => Role::Rep,
            RoleDto::Presales => Role::Presales,
            RoleDto::Marketing => Role::Marketing,
            RoleDto::Service => Role::Service,
            RoleDto::Viewer => Role::Viewer,
        }
    }
}

impl From<Role> for RoleDto {
    fn from(r: Role) -> Self {
        match r {
            Role::Admin => RoleDto::Admin,
            Role::Manager => RoleDto::Manager,
            Role::Rep => RoleDto::Rep,
            Role::Presales => RoleDto::Presales,
            Role::Marketing => RoleDto::Marketing,
            Role::Service => RoleDto::Service,
            Role::Viewer => RoleDto::Viewer,
        }
    }
}

/// A user (never includes the password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    /// User id.
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// Email, lower-cased; unique per org.
    pub email: String,
    /// Role.
    pub role: RoleDto,
    /// Inactive users cannot sign in.
    pub active: bool,
    /// Teams the user belongs to.
    pub team_ids: Vec<Uuid>,
    /// Version, +1 per write; also the `ETag`.
    pub version: i64,
    /// Creation time (UTC).
    pub created_at: DateTime<Utc>,
    /// Last change (UTC).
    pub updated_at: DateTime<Utc>,
}

impl From<User> for UserDto {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            name: u.name,
            email: u.email,
            role: u.role.into(),
            active: u.active,
            team_ids: u.team_ids,
            version: u.version,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

/// A new user (admin only).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// Optional client-generated id (UUID).
    pub id: Option<Uuid>,
    /// Display name, 1–200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Email address.
    #[schema(format = "email", max_length = 254)]
    pub email: String,
    /// Role.
    pub role: RoleDto,
    /// Initial password, 12–1024 characters.
    #[schema(min_length = 12, max_length = 1024, format = "password")]
    pub password: String,
    /// Teams to join.
    #[serde(default)]
    #[validate(length(max = 100, message = "at most 100 teams"))]
    pub team_ids: Vec<Uuid>,
}

impl CreateUser {
    /// Borrowed raw input for the domain parser.
    pub fn input(&self) -> NewUserInput<'_> {
        NewUserInput {
            id: self.id,
            name: &self.name,
            email: &self.email,
            role: self.role.into(),
            password: &self.password,
            team_ids: self.team_ids.clone(),
        }
    }
}

/// Changes to a user; absent fields stay. A user may change their own
/// name, email and password; role, active and team_ids need an admin.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchUser {
    /// New display name.
    #[schema(min_length = 1, max_length = 200)]
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub name: Option<String>,
    /// New email.
    #[schema(format = "email", max_length = 254)]
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub email: Option<String>,
    /// New role.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub role: Option<RoleDto>,
    /// Activate or deactivate.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub active: Option<bool>,
    /// New password, 12–1024 characters.
    #[schema(min_length = 12, max_length = 1024, format = "password")]
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub password: Option<String>,
    /// Replaces the team memberships.
    #[validate(length(max = 100, message = "at most 100 teams"))]
    #[schema(max_items = 100)]
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub team_ids: Option<Vec<Uuid>>,
    /// The caller's current password; required when changing one's own password.
    #[schema(max_length = 1024, format = "password")]
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub current_password: Option<String>,
}

impl PatchUser {
    /// Borrowed raw input for the domain parser.
    pub fn input(&self) -> UserPatchInput<'_> {
        UserPatchInput {
            name: self.name.as_deref(),
            email: self.email.as_deref(),
            role: self.role.map(Into::into),
            active: self.active,
            password: self.password.as_deref(),
            team_ids: self.team_ids.clone(),
        }
    }
}

/// The signed-in user and their org.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeDto {
    /// The caller.
    pub user: UserDto,
    /// The caller's org.
    pub org: OrgDto,
    /// Teams whose records the caller can see (own teams, plus sub-teams for managers).
    pub visible_team_ids: Vec<Uuid>,
}
