//! Wire forms of `/api/v1/analytics/*`.

use chrono::{DateTime, NaiveDate, Utc};
use glassbox_domain::DomainError;
use glassbox_domain::analytics::{AsOf, Funnel, Outcomes, StageConversion, StageRef, StalledOpportunity};
use glassbox_domain::money::format_minor;
use glassbox_domain::org::Currency;
use glassbox_domain::stats::round_to;
use glassbox_persistence::analytics::{Audience, Frame, ReportQuery};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::pipeline::StageKindDto;

/// Parses `as_of`: a date `YYYY-MM-DD` (the end of that day in the org's
/// time zone) or an RFC 3339 timestamp, years 1900 to 2999. Reports cap it
/// at now.
///
/// # Errors
/// [`DomainError::Validation`] on `as_of`.
pub fn parse_as_of(raw: Option<&str>) -> Result<Option<AsOf>, DomainError> {
    let Some(raw) = raw else { return Ok(None) };
    if raw.len() == 10 {
        return super::parse_date(raw)
            .map(|d| Some(AsOf::Date(d)))
            .map_err(|m| DomainError::invalid("as_of", "invalid_as_of", m));
    }
    let bad = || {
        DomainError::invalid(
            "as_of",
            "invalid_as_of",
            "a date YYYY-MM-DD or an RFC 3339 timestamp, years 1900 to 2999",
        )
    };
    let t = DateTime::parse_from_rfc3339(raw).map_err(|_| bad())?.with_timezone(&Utc);
    if (1900..=2999).contains(&chrono::Datelike::year(&t)) {
        Ok(Some(AsOf::Instant(t)))
    } else {
        Err(bad())
    }
}

/// `owner_id` or `team_id`, not both.
///
/// # Errors
/// [`DomainError::Validation`] on `team_id` when both are given.
pub fn audience(owner_id: Option<Uuid>, team_id: Option<Uuid>) -> Result<Audience, DomainError> {
    match (owner_id, team_id) {
        (Some(_), Some(_)) => Err(DomainError::invalid(
            "team_id",
            "conflicting_filters",
            "give owner_id or team_id, not both",
        )),
        (Some(o), None) => Ok(Audience::Owner(o)),
        (None, Some(t)) => Ok(Audience::Team(t)),
        (None, None) => Ok(Audience::Org),
    }
}

/// The report query of the common analytics parameters.
///
/// # Errors
/// [`DomainError::Validation`] on `team_id` (with `owner_id`) or `as_of`.
pub fn report_query(
    owner_id: Option<Uuid>,
    team_id: Option<Uuid>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    as_of: Option<&str>,
) -> Result<ReportQuery, DomainError> {
    Ok(ReportQuery {
        audience: audience(owner_id, team_id)?,
        from,
        to,
        as_of: parse_as_of(as_of)?,
    })
}

/// Funnel and stage-conversion parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FunnelParams {
    /// Pipeline; default the org's oldest.
    pub pipeline_id: Option<Uuid>,
    /// First day (YYYY-MM-DD, org time zone); default 364 days before `to`.
    #[serde(default, deserialize_with = "super::strict_date")]
    pub from: Option<NaiveDate>,
    /// Last day, included; default the day of `as_of`.
    #[serde(default, deserialize_with = "super::strict_date")]
    pub to: Option<NaiveDate>,
    /// Only deals owned by this user.
    pub owner_id: Option<Uuid>,
    /// Only deals owned by members of this team or its sub-teams.
    pub team_id: Option<Uuid>,
    /// Read history as it stood then: a date (end of that day, org time
    /// zone) or an RFC 3339 timestamp; default now, and a later instant
    /// reads now.
    pub as_of: Option<String>,
}

impl FunnelParams {
    /// The persistence query.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `as_of` or `team_id`.
    pub fn query(&self) -> Result<glassbox_persistence::analytics::FunnelQuery, DomainError> {
        Ok(glassbox_persistence::analytics::FunnelQuery {
            pipeline_id: self.pipeline_id,
            report: report_query(self.owner_id, self.team_id, self.from, self.to, self.as_of.as_deref())?,
            source: glassbox_persistence::analytics::Source::Auto,
        })
    }
}

pub(crate) fn ratio(r: Option<f64>) -> Option<f64> {
    r.map(|r| round_to(r, 4))
}

/// Deals by where they stood at `as_of`.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomesDto {
    /// All deals counted.
    pub count: u64,
    /// In a won stage.
    pub won: u64,
    /// In a lost stage.
    pub lost: u64,
    /// In an open stage.
    pub open: u64,
    /// `won / (won + lost)` (closed-deal win rate), 4 decimals; null when
    /// none closed.
    pub win_rate: Option<f64>,
}

impl From<Outcomes> for OutcomesDto {
    fn from(o: Outcomes) -> Self {
        Self {
            count: o.total(),
            won: o.won,
            lost: o.lost,
            open: o.open,
            win_rate: ratio(o.closed().win_rate()),
        }
    }
}

/// An exact amount in one currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct CurrencyAmountDto {
    /// ISO 4217 code.
    pub currency: String,
    /// Decimal string.
    #[schema(example = "1234.50")]
    pub amount: String,
}

pub(crate) fn amounts(list: &[(String, i128)]) -> Vec<CurrencyAmountDto> {
    list.iter()
        .map(|(currency, minor)| CurrencyAmountDto {
            amount: format_minor(*minor, Currency::parse("currency", currency).map(|c| c.exponent()).unwrap_or(2)),
            currency: currency.clone(),
        })
        .collect()
}

/// One funnel step.
#[derive(Debug, Serialize, ToSchema)]
pub struct FunnelStageDto {
    /// Stage id.
    pub stage_id: Uuid,
    /// Name.
    pub name: String,
    /// Position, 1-based.
    pub position: i32,
    /// Open, won or lost.
    pub kind: StageKindDto,
    /// Cohort deals that entered the stage (once each; re-entries do not
    /// count twice; a deal that skipped it has not reached it).
    pub reached: u64,
    /// The part of their amounts already in the org's base currency
    /// (decimal string); other currencies are listed in `amounts`, not
    /// converted (forecasts convert at close-day rates).
    pub amount: String,
    /// Their amounts per currency, base currency included; no conversion.
    pub amounts: Vec<CurrencyAmountDto>,
    /// Of those, deals that later entered any stage further down (lost
    /// stages excepted).
    pub advanced: u64,
    /// `advanced / reached`, 4 decimals; null for won and lost stages.
    pub conversion_to_next: Option<f64>,
    /// Where the deals that reached the stage stood at `as_of`; its
    /// `win_rate` is the win rate from this stage.
    pub outcomes: OutcomesDto,
    /// Median whole days of the finished stays in the stage (elapsed
    /// seconds rounded to the second, / 86,400, rounded down; median by
    /// Hyndman & Fan definition 7, so it may end in .5); null without one.
    pub median_days: Option<f64>,
}

/// The funnel of the deals created in the window.
#[derive(Debug, Serialize, ToSchema)]
pub struct FunnelDto {
    /// Pipeline.
    pub pipeline_id: Uuid,
    /// First day of the creation window.
    pub from: NaiveDate,
    /// Last day, included.
    pub to: NaiveDate,
    /// History read as it stood at this instant.
    pub as_of: DateTime<Utc>,
    /// The org's base currency.
    pub currency: String,
    /// The whole cohort; `win_rate` is the overall win rate.
    pub cohort: OutcomesDto,
    /// Steps in pipeline order.
    pub stages: Vec<FunnelStageDto>,
}

impl FunnelDto {
    /// The wire form, with amounts picked in `base` currency.
    pub fn new(f: Funnel, frame: Frame, base: &str) -> Self {
        let exponent = Currency::parse("currency", base).map(|c| c.exponent()).unwrap_or(2);
        Self {
            pipeline_id: frame.pipeline_id,
            from: frame.window.from,
            to: frame.window.to,
            as_of: frame.as_of,
            currency: base.to_owned(),
            cohort: f.outcomes.into(),
            stages: f
                .stages
                .into_iter()
                .map(|s| FunnelStageDto {
                    conversion_to_next: ratio(s.conversion_to_next()),
                    amount: format_minor(s.amounts.iter().filter(|(c, _)| c == base).map(|(_, m)| m).sum(), exponent),
                    amounts: amounts(&s.amounts),
                    stage_id: s.stage.id,
                    name: s.stage.name,
                    position: s.stage.position,
                    kind: s.stage.kind.into(),
                    reached: s.reached,
                    advanced: s.advanced,
                    outcomes: s.outcomes.into(),
                    median_days: s.median_days.map(|d| round_to(d, 2)),
                })
                .collect(),
        }
    }
}

/// Outcomes of the deals that entered one stage in the window.
#[derive(Debug, Serialize, ToSchema)]
pub struct StageOutcomeDto {
    /// Stage id.
    pub stage_id: Uuid,
    /// Name.
    pub name: String,
    /// Position, 1-based.
    pub position: i32,
    /// Open, won or lost.
    pub kind: StageKindDto,
    /// Deals that entered the stage, by where they stood at `as_of`.
    pub outcomes: OutcomesDto,
    /// `won / count`: the history-based probability that a deal entering
    /// the stage is won, 4 decimals.
    pub won_share: Option<f64>,
    /// `lost / count`, 4 decimals.
    pub lost_share: Option<f64>,
    /// `open / count`, 4 decimals.
    pub open_share: Option<f64>,
}

/// Moves from one stage to another.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionDto {
    /// Stage left.
    pub from_stage_id: Uuid,
    /// Stage entered.
    pub to_stage_id: Uuid,
    /// Moves entered in the window.
    pub count: u64,
}

/// Stage conversion over a window.
#[derive(Debug, Serialize, ToSchema)]
pub struct StageConversionDto {
    /// Pipeline.
    pub pipeline_id: Uuid,
    /// First day of the window (stage entries).
    pub from: NaiveDate,
    /// Last day, included.
    pub to: NaiveDate,
    /// History read as it stood at this instant.
    pub as_of: DateTime<Utc>,
    /// Per stage, in pipeline order.
    pub stages: Vec<StageOutcomeDto>,
    /// The transition matrix as a list of non-zero cells, ordered by the
    /// positions of the stages left and entered.
    pub transitions: Vec<TransitionDto>,
}

fn stage_outcome(stage: StageRef, o: Outcomes) -> StageOutcomeDto {
    StageOutcomeDto {
        won_share: ratio(o.share(o.won)),
        lost_share: ratio(o.share(o.lost)),
        open_share: ratio(o.share(o.open)),
        stage_id: stage.id,
        name: stage.name,
        position: stage.position,
        kind: stage.kind.into(),
        outcomes: o.into(),
    }
}

impl StageConversionDto {
    /// The wire form.
    pub fn new(c: StageConversion, frame: Frame) -> Self {
        Self {
            pipeline_id: frame.pipeline_id,
            from: frame.window.from,
            to: frame.window.to,
            as_of: frame.as_of,
            stages: c.stages.into_iter().map(|s| stage_outcome(s.stage, s.outcomes)).collect(),
            transitions: c
                .transitions
                .into_iter()
                .map(|t| TransitionDto {
                    from_stage_id: t.from_stage_id,
                    to_stage_id: t.to_stage_id,
                    count: t.count,
                })
                .collect(),
        }
    }
}

/// Stalled-deal parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StalledParams {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
    /// Only deals owned by this user.
    pub owner_id: Option<Uuid>,
    /// Only deals owned by members of this team or its sub-teams.
    pub team_id: Option<Uuid>,
    /// Read history as it stood then (date or RFC 3339); default now, and a
    /// later instant reads now.
    pub as_of: Option<String>,
}

/// An open deal past its stage's threshold.
#[derive(Debug, Serialize, ToSchema)]
pub struct StalledOpportunityDto {
    /// The deal.
    pub opportunity_id: Uuid,
    /// Its name.
    pub name: String,
    /// Its owner.
    pub owner_id: Uuid,
    /// The stage it sits in.
    pub stage_id: Uuid,
    /// When it entered the stage.
    pub stage_entered_at: DateTime<Utc>,
    /// Days in the stage at `as_of`, 2 decimals.
    pub days_in_stage: f64,
    /// Threshold passed, in days, 2 decimals.
    pub threshold_days: f64,
    /// `rotting_days` (the stage's setting) or `won_p80` (80th percentile of
    /// the days won deals spent in the stage, used when the stage has no
    /// `rotting_days`).
    #[schema(example = "rotting_days")]
    pub rule: String,
    /// Latest activity that happened by `as_of`.
    pub last_activity_at: Option<DateTime<Utc>>,
}

impl From<StalledOpportunity> for StalledOpportunityDto {
    fn from(s: StalledOpportunity) -> Self {
        Self {
            opportunity_id: s.opportunity_id,
            name: s.name,
            owner_id: s.owner_id,
            stage_id: s.stage_id,
            stage_entered_at: s.stage_entered_at,
            days_in_stage: round_to(s.days_in_stage, 2),
            threshold_days: round_to(s.threshold_days, 2),
            rule: s.rule.as_str().to_owned(),
            last_activity_at: s.last_activity_at,
        }
    }
}

/// One page of stalled deals.
#[derive(Debug, Serialize, ToSchema)]
pub struct StalledPage {
    /// Deals, longest in stage first.
    pub data: Vec<StalledOpportunityDto>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}
