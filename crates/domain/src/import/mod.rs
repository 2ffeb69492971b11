//! Bulk import of records from files: the plan an importer produces and the
//! per-row problems it reports.
//!
//! An importer reads its source, checks every row with the same rules the API
//! applies, and returns an [`ImportPlan`]: records keyed by their natural or
//! external keys (team name, user email, product name, account and
//! opportunity external id), in an order where every reference points to an
//! earlier record or to one already stored. Storage resolves the keys, skips
//! records that already exist (so re-running an import changes nothing) and
//! writes the rest in one transaction. Rows that break a rule are not in the
//! plan; each one is a [`RowProblem`].

use chrono::{DateTime, NaiveDate, TimeZone as _, Utc};

use crate::org::TimeZone;
use crate::pipeline::NewStage;
use crate::team::TeamKind;
use crate::user::{Email, Role};

pub mod crm_sample;
mod table;

pub use table::FileError;

/// A row an importer could not take, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// File name, e.g. `sales_pipeline.csv`.
    pub file: String,
    /// 1-based line of the record in the file (the header is line 1).
    pub line: u64,
    /// The row's key (e.g. its opportunity id), empty when it has none.
    pub key: String,
    /// What is wrong, naming the column.
    pub reason: String,
}

/// A team to create unless one of that name exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedTeam {
    /// Name, the team's key.
    pub name: String,
    /// Kind.
    pub kind: TeamKind,
    /// Parent team's name (planned earlier or stored).
    pub parent: Option<String>,
    /// Manager's email (a planned or stored user).
    pub manager: Option<Email>,
}

/// A user to create unless one with that email exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedUser {
    /// Display name.
    pub name: String,
    /// Email, the user's key.
    pub email: Email,
    /// Role.
    pub role: Role,
    /// Team to join, by name.
    pub team: Option<String>,
}

/// A product to create unless one of that name exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedProduct {
    /// Name, the product's key.
    pub name: String,
    /// List price in minor units of `currency`.
    pub list_price_minor: i64,
    /// ISO 4217 code.
    pub currency: &'static str,
}

/// An account to create unless one with that external id exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedAccount {
    /// External id, the account's key.
    pub external_id: String,
    /// Name.
    pub name: String,
    /// Parent account's external id (planned earlier or stored).
    pub parent: Option<String>,
    /// Industry, as given.
    pub industry: Option<String>,
    /// Head count.
    pub employees: Option<i32>,
    /// Annual revenue in minor units of `currency`.
    pub annual_revenue_minor: Option<i64>,
    /// ISO 4217 code of the revenue.
    pub currency: &'static str,
    /// Owner's email.
    pub owner: Email,
}

/// A pipeline to create unless one of that name exists (its stages are then
/// matched by name).
#[derive(Debug, Clone)]
pub struct PlannedPipeline {
    /// Name, the pipeline's key.
    pub name: String,
    /// Stages in order.
    pub stages: Vec<NewStage>,
}

/// One stage entry of an imported opportunity's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedStageEntry {
    /// Stage name in the planned pipeline.
    pub stage: String,
    /// When the opportunity entered it (it left it when the next entry began).
    pub entered_at: DateTime<Utc>,
}

/// An opportunity to create unless one with that external id exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedOpportunity {
    /// External id, the opportunity's key.
    pub external_id: String,
    /// Name.
    pub name: String,
    /// Owner's email.
    pub owner: Email,
    /// Product name.
    pub product: String,
    /// Account external id.
    pub account: Option<String>,
    /// Amount in minor units of `currency`.
    pub amount_minor: i64,
    /// ISO 4217 code.
    pub currency: &'static str,
    /// Expected or actual close date (org-local).
    pub close_date: Option<NaiveDate>,
    /// Creation instant (the first history entry).
    pub created_at: DateTime<Utc>,
    /// Stage history, oldest first; the last entry is the current stage.
    pub history: Vec<PlannedStageEntry>,
    /// Set when the last entry is a won or lost stage: its entry instant.
    pub closed_at: Option<DateTime<Utc>>,
}

/// Everything an importer wants stored, plus the rows it refused.
#[derive(Debug, Clone)]
pub struct ImportPlan {
    /// Teams, parents first.
    pub teams: Vec<PlannedTeam>,
    /// Users (managers before the teams that name them are written).
    pub users: Vec<PlannedUser>,
    /// Products.
    pub products: Vec<PlannedProduct>,
    /// Accounts, parents first.
    pub accounts: Vec<PlannedAccount>,
    /// The pipeline the opportunities live in.
    pub pipeline: PlannedPipeline,
    /// Opportunities.
    pub opportunities: Vec<PlannedOpportunity>,
    /// Refused rows, in file order.
    pub problems: Vec<RowProblem>,
    /// The date undated rows were placed at, if there were dates at all.
    pub reference_date: Option<NaiveDate>,
}

/// The instant an org-local calendar date begins: local midnight, or the
/// first instant after it when a DST gap skips midnight (as in
/// America/Santiago). Dates in a file are org-local; storage is UTC.
pub fn start_of_day(date: NaiveDate, tz: TimeZone) -> DateTime<Utc> {
    let zone = tz.tz();
    let first = (0..24).find_map(|hour| {
        let local = date.and_hms_opt(hour, 0, 0)?;
        zone.from_local_datetime(&local).earliest()
    });
    match (first, date.succ_opt()) {
        (Some(t), _) => t.with_timezone(&Utc),
        // A day the zone skipped whole (Pacific/Apia, 2011-12-30) has no
        // length: it starts where the next day starts.
        (None, Some(next)) => start_of_day(next, tz),
        (None, None) => date.and_time(chrono::NaiveTime::MIN).and_utc(),
    }
}

/// The key names are matched by: lowercase letters and digits only, so
/// `GTXPro`, `GTX Pro` and `gtx-pro` are one product. An importer resolves a
/// name to a record through this key only when exactly one record has it.
pub fn match_key(name: &str) -> String {
    name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_of_day_is_local_midnight_in_utc() {
        let d = NaiveDate::from_ymd_opt(2017, 3, 1).unwrap_or_default();
        let utc = TimeZone::parse("tz", "UTC").map(|tz| start_of_day(d, tz)).ok();
        assert_eq!(utc.map(|t| t.to_rfc3339()), Some("2017-03-01T00:00:00+00:00".into()));
        let berlin = TimeZone::parse("tz", "Europe/Berlin").map(|tz| start_of_day(d, tz)).ok();
        assert_eq!(berlin.map(|t| t.to_rfc3339()), Some("2017-02-28T23:00:00+00:00".into()));
    }

    #[test]
    fn start_of_day_skips_a_midnight_dst_gap() {
        // Chile moved clocks from 00:00 to 01:00 on 2017-08-13.
        let d = NaiveDate::from_ymd_opt(2017, 8, 13).unwrap_or_default();
        let t = TimeZone::parse("tz", "America/Santiago").map(|tz| start_of_day(d, tz)).ok();
        assert_eq!(t.map(|t| t.to_rfc3339()), Some("2017-08-13T04:00:00+00:00".into()));
    }

    #[test]
    fn a_skipped_day_starts_where_the_next_day_starts() {
        // Samoa skipped 2011-12-30 when it moved across the date line.
        let d = NaiveDate::from_ymd_opt(2011, 12, 30).unwrap_or_default();
        let t = TimeZone::parse("tz", "Pacific/Apia").map(|tz| start_of_day(d, tz)).ok();
        assert_eq!(t.map(|t| t.to_rfc3339()), Some("2011-12-30T10:00:00+00:00".into()));
    }

    #[test]
    fn match_key_ignores_case_spaces_and_punctuation() {
        assert_eq!(match_key("GTXPro"), match_key("GTX Pro"));
        assert_eq!(match_key("gtx-pro"), "gtxpro");
        assert_ne!(match_key("GTX Plus Pro"), match_key("GTX Pro"));
    }
}
