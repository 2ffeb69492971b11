//! Who is asking: the caller's scope reaches every repository call.

use uuid::Uuid;

use crate::error::DomainError;
use crate::user::Role;

/// The caller's identity and reach. Every repository method takes one, and
/// every query filters by `org_id`; `visible_team_ids` holds the caller's
/// teams and all their sub-teams (a manager sees records owned by members of
/// any of them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// Tenant of the caller.
    pub org_id: Uuid,
    /// The calling user.
    pub user_id: Uuid,
    /// The caller's role.
    pub role: Role,
    /// Teams the caller belongs to, plus their descendants.
    pub visible_team_ids: Vec<Uuid>,
}

impl Scope {
    /// Refuses roles that may not write sales records: viewers are
    /// read-only, marketing works on campaigns, leads and aggregates.
    ///
    /// # Errors
    /// [`DomainError::Forbidden`] for viewer and marketing.
    pub fn require_sales_writer(&self) -> Result<(), DomainError> {
        match self.role {
            Role::Viewer | Role::Marketing => Err(DomainError::Forbidden(format!(
                "the {} role cannot change opportunities, accounts, contacts or activities",
                self.role.as_str()
            ))),
            _ => Ok(()),
        }
    }

    /// True when the caller may administer the org (users, teams, settings).
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}
