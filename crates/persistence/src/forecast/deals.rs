//! Every deal of an org as it stood at a moment, read back from stage and
//! field history, and the org settings a forecast needs.

use chrono::{DateTime, NaiveDate, Utc};
use glassbox_domain::DomainError;
use glassbox_domain::forecast::DealAsOf;
use glassbox_domain::money::Money;
use glassbox_domain::org::{Currency, FiscalYearStartMonth};
use glassbox_domain::pipeline::{ForecastCategory, StageKind};
use sea_orm::{ConnectionTrait, EntityTrait, QueryResult};
use uuid::Uuid;

use crate::analytics::sql::Sql;
use crate::analytics::waterfall::{field_at, kind_at};
use crate::entities::orgs;
use crate::error::db_err;

/// A stored currency that no longer parses.
pub(super) fn stored_currency(_: DomainError) -> DomainError {
    DomainError::Internal("a stored currency is not ISO 4217".into())
}

/// The org settings a forecast reads.
pub(crate) struct Org {
    /// First month of the fiscal year.
    pub start: FiscalYearStartMonth,
    /// The org's time zone.
    pub tz: glassbox_domain::org::TimeZone,
    /// Base currency.
    pub base: Currency,
}

/// Reads [`Org`].
pub(crate) async fn org_settings(conn: &impl ConnectionTrait, org: Uuid) -> Result<Org, DomainError> {
    let m = orgs::Entity::find_by_id(org)
        .one(conn)
        .await
        .map_err(db_err)?
        .ok_or(DomainError::NotFound("org"))?;
    let corrupt = |what: &str| DomainError::Internal(format!("stored org {what} is bad"));
    Ok(Org {
        start: FiscalYearStartMonth::parse("m", i64::from(m.fiscal_year_start_month)).map_err(|_| corrupt("fiscal start"))?,
        tz: crate::calendars::org_time_zone(conn, org).await?,
        base: Currency::parse("c", &m.base_currency).map_err(|_| corrupt("currency"))?,
    })
}

/// Which deals [`current_deals`] reads.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Only<'a> {
    /// Every live deal.
    All,
    /// These deals.
    Ids(&'a [Uuid]),
    /// The open deals of these owners.
    OpenOf(&'a [Uuid]),
    /// Every open deal.
    Open,
}

/// Live deals as they stand now (the current rows, without going through
/// history), ordered by id.
pub(crate) async fn current_deals(
    conn: &impl ConnectionTrait,
    org: Uuid,
    settings: &Org,
    only: Only<'_>,
) -> Result<Vec<DealAsOf>, DomainError> {
    let mut s = Sql::new(conn.get_database_backend());
    let o = s.bind(org);
    let only = match only {
        Only::All => String::new(),
        Only::Ids(ids) => format!(" AND d.id IN ({})", s.bind_list(ids.iter().copied())),
        Only::OpenOf(owners) => format!(" AND st.kind = 'open' AND d.owner_id IN ({})", s.bind_list(owners.iter().copied())),
        Only::Open => " AND st.kind = 'open'".to_owned(),
    };
    // The same columns as [`deals_at`]; NULL history values mean "the
    // current value holds".
    s.push(&format!(
        "SELECT d.id, d.created_at, d.amount_minor, d.currency, CAST(d.close_date AS TEXT) AS close_date, d.owner_id, \
           d.forecast_category, st.kind AS kind_t, d.stage_id AS stage_t, d.stage_entered_at AS entered_t, \
           CAST(NULL AS TEXT) AS amount_t, CAST(NULL AS TEXT) AS currency_t, CAST(NULL AS TEXT) AS close_t, \
           CAST(NULL AS TEXT) AS owner_t, CAST(NULL AS TEXT) AS category_t, st.probability AS probability \
         FROM opportunities d JOIN stages st ON st.id = d.stage_id \
         WHERE d.org_id = {o} AND d.deleted_at IS NULL{only} ORDER BY d.id"
    ));
    let rows = s.all(conn).await?;
    rows.iter().filter_map(|r| deal_of(r, settings).transpose()).collect()
}

/// Every live deal created by `t`, as it stood at `t` (stage and fields
/// read back from history).
pub(super) async fn deals_at(conn: &impl ConnectionTrait, org: Uuid, t: DateTime<Utc>, tz: &Org) -> Result<Vec<DealAsOf>, DomainError> {
    let mut s = Sql::new(conn.get_database_backend());
    let (o, at) = (s.bind(org), s.bind(t));
    let current = |col: &str| {
        format!(
            "(SELECT h.{col} FROM opportunity_stage_history h WHERE h.org_id = {o} AND h.opportunity_id = d.id \
              AND h.entered_at <= {at} AND (h.exited_at IS NULL OR h.exited_at > {at}) ORDER BY h.entered_at DESC LIMIT 1)"
        )
    };
    s.push(&format!(
        "SELECT d.id, d.created_at, d.amount_minor, d.currency, CAST(d.close_date AS TEXT) AS close_date, d.owner_id, d.forecast_category, \
           {} AS kind_t, {} AS stage_t, {} AS entered_t, {} AS amount_t, {} AS currency_t, {} AS close_t, \
           {} AS owner_t, {} AS category_t, \
           (SELECT st.probability FROM stages st WHERE st.id = {}) AS probability \
         FROM opportunities d WHERE d.org_id = {o} AND d.deleted_at IS NULL AND d.created_at <= {at} ORDER BY d.id",
        kind_at(&o, &at),
        current("to_stage_id"),
        current("entered_at"),
        field_at(&o, "amount", &at),
        field_at(&o, "currency", &at),
        field_at(&o, "close_date", &at),
        field_at(&o, "owner_id", &at),
        field_at(&o, "forecast_category", &at),
        current("to_stage_id"),
    ));
    let rows = s.all(conn).await?;
    rows.iter().filter_map(|r| deal_of(r, tz).transpose()).collect()
}

/// One row of [`deals_at`]; `None` for a deal without a stage then.
fn deal_of(r: &QueryResult, org: &Org) -> Result<Option<DealAsOf>, DomainError> {
    let get = |c: &str| r.try_get::<Option<String>>("", c).map_err(db_err);
    let corrupt = |what: &str| DomainError::Internal(format!("stored opportunity {what} is bad"));
    let Some(kind) = get("kind_t")? else { return Ok(None) };
    let kind = StageKind::parse("kind", &kind).map_err(|_| corrupt("stage kind"))?;
    // A history value: NULL = unchanged since (the current value holds),
    // '' = empty then.
    let then = |hist: Option<String>, now: Option<String>| match hist {
        None => now,
        Some(v) if v.is_empty() => None,
        Some(v) => Some(v),
    };
    let currency = then(get("currency_t")?, get("currency")?).ok_or_else(|| corrupt("currency"))?;
    let cur = Currency::parse("currency", &currency).map_err(|_| corrupt("currency"))?;
    let now_amount: Option<i64> = r.try_get("", "amount_minor").map_err(db_err)?;
    let amount_minor = match get("amount_t")? {
        None => now_amount.unwrap_or(0),
        Some(v) if v.is_empty() => 0,
        Some(v) => Money::parse_amount("amount", &v, cur)
            .map_err(|_| corrupt("amount history"))?
            .minor(),
    };
    let close = then(get("close_t")?, get("close_date")?);
    let owner = then(get("owner_t")?, None).map_or_else(
        || r.try_get::<Uuid>("", "owner_id").map_err(db_err),
        |v| v.parse::<Uuid>().map_err(|_| corrupt("owner history")),
    )?;
    let category = then(get("category_t")?, get("forecast_category")?).ok_or_else(|| corrupt("category"))?;
    let entered: Option<DateTime<Utc>> = r.try_get("", "entered_t").map_err(db_err)?;
    let probability: Option<i32> = r.try_get("", "probability").map_err(db_err)?;
    let won_at = entered.filter(|_| kind == StageKind::Won);
    let close_day = match (kind, won_at) {
        (StageKind::Won, Some(t)) => Some(t.with_timezone(&org.tz.tz()).date_naive()),
        _ => close
            .map(|c| c.get(..10).unwrap_or(&c).parse::<NaiveDate>())
            .transpose()
            .map_err(|_| corrupt("close date"))?,
    };
    let stage: Option<Uuid> = r.try_get("", "stage_t").map_err(db_err)?;
    Ok(Some(DealAsOf {
        id: r.try_get("", "id").map_err(db_err)?,
        created_at: r.try_get("", "created_at").map_err(db_err)?,
        stage_id: stage,
        stage_entered_at: entered,
        owner_id: owner,
        kind,
        won_at,
        close_day,
        amount_minor,
        currency,
        category: ForecastCategory::parse("forecast_category", &category).map_err(|_| corrupt("forecast category"))?,
        probability: probability.unwrap_or(0),
    }))
}
