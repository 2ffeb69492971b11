//! Forecast cells kept current by every write of a deal (the cells are
//! defined in the domain's `forecast::cells`): stored per owner and once
//! summed over every owner ([`ALL_OWNERS`]), in `forecast_cells`, so a
//! forecast of the present reads a few rows instead of every deal.
//!
//! Stored key: (org, owner, grain, day1, stage, kind, category, day2,
//! currency) — grain 1 is a book cell (day1 = close day), grain 2 an age
//! cell (day1 = day entered, day2 = close day or 0); days are numbered
//! from the common era, 0 standing for none. Amount sums are kept as
//! (billions, remainder) pairs like the analytics rollups', sums of squares
//! (up to 10^36) as three limbs of 10^9.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use glassbox_domain::DomainError;
use glassbox_domain::forecast::DealAsOf;
use glassbox_domain::forecast::cells::{AgeKey, BookKey, ForecastCells, Sums};
use glassbox_domain::forecast::model::AGE_BANDS_DAYS;
use glassbox_domain::pipeline::{ForecastCategory, StageKind};
use sea_orm::{ConnectionTrait, QueryResult};
use uuid::Uuid;

use super::deals::{Only, Org, current_deals};
use crate::analytics::sql::{SPLIT, Sql};
use crate::error::db_err;
use crate::rollups::keys::{ALL_OWNERS, day_number};

const BOOK: i16 = 1;
const AGE: i16 = 2;

/// Each owner's cells of `deals`, plus their sum under [`ALL_OWNERS`].
pub(crate) fn by_owner(deals: &[DealAsOf], org: &Org) -> BTreeMap<Uuid, ForecastCells> {
    let mut out: BTreeMap<Uuid, ForecastCells> = BTreeMap::new();
    for deal in deals {
        let entered = deal.stage_entered_at.map(|t| t.with_timezone(&org.tz.tz()).date_naive());
        for owner in [deal.owner_id, ALL_OWNERS] {
            out.entry(owner).or_default().add_deal(deal, entered, org.base.code(), 1);
        }
    }
    out
}

/// The cells the live deals among `ids` contribute now, by owner.
///
/// # Errors
/// [`DomainError::Internal`] on storage failure.
pub(crate) async fn of_deals(
    conn: &impl ConnectionTrait,
    org: Uuid,
    settings: &Org,
    ids: &[Uuid],
) -> Result<BTreeMap<Uuid, ForecastCells>, DomainError> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let deals = current_deals(conn, org, settings, Only::Ids(ids)).await?;
    Ok(by_owner(&deals, settings))
}

/// Adds `after` − `before` to the stored cells, in key order.
///
/// # Errors
/// [`DomainError::Internal`] on storage failure.
pub(crate) async fn apply_diff(
    conn: &impl ConnectionTrait,
    org: Uuid,
    before: &BTreeMap<Uuid, ForecastCells>,
    after: &BTreeMap<Uuid, ForecastCells>,
) -> Result<(), DomainError> {
    let mut diff: BTreeMap<Uuid, ForecastCells> = BTreeMap::new();
    for (owner, cells) in after {
        diff.entry(*owner).or_default().add(cells, 1);
    }
    for (owner, cells) in before {
        diff.entry(*owner).or_default().add(cells, -1);
    }
    diff.values_mut().for_each(ForecastCells::prune);
    write(conn, org, &diff, true).await
}

/// One stored row: its owner, key columns and sums.
type Row = (Uuid, i16, i32, Uuid, &'static str, &'static str, i32, String, Sums);

fn rows(cells: &BTreeMap<Uuid, ForecastCells>) -> Vec<Row> {
    let day = |d: Option<NaiveDate>| d.map_or(0, day_number);
    let mut out: Vec<Row> = Vec::new();
    for (owner, c) in cells {
        for (k, s) in &c.book {
            let row = (
                *owner,
                BOOK,
                day_number(k.close_day),
                k.stage_id,
                k.kind.as_str(),
                k.category.as_str(),
                0,
                k.currency.clone(),
                *s,
            );
            out.push(row);
        }
        for (k, s) in &c.age {
            let row = (
                *owner,
                AGE,
                day(k.entered_day),
                k.stage_id,
                "open",
                "",
                day(k.close_day),
                k.currency.clone(),
                *s,
            );
            out.push(row);
        }
    }
    out.sort_by(|a, b| (a.0, a.1, a.2, a.3, a.4, a.5, a.6, &a.7).cmp(&(b.0, b.1, b.2, b.3, b.4, b.5, b.6, &b.7)));
    out
}

/// Inserts the cells; with `add`, a stored key gets the sums added.
pub(crate) async fn write(
    conn: &impl ConnectionTrait,
    org: Uuid,
    cells: &BTreeMap<Uuid, ForecastCells>,
    add: bool,
) -> Result<(), DomainError> {
    const KEY: &str = "org_id, owner_id, grain, day1, stage_id, kind, category, day2, currency";
    for chunk in rows(cells).chunks(300) {
        let mut s = Sql::new(conn.get_database_backend());
        let o = s.bind(org);
        let values: Vec<String> = chunk
            .iter()
            .map(|(owner, grain, day1, stage, kind, category, day2, currency, sums)| {
                let (ahi, alo) = split(sums.amount);
                let (shi, smid, slo) = split3(sums.amount_sq);
                let v = [
                    o.clone(),
                    s.bind(*owner),
                    s.bind(*grain),
                    s.bind(*day1),
                    s.bind(*stage),
                    s.bind(*kind),
                    s.bind(*category),
                    s.bind(*day2),
                    s.bind(currency.clone()),
                    s.bind(sums.n),
                    s.bind(sums.live),
                    s.bind(ahi),
                    s.bind(alo),
                    s.bind(shi),
                    s.bind(smid),
                    s.bind(slo),
                ];
                format!("({})", v.join(", "))
            })
            .collect();
        let t = "forecast_cells";
        let on_conflict = if add {
            format!(
                " ON CONFLICT ({KEY}) DO UPDATE SET n = {t}.n + excluded.n, live = {t}.live + excluded.live, \
                 amount_hi = {t}.amount_hi + excluded.amount_hi + ({t}.amount_lo + excluded.amount_lo) / {SPLIT}, \
                 amount_lo = ({t}.amount_lo + excluded.amount_lo) % {SPLIT}, \
                 sq_hi = {t}.sq_hi + excluded.sq_hi + ({t}.sq_mid + excluded.sq_mid + ({t}.sq_lo + excluded.sq_lo) / {SPLIT}) / {SPLIT}, \
                 sq_mid = ({t}.sq_mid + excluded.sq_mid + ({t}.sq_lo + excluded.sq_lo) / {SPLIT}) % {SPLIT}, \
                 sq_lo = ({t}.sq_lo + excluded.sq_lo) % {SPLIT}"
            )
        } else {
            String::new()
        };
        s.push(&format!(
            "INSERT INTO {t} ({KEY}, n, live, amount_hi, amount_lo, sq_hi, sq_mid, sq_lo) VALUES {}{on_conflict}",
            values.join(", ")
        ));
        s.execute(conn).await?;
    }
    Ok(())
}

/// (10^18s, 10^9s in 0..SPLIT, remainder in 0..SPLIT).
fn split3(v: i128) -> (i64, i64, i64) {
    let limb = i128::from(SPLIT);
    let (top, rest) = split(v.div_euclid(limb));
    (top, rest, i64::try_from(v.rem_euclid(limb)).unwrap_or(0))
}

/// (billions, remainder in 0..SPLIT), saturating.
fn split(v: i128) -> (i64, i64) {
    let split = i128::from(SPLIT);
    (
        i64::try_from(v.div_euclid(split)).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX }),
        i64::try_from(v.rem_euclid(split)).unwrap_or(0),
    )
}

/// Replaces `org`'s stored cells with `cells` (a rebuild's, computed from
/// every live deal), inside the caller's transaction (which holds writers
/// off, see `rollups::rebuild`).
///
/// # Errors
/// [`DomainError::Internal`] on storage failure.
pub(crate) async fn replace(conn: &impl ConnectionTrait, org: Uuid, mut cells: BTreeMap<Uuid, ForecastCells>) -> Result<(), DomainError> {
    let mut s = Sql::new(conn.get_database_backend());
    let o = s.bind(org);
    s.push(&format!("DELETE FROM forecast_cells WHERE org_id = {o}"));
    s.execute(conn).await?;
    cells.values_mut().for_each(ForecastCells::prune);
    write(conn, org, &cells, false).await
}

/// The stored cells of `owners` (`None`: of every owner, without the
/// [`ALL_OWNERS`] sums) for a forecast made on `today` of the period
/// `days`: book cells closing in the period, and age cells summed per age
/// band (each band's sum stands under the latest day entered in it, which
/// gives the band's probability like any other day in it).
///
/// # Errors
/// [`DomainError::Internal`] on storage failure or a corrupt row.
pub(crate) async fn read(
    conn: &impl ConnectionTrait,
    org: Uuid,
    owners: Option<&[Uuid]>,
    today: NaiveDate,
    days: (NaiveDate, NaiveDate),
) -> Result<BTreeMap<Uuid, ForecastCells>, DomainError> {
    let mut out: BTreeMap<Uuid, ForecastCells> = BTreeMap::new();
    let chunks: Vec<Option<&[Uuid]>> = match owners {
        Some(list) => list.chunks(500).map(Some).collect(),
        None => vec![None],
    };
    let sum = |c: &str| format!("CAST(SUM({c}) AS BIGINT) AS {c}");
    let sums = ["n", "live", "amount_hi", "amount_lo", "sq_hi", "sq_mid", "sq_lo"]
        .map(sum)
        .join(", ");
    for chunk in chunks {
        let mut s = Sql::new(conn.get_database_backend());
        let o = s.bind(org);
        let who = match chunk {
            Some(list) => format!("owner_id IN ({})", s.bind_list(list.iter().copied())),
            None => format!("owner_id <> {}", s.bind(ALL_OWNERS)),
        };
        let (f, l) = (s.bind(day_number(days.0)), s.bind(day_number(days.1)));
        let band = band_sql(&mut s, today);
        s.push(&format!(
            "SELECT owner_id, grain, day1, stage_id, kind, category, day2, currency, n, live, amount_hi, amount_lo, sq_hi, sq_mid, sq_lo \
             FROM forecast_cells WHERE org_id = {o} AND {who} AND grain = {BOOK} AND day1 >= {f} AND day1 <= {l} \
             UNION ALL \
             SELECT owner_id, grain, MAX(day1) AS day1, stage_id, kind, category, day2, currency, {sums} \
             FROM forecast_cells WHERE org_id = {o} AND {who} AND grain = {AGE} \
             GROUP BY owner_id, grain, stage_id, kind, category, day2, currency, {band}"
        ));
        for r in s.all(conn).await? {
            let (owner, cell) = read_row(&r)?;
            let cells = out.entry(owner).or_default();
            match cell {
                Cell::Book(k, v) => cells.book.entry(k).or_default().add(&v, 1),
                Cell::Age(k, v) => cells.age.entry(k).or_default().add(&v, 1),
            }
        }
    }
    // Cells that moved on to zero (a leaver's, say) are not there.
    out.values_mut().for_each(ForecastCells::prune);
    out.retain(|_, c| !c.is_empty());
    Ok(out)
}

/// The age band of an age cell's `day1` on `today`, as SQL: -1 for cells
/// without a day entered (counted as age 0 apart), else the index of
/// [`AGE_BANDS_DAYS`] the age falls in (as `model::band_of`).
fn band_sql(s: &mut Sql, today: NaiveDate) -> String {
    let t = s.bind(day_number(today));
    let arms: Vec<String> = AGE_BANDS_DAYS
        .iter()
        .enumerate()
        .rev()
        .map(|(band, lower)| format!("WHEN {t} - day1 >= {lower} THEN {band}"))
        .collect();
    format!("CASE WHEN day1 = 0 THEN -1 {} ELSE 0 END", arms.join(" "))
}

enum Cell {
    Book(BookKey, Sums),
    Age(AgeKey, Sums),
}

fn read_row(r: &QueryResult) -> Result<(Uuid, Cell), DomainError> {
    let corrupt = || DomainError::Internal("stored forecast cell is bad".into());
    let get_i64 = |c: &str| r.try_get::<i64>("", c).map_err(db_err);
    let day = |n: i32| -> Result<Option<NaiveDate>, DomainError> {
        if n == 0 {
            return Ok(None);
        }
        NaiveDate::from_num_days_from_ce_opt(n).map(Some).ok_or_else(corrupt)
    };
    let owner: Uuid = r.try_get("", "owner_id").map_err(db_err)?;
    let grain: i16 = r.try_get("", "grain").map_err(db_err)?;
    let day1: i32 = r.try_get("", "day1").map_err(db_err)?;
    let day2: i32 = r.try_get("", "day2").map_err(db_err)?;
    let stage_id: Uuid = r.try_get("", "stage_id").map_err(db_err)?;
    let currency: String = r.try_get("", "currency").map_err(db_err)?;
    let join = |hi: i64, lo: i64| i128::from(hi) * i128::from(SPLIT) + i128::from(lo);
    let sums = Sums {
        n: get_i64("n")?,
        live: get_i64("live")?,
        amount: join(get_i64("amount_hi")?, get_i64("amount_lo")?),
        amount_sq: join(get_i64("sq_hi")?, get_i64("sq_mid")?) * i128::from(SPLIT) + i128::from(get_i64("sq_lo")?),
    };
    let cell = if grain == BOOK {
        let kind: String = r.try_get("", "kind").map_err(db_err)?;
        let category: String = r.try_get("", "category").map_err(db_err)?;
        Cell::Book(
            BookKey {
                stage_id,
                kind: StageKind::parse("kind", &kind).map_err(|_| corrupt())?,
                category: ForecastCategory::parse("category", &category).map_err(|_| corrupt())?,
                close_day: day(day1)?.ok_or_else(corrupt)?,
                currency,
            },
            sums,
        )
    } else {
        Cell::Age(
            AgeKey {
                stage_id,
                entered_day: day(day1)?,
                close_day: day(day2)?,
                currency,
            },
            sums,
        )
    };
    Ok((owner, cell))
}
