//! `sales_pipeline.csv` rows as opportunities with stage history.
//!
//! - Prospecting: no dates, no value; created in Prospecting at the start of
//!   the reference date (default: the latest date in the file).
//! - Engaging: `engage_date` required, no close date; created in Engaging
//!   at the start of `engage_date`; no expected close date.
//! - Won / Lost: both dates required, `close_date` not before
//!   `engage_date`; Engaging from `engage_date`, then Won/Lost from
//!   `close_date`, which is also `closed_at` and the close date.
//!
//! Amount: `close_value` for Won; otherwise the product's list price (Lost
//! rows carry 0, open rows nothing). A negative or malformed value refuses
//! the row.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::super::table::Row;
use super::super::{PlannedOpportunity, PlannedProduct, PlannedStageEntry, RowProblem, match_key, start_of_day};
use super::{FILE_NAMES, problem, reason};
use crate::money::Money;
use crate::org::{Currency, TimeZone};
use crate::user::Email;

const FILE: &str = FILE_NAMES[3];

/// What a deal row may refer to.
pub(super) struct Catalog<'a> {
    /// Agent name → email.
    pub agents: &'a HashMap<String, Email>,
    /// Products of `products.csv`.
    pub products: &'a [PlannedProduct],
    /// Account external ids of `accounts.csv`.
    pub accounts: &'a HashSet<String>,
    /// Org time zone.
    pub time_zone: TimeZone,
}

impl Catalog<'_> {
    /// A product by exact name, else by the one product with its
    /// [`match_key`].
    fn product(&self, name: &str) -> Option<&PlannedProduct> {
        self.products.iter().find(|p| p.name == name).or_else(|| {
            let key = match_key(name);
            let mut matches = self.products.iter().filter(|p| match_key(&p.name) == key);
            match (matches.next(), matches.next()) {
                (Some(p), None) => Some(p),
                _ => None,
            }
        })
    }
}

enum Stage {
    Prospecting,
    Engaging,
    Closed(&'static str),
}

/// A row with its checked fields, before the reference date is known.
struct Deal {
    external_id: String,
    owner: Email,
    product: PlannedProduct,
    account: Option<String>,
    stage: Stage,
    engaged: Option<NaiveDate>,
    closed: Option<NaiveDate>,
    amount_minor: i64,
}

fn date(column: &str, raw: &str) -> Result<Option<NaiveDate>, String> {
    if raw.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| format!("{column}: `{raw}` is not a date (YYYY-MM-DD)"))
}

fn check(row: &Row, catalog: &Catalog<'_>, seen: &mut HashSet<String>) -> Result<Deal, String> {
    let external_id = row.get(0);
    if external_id.is_empty() || external_id.chars().count() > 255 || external_id.chars().any(char::is_control) {
        return Err("opportunity_id: must be 1–255 printable characters".into());
    }
    let owner = catalog
        .agents
        .get(row.get(1))
        .ok_or_else(|| format!("sales_agent: `{}` is not an agent of sales_teams.csv", row.get(1)))?;
    let product = catalog
        .product(row.get(2))
        .ok_or_else(|| format!("product: `{}` is not a product of products.csv", row.get(2)))?;
    let account = match row.get(3) {
        "" => None,
        name if catalog.accounts.contains(name) => Some(name.to_owned()),
        name => return Err(format!("account: `{name}` is not an account of accounts.csv")),
    };
    let stage = match row.get(4) {
        "Prospecting" => Stage::Prospecting,
        "Engaging" => Stage::Engaging,
        "Won" => Stage::Closed("Won"),
        "Lost" => Stage::Closed("Lost"),
        other => return Err(format!("deal_stage: `{other}` is not Prospecting, Engaging, Won or Lost")),
    };
    let engaged = date("engage_date", row.get(5))?;
    let closed = date("close_date", row.get(6))?;
    let usd = Currency::parse("currency", "USD").map_err(|e| e.to_string())?;
    let value = match row.get(7) {
        "" => None,
        raw => Some(Money::parse_amount("close_value", raw, usd).map_err(|e| reason("close_value", &e))?),
    };
    match (&stage, engaged, closed, value) {
        (Stage::Prospecting, None, None, None) | (Stage::Engaging, Some(_), None, None) => {}
        (Stage::Prospecting, ..) => return Err("engage_date: a Prospecting row has no dates and no close_value".into()),
        (Stage::Engaging, None, ..) => return Err("engage_date: an Engaging row needs one".into()),
        (Stage::Engaging, ..) => return Err("close_date: an Engaging row has no close_date or close_value".into()),
        (Stage::Closed(_), None, ..) => return Err("engage_date: a closed row needs one".into()),
        (Stage::Closed(_), _, None, _) => return Err("close_date: a closed row needs one".into()),
        (Stage::Closed(_), _, _, None) => return Err("close_value: a closed row needs one".into()),
        (Stage::Closed(_), Some(e), Some(c), Some(_)) if c < e => {
            return Err(format!("close_date: {c} is before engage_date {e}"));
        }
        (Stage::Closed(_), ..) => {}
    }
    if !seen.insert(external_id.to_owned()) {
        return Err(format!("opportunity_id: {external_id} is listed twice"));
    }
    let amount_minor = match (&stage, value) {
        (Stage::Closed("Won"), Some(v)) => v.minor(),
        _ => product.list_price_minor,
    };
    Ok(Deal {
        external_id: external_id.to_owned(),
        owner: owner.clone(),
        product: product.clone(),
        account,
        stage,
        engaged,
        closed,
        amount_minor,
    })
}

/// Plans the deals; returns them and the reference date used (`None` when
/// the file has no date and none was given: Prospecting rows are refused).
pub(super) fn plan(
    rows: Vec<Result<Row, RowProblem>>,
    catalog: &Catalog<'_>,
    reference_date: Option<NaiveDate>,
    problems: &mut Vec<RowProblem>,
) -> (Vec<PlannedOpportunity>, Option<NaiveDate>) {
    let mut seen = HashSet::new();
    let mut deals = Vec::new();
    for row in rows {
        match row {
            Err(p) => problems.push(p),
            Ok(row) => match check(&row, catalog, &mut seen) {
                Ok(deal) => deals.push((row, deal)),
                Err(why) => problems.push(problem(FILE, &row, why)),
            },
        }
    }
    let reference_date = reference_date.or_else(|| deals.iter().flat_map(|(_, d)| [d.engaged, d.closed]).flatten().max());
    let at = |d: NaiveDate| start_of_day(d, catalog.time_zone);
    let planned = deals
        .into_iter()
        .filter_map(|(row, d)| {
            let history: Vec<(&str, NaiveDate)> = match d.stage {
                Stage::Prospecting => match reference_date {
                    Some(r) => vec![("Prospecting", r)],
                    None => {
                        problems.push(problem(
                            FILE,
                            &row,
                            "engage_date: the file has no dates; give a reference date".into(),
                        ));
                        return None;
                    }
                },
                Stage::Engaging => vec![("Engaging", d.engaged?)],
                Stage::Closed(stage) => vec![("Engaging", d.engaged?), (stage, d.closed?)],
            };
            let name = match &d.account {
                Some(account) => format!("{account} – {}", d.product.name),
                None => format!("{} – {}", d.product.name, d.external_id),
            };
            Some(PlannedOpportunity {
                name,
                owner: d.owner,
                account: d.account,
                amount_minor: d.amount_minor,
                currency: d.product.currency,
                close_date: d.closed,
                created_at: at(history.first()?.1),
                closed_at: d.closed.map(at),
                history: history
                    .into_iter()
                    .map(|(stage, day)| PlannedStageEntry {
                        stage: stage.to_owned(),
                        entered_at: at(day),
                    })
                    .collect(),
                product: d.product.name,
                external_id: d.external_id,
            })
        })
        .collect();
    (planned, reference_date)
}
