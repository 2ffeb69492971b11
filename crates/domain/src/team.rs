//! Teams: a hierarchy of sales, presales, marketing and service groups.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::{DomainError, Errors};
use crate::org::Name;
use crate::user::dedup;

/// The department a team belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TeamKind {
    /// Sells.
    Sales,
    /// Answers presales handoff tasks (demos, technical questions).
    Presales,
    /// Generates leads, runs campaigns.
    Marketing,
    /// Onboards and supports customers.
    Service,
}

impl TeamKind {
    /// Every kind.
    pub const ALL: [TeamKind; 4] = [TeamKind::Sales, TeamKind::Presales, TeamKind::Marketing, TeamKind::Service];

    /// The wire and storage name.
    pub fn as_str(&self) -> &'static str {
        match self {
            TeamKind::Sales => "sales",
            TeamKind::Presales => "presales",
            TeamKind::Marketing => "marketing",
            TeamKind::Service => "service",
        }
    }

    /// Parses the wire and storage name.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `field` with code `unknown_team_kind`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw)
            .ok_or_else(|| DomainError::invalid(field, "unknown_team_kind", format!("`{raw}` is not a team kind")))
    }
}

/// A team with its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    /// Team id.
    pub id: Uuid,
    /// Tenant.
    pub org_id: Uuid,
    /// Display name.
    pub name: String,
    /// Department.
    pub kind: TeamKind,
    /// Parent team; `None` for a top-level team.
    pub parent_team_id: Option<Uuid>,
    /// The team's manager, if any.
    pub manager_user_id: Option<Uuid>,
    /// Member user ids.
    pub member_user_ids: Vec<Uuid>,
    /// Optimistic-concurrency version.
    pub version: i64,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
    /// Last write instant.
    pub updated_at: DateTime<Utc>,
}

/// A validated new team.
#[derive(Debug, Clone)]
pub struct NewTeam {
    /// Client-supplied or generated id.
    pub id: Uuid,
    /// Display name, unique per org.
    pub name: Name,
    /// Department.
    pub kind: TeamKind,
    /// Parent team.
    pub parent_team_id: Option<Uuid>,
    /// Manager.
    pub manager_user_id: Option<Uuid>,
    /// Members.
    pub member_user_ids: Vec<Uuid>,
}

impl NewTeam {
    /// Checks the fields and reports all offending ones together.
    ///
    /// # Errors
    /// [`DomainError::Validation`] listing each invalid field.
    pub fn parse(
        id: Option<Uuid>,
        name: &str,
        kind: TeamKind,
        parent_team_id: Option<Uuid>,
        manager_user_id: Option<Uuid>,
        member_user_ids: Vec<Uuid>,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            id: crate::id::new_record_id("id", id)?,
            name: Name::parse("name", name)?,
            kind,
            parent_team_id,
            manager_user_id,
            member_user_ids: dedup(member_user_ids),
        })
    }
}

/// Validated changes to a team. For the nullable links, `Some(None)` clears
/// the link and `None` leaves it as it is.
#[derive(Debug, Clone, Default)]
pub struct TeamChanges {
    /// New name.
    pub name: Option<Name>,
    /// New kind.
    pub kind: Option<TeamKind>,
    /// New parent (or none).
    pub parent_team_id: Option<Option<Uuid>>,
    /// New manager (or none).
    pub manager_user_id: Option<Option<Uuid>>,
    /// Replaces the member list.
    pub member_user_ids: Option<Vec<Uuid>>,
}

impl TeamChanges {
    /// True when no field is to change (the write is skipped, the version kept).
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.kind.is_none()
            && self.parent_team_id.is_none()
            && self.manager_user_id.is_none()
            && self.member_user_ids.is_none()
    }

    /// Checks the given fields and reports all offending ones together.
    ///
    /// # Errors
    /// [`DomainError::Validation`] listing each invalid field.
    pub fn parse(
        name: Option<&str>,
        kind: Option<TeamKind>,
        parent_team_id: Option<Option<Uuid>>,
        manager_user_id: Option<Option<Uuid>>,
        member_user_ids: Option<Vec<Uuid>>,
    ) -> Result<Self, DomainError> {
        let mut errors = Errors::new();
        let changes = Self {
            name: name.and_then(|v| errors.take(Name::parse("name", v))),
            kind,
            parent_team_id,
            manager_user_id,
            member_user_ids: member_user_ids.map(dedup),
        };
        errors.finish()?;
        Ok(changes)
    }
}

/// The given teams plus every team below them, from `(team, parent)` edges.
/// Output is sorted and free of repeats; cycles in bad data cannot loop.
pub fn with_descendants(roots: &[Uuid], edges: &[(Uuid, Option<Uuid>)]) -> Vec<Uuid> {
    let mut children: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (team, parent) in edges {
        if let Some(parent) = parent {
            children.entry(*parent).or_default().push(*team);
        }
    }
    let mut seen: HashSet<Uuid> = HashSet::new();
    let mut stack: Vec<Uuid> = roots.to_vec();
    while let Some(team) = stack.pop() {
        if seen.insert(team) {
            stack.extend(children.get(&team).into_iter().flatten().copied());
        }
    }
    let mut out: Vec<Uuid> = seen.into_iter().collect();
    out.sort();
    out
}

/// Checks that making `parent` the parent of `team` keeps the hierarchy a
/// tree (a team cannot sit below itself).
///
/// # Errors
/// [`DomainError::Validation`] on `parent_team_id` with code `cycle`.
pub fn check_parent(team: Uuid, parent: Option<Uuid>, edges: &[(Uuid, Option<Uuid>)]) -> Result<(), DomainError> {
    let Some(parent) = parent else { return Ok(()) };
    if with_descendants(&[team], edges).contains(&parent) {
        return Err(DomainError::invalid(
            "parent_team_id",
            "cycle",
            "a team cannot be placed below itself or one of its sub-teams",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> [Uuid; 4] {
        [Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7()]
    }

    #[test]
    fn descendants_follow_the_whole_subtree() {
        let [region, east, west, other] = ids();
        let edges = vec![(region, None), (east, Some(region)), (west, Some(east)), (other, None)];
        let mut expected = vec![region, east, west];
        expected.sort();
        assert_eq!(with_descendants(&[region], &edges), expected);
        assert_eq!(with_descendants(&[other], &edges), vec![other]);
    }

    #[test]
    fn cycles_are_refused_and_do_not_hang() {
        let [a, b, c, _] = ids();
        let edges = vec![(a, None), (b, Some(a)), (c, Some(b))];
        assert!(check_parent(a, Some(c), &edges).is_err());
        assert!(check_parent(a, Some(a), &edges).is_err());
        assert!(check_parent(c, Some(a), &edges).is_ok());
        let looped = vec![(a, Some(b)), (b, Some(a))];
        assert_eq!(with_descendants(&[a], &looped).len(), 2);
    }
}
