//! Opportunity wire types.

use chrono::{DateTime, NaiveDate, Utc};
use glassbox_domain::DomainError;
use glassbox_domain::error::Errors;
use glassbox_domain::money::{Money, format_minor};
use glassbox_domain::opportunity::{Opportunity, OpportunityChanges};
use glassbox_domain::org::{Currency, Name, optional_text};
use glassbox_domain::page::PageRequest;
use glassbox_persistence::opportunities::{FieldHistoryRow, OpportunityFilter, OpportunityKey, OpportunityTotal, StageHistoryRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::pipeline::{ForecastCategoryDto, StageKindDto};

/// Longest opportunity name, in characters.
pub const NAME_MAX: usize = 255;

/// Formats stored minor units of `currency` as a decimal string.
pub fn amount_string(minor: i64, currency: &str) -> String {
    let exponent = Currency::parse("currency", currency).map(|c| c.exponent()).unwrap_or(2);
    format_minor(i128::from(minor), exponent)
}

/// An opportunity (deal).
#[derive(Debug, Serialize, ToSchema)]
pub struct OpportunityDto {
    /// Id.
    pub id: Uuid,
    /// Deal name.
    pub name: String,
    /// Customer account.
    pub account_id: Option<Uuid>,
    /// Owning rep.
    pub owner_id: Uuid,
    /// Pipeline.
    pub pipeline_id: Uuid,
    /// Current stage.
    pub stage_id: Uuid,
    /// Open, won or lost (the current stage's kind).
    pub status: StageKindDto,
    /// Amount as an exact decimal string in `currency`.
    #[schema(example = "1054.00", pattern = "^[0-9]+(\\.[0-9]+)?$")]
    pub amount: Option<String>,
    /// ISO 4217 currency.
    #[schema(example = "USD")]
    pub currency: String,
    /// Expected (open) or actual (closed) close date, org-local.
    pub close_date: Option<NaiveDate>,
    /// Forecast category.
    pub forecast_category: ForecastCategoryDto,
    /// Next step.
    pub next_step: Option<String>,
    /// Lead source.
    pub lead_source: Option<String>,
    /// Campaign.
    pub campaign_id: Option<Uuid>,
    /// Main product.
    pub product_id: Option<Uuid>,
    /// Why it was lost.
    pub loss_reason: Option<String>,
    /// When it closed (entered won or lost); null while open.
    pub closed_at: Option<DateTime<Utc>>,
    /// When it entered its current stage.
    pub stage_entered_at: DateTime<Utc>,
    /// Latest activity on it.
    pub last_activity_at: Option<DateTime<Utc>>,
    /// Id in an external system; unique per org.
    pub external_id: Option<String>,
    /// Version; also the ETag.
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<Opportunity> for OpportunityDto {
    fn from(o: Opportunity) -> Self {
        Self {
            amount: o.amount_minor.map(|m| amount_string(m, &o.currency)),
            id: o.id,
            name: o.name,
            account_id: o.account_id,
            owner_id: o.owner_id,
            pipeline_id: o.pipeline_id,
            stage_id: o.stage_id,
            status: o.status.into(),
            currency: o.currency,
            close_date: o.close_date,
            forecast_category: o.forecast_category.into(),
            next_step: o.next_step,
            lead_source: o.lead_source,
            campaign_id: o.campaign_id,
            product_id: o.product_id,
            loss_reason: o.loss_reason,
            closed_at: o.closed_at,
            stage_entered_at: o.stage_entered_at,
            last_activity_at: o.last_activity_at,
            external_id: o.external_id,
            version: o.version,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

/// Fields shared by create and patch bodies, in raw form.
struct RawFields<'a> {
    name: Option<&'a str>,
    amount: Option<Option<&'a str>>,
    currency: Option<&'a str>,
    next_step: Option<Option<&'a str>>,
    lead_source: Option<Option<&'a str>>,
    loss_reason: Option<Option<&'a str>>,
    external_id: Option<Option<&'a str>>,
}

/// Parses the text and money fields; `amount_currency` is the currency the
/// amount is in (the request's, else the record's or org's).
fn parse_fields(raw: RawFields<'_>, amount_currency: &str, changes: &mut OpportunityChanges) -> Result<(), DomainError> {
    let mut errors = Errors::new();
    let currency = errors.take(Currency::parse(
        if raw.currency.is_some() { "currency" } else { "amount" },
        amount_currency,
    ));
    if let Some(name) = raw.name {
        changes.name = errors.take(Name::parse_max("name", name, NAME_MAX)).map(Name::into_string);
    }
    if let Some(c) = raw.currency {
        changes.currency = currency.map(|_| c.to_owned());
    }
    if let (Some(amount), Some(currency)) = (raw.amount, currency) {
        changes.amount_minor = match amount {
            None => Some(None),
            Some(a) => errors.take(Money::parse_amount("amount", a, currency)).map(|m| Some(m.minor())),
        };
    }
    let mut text = |value: Option<Option<&str>>, field: &str, max: usize, multiline: bool| {
        value.and_then(|v| errors.take(optional_text(field, v, max, multiline)))
    };
    changes.next_step = text(raw.next_step, "next_step", 1000, true);
    changes.lead_source = text(raw.lead_source, "lead_source", 255, false);
    changes.loss_reason = text(raw.loss_reason, "loss_reason", 1000, true);
    changes.external_id = text(raw.external_id, "external_id", 255, false);
    errors.finish()
}

/// A new opportunity. Omitted `owner_id` is the caller; omitted pipeline and
/// stage are the org's first pipeline and its first stage; omitted currency
/// is the org's base currency.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOpportunity {
    /// Optional client id.
    pub id: Option<Uuid>,
    /// Deal name, 1–255 characters.
    #[schema(min_length = 1, max_length = 255)]
    pub name: String,
    /// Account.
    pub account_id: Option<Uuid>,
    /// Owner (default: the caller).
    pub owner_id: Option<Uuid>,
    /// Pipeline (default: the org's first).
    pub pipeline_id: Option<Uuid>,
    /// Stage (default: the pipeline's first).
    pub stage_id: Option<Uuid>,
    /// Exact decimal string, at most the currency's fraction digits.
    #[schema(example = "1054.00", pattern = "^[0-9]+(\\.[0-9]+)?$")]
    pub amount: Option<String>,
    /// ISO 4217 currency (default: the org's base currency).
    #[schema(example = "USD", pattern = "^[A-Z]{3}$")]
    pub currency: Option<String>,
    /// Expected close date.
    #[serde(default, deserialize_with = "super::strict_date")]
    pub close_date: Option<NaiveDate>,
    /// Forecast category (default: the stage's).
    pub forecast_category: Option<ForecastCategoryDto>,
    /// Next step.
    #[schema(max_length = 1000)]
    pub next_step: Option<String>,
    /// Lead source.
    #[schema(max_length = 255)]
    pub lead_source: Option<String>,
    /// Campaign.
    pub campaign_id: Option<Uuid>,
    /// Product.
    pub product_id: Option<Uuid>,
    /// Loss reason (needed when created in a lost stage).
    #[schema(max_length = 1000)]
    pub loss_reason: Option<String>,
    /// External id, unique per org.
    #[schema(max_length = 255)]
    pub external_id: Option<String>,
}

impl CreateOpportunity {
    /// Validated id and fields.
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming every bad field.
    pub fn parse(&self, base_currency: &str) -> Result<(Uuid, String, OpportunityChanges), DomainError> {
        let id = glassbox_domain::id::new_record_id("id", self.id)?;
        let mut changes = OpportunityChanges {
            account_id: Some(self.account_id),
            close_date: Some(self.close_date),
            forecast_category: self.forecast_category.map(Into::into),
            campaign_id: Some(self.campaign_id),
            product_id: Some(self.product_id),
            currency: Some(base_currency.to_owned()),
            ..Default::default()
        };
        let currency = self.currency.as_deref().unwrap_or(base_currency);
        parse_fields(
            RawFields {
                name: Some(&self.name),
                amount: Some(self.amount.as_deref()),
                currency: self.currency.as_deref(),
                next_step: Some(self.next_step.as_deref()),
                lead_source: Some(self.lead_source.as_deref()),
                loss_reason: Some(self.loss_reason.as_deref()),
                external_id: Some(self.external_id.as_deref()),
            },
            currency,
            &mut changes,
        )?;
        let name = changes.name.take().unwrap_or_default();
        Ok((id, name, changes))
    }
}

/// Changes to an opportunity. A new `stage_id` moves the deal (stage
/// history, closed_at, gates); `null` clears a nullable field. Changing
/// `currency` needs `amount` in the same request.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchOpportunity {
    /// New name.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false, min_length = 1, max_length = 255)]
    pub name: Option<String>,
    /// New account or null.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub account_id: Option<Option<Uuid>>,
    /// New owner.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub owner_id: Option<Uuid>,
    /// New stage (in the same pipeline).
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub stage_id: Option<Uuid>,
    /// New amount or null.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<String>, example = "1054.00", pattern = "^[0-9]+(\\.[0-9]+)?$")]
    pub amount: Option<Option<String>>,
    /// New currency (with `amount`).
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false, pattern = "^[A-Z]{3}$")]
    pub currency: Option<String>,
    /// New close date or null.
    #[serde(default, deserialize_with = "super::strict_nullable_date")]
    #[schema(value_type = Option<NaiveDate>)]
    pub close_date: Option<Option<NaiveDate>>,
    /// New forecast category.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub forecast_category: Option<ForecastCategoryDto>,
    /// New next step or null.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub next_step: Option<Option<String>>,
    /// New lead source or null.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<String>, max_length = 255)]
    pub lead_source: Option<Option<String>>,
    /// New campaign or null.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub campaign_id: Option<Option<Uuid>>,
    /// New product or null.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub product_id: Option<Option<Uuid>>,
    /// New loss reason or null.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub loss_reason: Option<Option<String>>,
    /// New external id or null.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<String>, max_length = 255)]
    pub external_id: Option<Option<String>>,
}

impl PatchOpportunity {
    /// Validated changes; `current_currency` is the record's currency.
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming every bad field.
    pub fn parse(&self, current_currency: &str) -> Result<OpportunityChanges, DomainError> {
        if self.currency.as_deref().is_some_and(|c| c != current_currency) && self.amount.is_none() {
            return Err(DomainError::invalid(
                "amount",
                "required",
                "changing currency needs the amount in the new currency",
            ));
        }
        let mut changes = OpportunityChanges {
            account_id: self.account_id,
            owner_id: self.owner_id,
            stage_id: self.stage_id,
            close_date: self.close_date,
            forecast_category: self.forecast_category.map(Into::into),
            campaign_id: self.campaign_id,
            product_id: self.product_id,
            ..Default::default()
        };
        parse_fields(
            RawFields {
                name: self.name.as_deref(),
                amount: self.amount.as_ref().map(|a| a.as_deref()),
                currency: self.currency.as_deref(),
                next_step: self.next_step.as_ref().map(|v| v.as_deref()),
                lead_source: self.lead_source.as_ref().map(|v| v.as_deref()),
                loss_reason: self.loss_reason.as_ref().map(|v| v.as_deref()),
                external_id: self.external_id.as_ref().map(|v| v.as_deref()),
            },
            self.currency.as_deref().unwrap_or(current_currency),
            &mut changes,
        )?;
        Ok(changes)
    }
}

/// Filters, paging and order of the opportunity list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OpportunityQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
    /// Owned by this user.
    pub owner_id: Option<Uuid>,
    /// Owned by a member of this team.
    pub team_id: Option<Uuid>,
    /// On this account.
    pub account_id: Option<Uuid>,
    /// In this pipeline.
    pub pipeline_id: Option<Uuid>,
    /// In this stage.
    pub stage_id: Option<Uuid>,
    /// open, won or lost.
    pub status: Option<StageKindDto>,
    /// Close date on or after (YYYY-MM-DD).
    #[serde(default, deserialize_with = "super::strict_date")]
    pub close_date_from: Option<NaiveDate>,
    /// Close date on or before (YYYY-MM-DD).
    #[serde(default, deserialize_with = "super::strict_date")]
    pub close_date_to: Option<NaiveDate>,
    /// Changed at or after (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// Name contains (case-insensitive), 1–100 characters.
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// External id equals (exact match, e.g. the id in the system an
    /// import came from).
    #[param(max_length = 255)]
    pub external_id: Option<String>,
    /// `created_at` (default, oldest first) or `-created_at` (newest first).
    #[param(pattern = "^-?created_at$")]
    pub sort: Option<String>,
}

const CURSOR_PREFIX: &str = "o1|";

impl OpportunityQuery {
    /// The filter.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `sort` or `q`.
    pub fn filter(&self) -> Result<OpportunityFilter, DomainError> {
        let descending = match self.sort.as_deref() {
            None | Some("created_at") => false,
            Some("-created_at") => true,
            Some(_) => return Err(DomainError::invalid("sort", "unknown_sort", "sort by created_at or -created_at")),
        };
        super::max_chars("q", self.q.as_deref(), 100)?;
        super::max_chars("external_id", self.external_id.as_deref(), 255)?;
        Ok(OpportunityFilter {
            owner_id: self.owner_id,
            team_id: self.team_id,
            account_id: self.account_id,
            pipeline_id: self.pipeline_id,
            stage_id: self.stage_id,
            status: self.status.map(Into::into),
            close_date_from: self.close_date_from,
            close_date_to: self.close_date_to,
            updated_since: self.updated_since,
            q: self.q.clone(),
            external_id: self.external_id.clone(),
            descending,
        })
    }

    /// The page request.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `limit` or `cursor`.
    pub fn page(&self) -> Result<PageRequest<OpportunityKey>, DomainError> {
        super::time_page_request(self.limit, self.cursor.as_deref(), CURSOR_PREFIX)
    }
}

/// Encodes a keyset position as an opaque cursor.
pub fn encode_cursor(key: OpportunityKey) -> String {
    super::encode_time_cursor(key, CURSOR_PREFIX)
}

/// Count and exact sum per currency and status.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpportunityTotalDto {
    /// ISO 4217 currency.
    pub currency: String,
    /// Open, won or lost.
    pub status: StageKindDto,
    /// Number of opportunities.
    pub count: i64,
    /// Exact sum of their amounts (decimal string).
    #[schema(example = "1234567890.42")]
    pub amount: String,
}

impl From<OpportunityTotal> for OpportunityTotalDto {
    fn from(t: OpportunityTotal) -> Self {
        let exponent = Currency::parse("currency", &t.currency).map(|c| c.exponent()).unwrap_or(2);
        Self {
            amount: format_minor(t.amount_minor, exponent),
            currency: t.currency,
            status: t.status.into(),
            count: t.count,
        }
    }
}

/// Totals of the filtered opportunities.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpportunityTotals {
    /// One row per currency and status.
    pub data: Vec<OpportunityTotalDto>,
}

/// One stage-history row.
#[derive(Debug, Serialize, ToSchema)]
pub struct StageHistoryDto {
    /// Row id.
    pub id: Uuid,
    /// Stage left (null for the first row).
    pub from_stage_id: Option<Uuid>,
    /// Stage entered.
    pub to_stage_id: Uuid,
    /// When it entered.
    pub entered_at: DateTime<Utc>,
    /// When it left; null for the current stage.
    pub exited_at: Option<DateTime<Utc>>,
    /// Who moved it.
    pub actor_id: Option<Uuid>,
}

impl From<StageHistoryRow> for StageHistoryDto {
    fn from(r: StageHistoryRow) -> Self {
        Self {
            id: r.id,
            from_stage_id: r.from_stage_id,
            to_stage_id: r.to_stage_id,
            entered_at: r.entered_at,
            exited_at: r.exited_at,
            actor_id: r.actor_id,
        }
    }
}

/// One field change. Amount values are decimal strings in the currency the
/// record had at the time.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldHistoryDto {
    /// Row id.
    pub id: Uuid,
    /// amount, currency, close_date, owner_id, forecast_category or stage_id.
    pub field: String,
    /// Value before.
    pub old_value: Option<String>,
    /// Value after.
    pub new_value: Option<String>,
    /// Who changed it.
    pub actor_id: Option<Uuid>,
    /// When.
    pub changed_at: DateTime<Utc>,
}

impl From<FieldHistoryRow> for FieldHistoryDto {
    fn from(r: FieldHistoryRow) -> Self {
        Self {
            id: r.id,
            field: r.field,
            old_value: r.old_value,
            new_value: r.new_value,
            actor_id: r.actor_id,
            changed_at: r.changed_at,
        }
    }
}

/// A history list.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryList<T: ToSchema> {
    /// Rows, oldest first.
    pub data: Vec<T>,
}
