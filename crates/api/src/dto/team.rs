//! Team wire types.

use chrono::{DateTime, Utc};
use glassbox_domain::team::{Team, TeamKind};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// The department a team belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TeamKindDto {
    /// Sales.
    Sales,
    /// Presales.
    Presales,
    /// Marketing.
    Marketing,
    /// Customer service.
    Service,
}

impl From<TeamKindDto> for TeamKind {
    fn from(k: TeamKindDto) -> Self {
        match k {
            TeamKindDto::Sales => TeamKind::Sales,
            TeamKindDto::Presales => TeamKind::Presales,
            TeamKindDto::Marketing => TeamKind::Marketing,
            TeamKindDto::Service => TeamKind::Service,
        }
    }
}

impl From<TeamKind> for TeamKindDto {
    fn from(k: TeamKind) -> Self {
        match k {
            TeamKind::Sales => TeamKindDto::Sales,
            TeamKind::Presales => TeamKindDto::Presales,
            TeamKind::Marketing => TeamKindDto::Marketing,
            TeamKind::Service => TeamKindDto::Service,
        }
    }
}

/// A team.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamDto {
    /// Team id.
    pub id: Uuid,
    /// Display name, unique per org.
    pub name: String,
    /// Department.
    pub kind: TeamKindDto,
    /// Parent team, or null for a top-level team.
    pub parent_team_id: Option<Uuid>,
    /// Manager, if any.
    pub manager_user_id: Option<Uuid>,
    /// Members.
    pub member_user_ids: Vec<Uuid>,
    /// Version, +1 per write; also the `ETag`.
    pub version: i64,
    /// Creation time (UTC).
    pub created_at: DateTime<Utc>,
    /// Last change (UTC).
    pub updated_at: DateTime<Utc>,
}

impl From<Team> for TeamDto {
    fn from(t: Team) -> Self {
        Self {
            id: t.id,
            name: t.name,
            kind: t.kind.into(),
            parent_team_id: t.parent_team_id,
            manager_user_id: t.manager_user_id,
            member_user_ids: t.member_user_ids,
            version: t.version,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// A new team (admin only).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTeam {
    /// Optional client-generated id.
    pub id: Option<Uuid>,
    /// Display name, unique per org.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Department.
    pub kind: TeamKindDto,
    /// Parent team.
    pub parent_team_id: Option<Uuid>,
    /// Manager.
    pub manager_user_id: Option<Uuid>,
    /// Members.
    #[serde(default)]
    #[validate(length(max = 1000, message = "at most 1000 members"))]
    pub member_user_ids: Vec<Uuid>,
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
fn nullable<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<Uuid>>, D::Error> {
    Option::<Uuid>::deserialize(d).map(Some)
}

/// Changes to a team; absent fields stay, `null` clears a link.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchTeam {
    /// New name.
    #[schema(min_length = 1, max_length = 200)]
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub name: Option<String>,
    /// New department.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub kind: Option<TeamKindDto>,
    /// New parent, or null for top level.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub parent_team_id: Option<Option<Uuid>>,
    /// New manager, or null for none.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub manager_user_id: Option<Option<Uuid>>,
    /// Replaces the member list.
    #[validate(length(max = 1000, message = "at most 1000 members"))]
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub member_user_ids: Option<Vec<Uuid>>,
}
