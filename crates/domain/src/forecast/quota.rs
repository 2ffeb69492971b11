//! Quotas: the amount a rep or a team is expected to win in a fiscal period.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::period::FiscalPeriod;
use crate::DomainError;

/// Whose quota it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuotaTarget {
    /// A user (a rep, or a manager with their own number).
    User(Uuid),
    /// A team; when a team has none for a period, its quota is the sum of
    /// its members' quotas.
    Team(Uuid),
}

impl QuotaTarget {
    /// The target of a request naming exactly one of `user_id` and
    /// `team_id`; `None` when neither is given and `optional`.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `user_id` with code `one_target`.
    pub fn from_ids(user_id: Option<Uuid>, team_id: Option<Uuid>, optional: bool) -> Result<Option<Self>, DomainError> {
        match (user_id, team_id) {
            (Some(u), None) => Ok(Some(Self::User(u))),
            (None, Some(t)) => Ok(Some(Self::Team(t))),
            (None, None) if optional => Ok(None),
            _ => Err(DomainError::invalid(
                "user_id",
                "one_target",
                "give exactly one of user_id and team_id",
            )),
        }
    }

    /// `(user_id, team_id)`, one of them set.
    pub fn ids(&self) -> (Option<Uuid>, Option<Uuid>) {
        match *self {
            Self::User(id) => (Some(id), None),
            Self::Team(id) => (None, Some(id)),
        }
    }

    /// Stored form: `("user" | "team", id)`.
    pub fn stored(&self) -> (&'static str, Uuid) {
        match *self {
            Self::User(id) => ("user", id),
            Self::Team(id) => ("team", id),
        }
    }

    /// From the stored form (anything but `team` is a user).
    pub fn from_stored(kind: &str, id: Uuid) -> Self {
        if kind == "team" { Self::Team(id) } else { Self::User(id) }
    }
}

/// A quota for one fiscal period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quota {
    /// Id.
    pub id: Uuid,
    /// Owning org.
    pub org_id: Uuid,
    /// Whose.
    pub target: QuotaTarget,
    /// The period, labelled as when it was set.
    pub period: FiscalPeriod,
    /// Its first local day (fixed when set: a later change of the fiscal
    /// year start does not move stored quotas).
    pub first_day: NaiveDate,
    /// Its last local day, included.
    pub last_day: NaiveDate,
    /// Amount in minor units of `currency`.
    pub amount_minor: i64,
    /// ISO 4217 currency.
    pub currency: String,
    /// Optimistic-concurrency version.
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl Quota {
    /// Whether two quotas of one target and one period length would
    /// count the same days twice.
    pub fn overlaps(&self, other: &Quota) -> bool {
        self.target == other.target
            && self.period.kind == other.period.kind
            && self.first_day <= other.last_day
            && other.first_day <= self.last_day
    }
}
