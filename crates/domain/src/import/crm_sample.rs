//! The CRM sample dataset (Maven Analytics' "CRM + Sales + Opportunities",
//! see `data/crm-sample/SOURCE.md`) as an [`ImportPlan`].
//!
//! Mapping:
//! - `sales_teams.csv`: each `regional_office` is a sales team; each manager
//!   gets a team named "`<manager>`'s team" under their office and leads it;
//!   managers are users with role manager, agents users with role rep in
//!   their manager's team. Emails are made from names
//!   (`Darcel Schlecht` → `darcel.schlecht@<email domain>`).
//! - `products.csv`: products with `sales_price` as list price in USD.
//! - `accounts.csv`: `sector` is the industry as given, `revenue` is in USD
//!   millions, `subsidiary_of` names the parent account; the account's name
//!   is its external id. The owner is the agent with the most deals on the
//!   account (ties: the first email in order), else the first manager.
//! - `sales_pipeline.csv`: see [`deals`](self::deals) for stages and dates.
//!
//! Product names resolve exactly, else through [`match_key`] when that key
//! names exactly one product: the file's `GTXPro` is the product `GTX Pro`.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;

use super::table::{self, Row};
use super::{FileError, ImportPlan, PlannedAccount, PlannedPipeline, PlannedProduct, PlannedTeam, PlannedUser, RowProblem};
use crate::DomainError;
use crate::account::check_employees;
use crate::money::Money;
use crate::org::{Currency, Name, TimeZone};
use crate::pipeline::{ForecastCategory, NewStage, Probability, StageKind};
use crate::team::TeamKind;
use crate::user::{Email, Role};

mod deals;

/// The four files, as bytes.
#[derive(Debug, Clone, Copy)]
pub struct Files<'a> {
    /// `sales_teams.csv`.
    pub sales_teams: &'a [u8],
    /// `accounts.csv`.
    pub accounts: &'a [u8],
    /// `products.csv`.
    pub products: &'a [u8],
    /// `sales_pipeline.csv`.
    pub sales_pipeline: &'a [u8],
}

/// File names in the dataset's directory, in [`Files`] order.
pub const FILE_NAMES: [&str; 4] = ["sales_teams.csv", "accounts.csv", "products.csv", "sales_pipeline.csv"];

/// The pipeline the sample's deals move through: name, probability, kind.
pub const PIPELINE: (&str, [(&str, u8, StageKind, ForecastCategory); 4]) = (
    "Sales",
    [
        ("Prospecting", 10, StageKind::Open, ForecastCategory::Pipeline),
        ("Engaging", 50, StageKind::Open, ForecastCategory::Pipeline),
        ("Won", 100, StageKind::Won, ForecastCategory::Closed),
        ("Lost", 0, StageKind::Lost, ForecastCategory::Omitted),
    ],
);

/// How to place the sample in an org.
#[derive(Debug, Clone)]
pub struct Options {
    /// The org's time zone: file dates are org-local days.
    pub time_zone: TimeZone,
    /// The day undated (Prospecting) rows are created on; default: the
    /// latest date in `sales_pipeline.csv` (2017-12-31 in the sample).
    pub reference_date: Option<NaiveDate>,
    /// Domain of the users' made-up email addresses.
    pub email_domain: String,
}

/// Reads the four files and plans the import.
///
/// # Errors
/// [`FileError`] when a file is empty or lacks a column; bad rows are
/// reported in [`ImportPlan::problems`] instead.
pub fn plan(files: Files<'_>, options: &Options) -> Result<ImportPlan, FileError> {
    let mut problems = Vec::new();
    let people = people(
        table::read(FILE_NAMES[0], files.sales_teams, &["sales_agent", "manager", "regional_office"])?,
        &options.email_domain,
        &mut problems,
    );
    let products = products(
        table::read(FILE_NAMES[2], files.products, &["product", "sales_price"])?,
        &mut problems,
    );
    let account_rows = table::read(
        FILE_NAMES[1],
        files.accounts,
        &["account", "sector", "revenue", "employees", "subsidiary_of"],
    )?;
    let drafts = accounts(account_rows, &mut problems);
    let deal_rows = table::read(
        FILE_NAMES[3],
        files.sales_pipeline,
        &[
            "opportunity_id",
            "sales_agent",
            "product",
            "account",
            "deal_stage",
            "engage_date",
            "close_date",
            "close_value",
        ],
    )?;
    let catalog = deals::Catalog {
        agents: &people.agents,
        products: &products,
        accounts: &drafts.iter().map(|a| a.external_id.clone()).collect(),
        time_zone: options.time_zone,
    };
    let (opportunities, reference_date) = deals::plan(deal_rows, &catalog, options.reference_date, &mut problems);
    let accounts = with_owners(
        drafts,
        &opportunities,
        people.users.iter().find(|u| u.role == Role::Manager),
        &mut problems,
    );
    problems.sort_by(|a, b| {
        (FILE_NAMES.iter().position(|f| *f == a.file), a.line).cmp(&(FILE_NAMES.iter().position(|f| *f == b.file), b.line))
    });
    Ok(ImportPlan {
        teams: people.teams,
        users: people.users,
        products,
        accounts,
        pipeline: pipeline(),
        opportunities,
        problems,
        reference_date,
    })
}

fn pipeline() -> PlannedPipeline {
    let (name, stages) = PIPELINE;
    PlannedPipeline {
        name: name.to_owned(),
        stages: stages
            .iter()
            .filter_map(|&(name, p, kind, forecast_category)| {
                Some(NewStage {
                    name: Name::parse("name", name).ok()?,
                    probability: Probability::parse("probability", i64::from(p)).ok()?,
                    kind,
                    forecast_category,
                    rotting_days: None,
                    required_fields: Vec::new(),
                })
            })
            .collect(),
    }
}

/// The first message of a validation error, prefixed by the column.
pub(super) fn reason(column: &str, err: &DomainError) -> String {
    match err {
        DomainError::Validation(errors) => format!("{column}: {}", errors.first().map_or("is invalid", |e| e.message.as_str())),
        other => format!("{column}: {other}"),
    }
}

pub(super) fn problem(file: &str, row: &Row, reason: String) -> RowProblem {
    RowProblem {
        file: file.to_owned(),
        line: row.line,
        key: row.get(0).to_owned(),
        reason,
    }
}

/// Rows that parsed, with the bad ones moved to `problems`.
fn ok_rows(rows: Vec<Result<Row, RowProblem>>, problems: &mut Vec<RowProblem>) -> Vec<Row> {
    rows.into_iter().filter_map(|r| r.map_err(|p| problems.push(p)).ok()).collect()
}

/// `Mei-Mei Johns` → `mei.mei.johns@domain`.
fn email_for(name: &str, domain: &str) -> Result<Email, DomainError> {
    let local: String = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(".");
    Email::parse("email", &format!("{local}@{domain}"))
}

struct People {
    teams: Vec<PlannedTeam>,
    users: Vec<PlannedUser>,
    /// Agent name → email.
    agents: HashMap<String, Email>,
}

fn people(rows: Vec<Result<Row, RowProblem>>, domain: &str, problems: &mut Vec<RowProblem>) -> People {
    const FILE: &str = FILE_NAMES[0];
    let mut offices: Vec<String> = Vec::new();
    let mut managers: Vec<(String, Email, String)> = Vec::new();
    let mut agents: Vec<(String, Email, String)> = Vec::new();
    let mut emails: HashSet<String> = HashSet::new();
    for row in ok_rows(rows, problems) {
        let checked = (|| {
            let agent = Name::parse("sales_agent", row.get(0)).map_err(|e| reason("sales_agent", &e))?;
            let manager = Name::parse("manager", row.get(1)).map_err(|e| reason("manager", &e))?;
            let office = Name::parse("regional_office", row.get(2)).map_err(|e| reason("regional_office", &e))?;
            let agent_email = email_for(agent.as_str(), domain).map_err(|e| reason("sales_agent", &e))?;
            let manager_email = email_for(manager.as_str(), domain).map_err(|e| reason("manager", &e))?;
            if let Some((_, _, known)) = managers.iter().find(|m| m.1 == manager_email) {
                if known != office.as_str() {
                    return Err(format!("manager: {} already leads a team in {known}", manager.as_str()));
                }
            } else if emails.contains(manager_email.as_str()) {
                return Err(format!("manager: {} is already an agent", manager.as_str()));
            }
            if !emails.insert(agent_email.as_str().to_owned()) {
                return Err(format!(
                    "sales_agent: {} is listed twice (email {})",
                    agent.as_str(),
                    agent_email.as_str()
                ));
            }
            Ok((agent, agent_email, manager, manager_email, office))
        })();
        match checked {
            Err(why) => problems.push(problem(FILE, &row, why)),
            Ok((agent, agent_email, manager, manager_email, office)) => {
                if !offices.iter().any(|o| o == office.as_str()) {
                    offices.push(office.as_str().to_owned());
                }
                if !managers.iter().any(|m| m.1 == manager_email) {
                    emails.insert(manager_email.as_str().to_owned());
                    managers.push((manager.into_string(), manager_email, office.into_string()));
                }
                agents.push((agent.into_string(), agent_email, team_name(row.get(1))));
            }
        }
    }
    let office_teams = offices.iter().map(|o| PlannedTeam {
        name: o.clone(),
        kind: TeamKind::Sales,
        parent: None,
        manager: None,
    });
    let manager_teams = managers.iter().map(|(name, email, office)| PlannedTeam {
        name: team_name(name),
        kind: TeamKind::Sales,
        parent: Some(office.clone()),
        manager: Some(email.clone()),
    });
    let teams = office_teams.chain(manager_teams).collect();
    let manager_users = managers.iter().map(|(name, email, _)| PlannedUser {
        name: name.clone(),
        email: email.clone(),
        role: Role::Manager,
        team: Some(team_name(name)),
    });
    let agent_users = agents.iter().map(|(name, email, team)| PlannedUser {
        name: name.clone(),
        email: email.clone(),
        role: Role::Rep,
        team: Some(team.clone()),
    });
    People {
        teams,
        users: manager_users.chain(agent_users).collect(),
        agents: agents.into_iter().map(|(name, email, _)| (name, email)).collect(),
    }
}

fn team_name(manager: &str) -> String {
    format!("{}'s team", manager.trim())
}

fn products(rows: Vec<Result<Row, RowProblem>>, problems: &mut Vec<RowProblem>) -> Vec<PlannedProduct> {
    const FILE: &str = FILE_NAMES[2];
    let usd = Currency::parse("currency", "USD").ok();
    let mut out: Vec<PlannedProduct> = Vec::new();
    for row in ok_rows(rows, problems) {
        let checked = (|| {
            let name = Name::parse("product", row.get(0)).map_err(|e| reason("product", &e))?;
            if out.iter().any(|p| p.name == name.as_str()) {
                return Err(format!("product: {} is listed twice", name.as_str()));
            }
            let usd = usd.ok_or("USD is unknown")?;
            let price = Money::parse_amount("sales_price", row.get(1), usd).map_err(|e| reason("sales_price", &e))?;
            Ok(PlannedProduct {
                name: name.into_string(),
                list_price_minor: price.minor(),
                currency: usd.code(),
            })
        })();
        match checked {
            Ok(p) => out.push(p),
            Err(why) => problems.push(problem(FILE, &row, why)),
        }
    }
    out
}

/// USD millions as a decimal string → USD minor units.
fn revenue_minor(raw: &str) -> Result<Option<i64>, String> {
    if raw.is_empty() {
        return Ok(None);
    }
    let usd = Currency::parse("currency", "USD").map_err(|e| e.to_string())?;
    let millions: rust_decimal::Decimal = raw
        .parse()
        .map_err(|_| "revenue: must be a decimal number of USD millions".to_owned())?;
    let dollars = millions
        .checked_mul(rust_decimal::Decimal::from(1_000_000))
        .ok_or("revenue: is too large")?
        .normalize();
    Money::parse_amount("revenue", &dollars.to_string(), usd)
        .map(|m| Some(m.minor()))
        .map_err(|e| reason("revenue", &e))
}

/// An account row before its owner is known.
struct AccountDraft {
    external_id: String,
    name: String,
    parent: Option<String>,
    industry: Option<String>,
    employees: Option<i32>,
    annual_revenue_minor: Option<i64>,
}

fn accounts(rows: Vec<Result<Row, RowProblem>>, problems: &mut Vec<RowProblem>) -> Vec<AccountDraft> {
    const FILE: &str = FILE_NAMES[1];
    let mut parsed: Vec<(Row, AccountDraft)> = Vec::new();
    for row in ok_rows(rows, problems) {
        let checked = (|| {
            let name = Name::parse_max("account", row.get(0), 255).map_err(|e| reason("account", &e))?;
            if parsed.iter().any(|(_, a)| a.external_id == name.as_str()) {
                return Err(format!("account: {} is listed twice", name.as_str()));
            }
            let industry = crate::org::optional_text("sector", Some(row.get(1)), 100, false).map_err(|e| reason("sector", &e))?;
            let employees = match row.get(3) {
                "" => None,
                raw => Some(
                    raw.parse::<i64>()
                        .map_err(|_| "employees: must be a whole number".to_owned())
                        .and_then(|n| check_employees(n).map_err(|e| reason("employees", &e)))?,
                ),
            };
            Ok(AccountDraft {
                external_id: name.as_str().to_owned(),
                name: name.into_string(),
                parent: Some(row.get(4).to_owned()).filter(|p| !p.is_empty()),
                industry,
                employees,
                annual_revenue_minor: revenue_minor(row.get(2))?,
            })
        })();
        match checked {
            Ok(a) => parsed.push((row, a)),
            Err(why) => problems.push(problem(FILE, &row, why)),
        }
    }
    parents_first(parsed, problems)
}

/// Orders accounts so each parent precedes its subsidiaries; an account
/// whose parent is missing, refused or part of a cycle is refused.
fn parents_first(mut pending: Vec<(Row, AccountDraft)>, problems: &mut Vec<RowProblem>) -> Vec<AccountDraft> {
    let known: HashSet<String> = pending.iter().map(|(_, a)| a.external_id.clone()).collect();
    let mut placed: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    loop {
        let (ready, rest): (Vec<_>, Vec<_>) = pending
            .into_iter()
            .partition(|(_, a)| a.parent.as_ref().is_none_or(|p| placed.contains(p)));
        pending = rest;
        if ready.is_empty() {
            break;
        }
        for (_, a) in ready {
            placed.insert(a.external_id.clone());
            out.push(a);
        }
    }
    for (row, a) in pending {
        let parent = a.parent.unwrap_or_default();
        let why = if known.contains(&parent) {
            format!("subsidiary_of: {parent} is part of a cycle of parents or was refused")
        } else {
            format!("subsidiary_of: {parent} is not an account of accounts.csv")
        };
        problems.push(problem(FILE_NAMES[1], &row, why));
    }
    out
}

/// Each account's owner: the agent with the most deals on it (ties: the
/// first email in order), else `fallback`.
fn with_owners(
    accounts: Vec<AccountDraft>,
    deals: &[super::PlannedOpportunity],
    fallback: Option<&PlannedUser>,
    problems: &mut Vec<RowProblem>,
) -> Vec<PlannedAccount> {
    let mut counts: HashMap<&str, BTreeMap<&str, u32>> = HashMap::new();
    for d in deals {
        if let Some(account) = &d.account {
            *counts.entry(account).or_default().entry(d.owner.as_str()).or_default() += 1;
        }
    }
    let owners: HashMap<String, Email> = counts
        .iter()
        .filter_map(|(account, by_owner)| {
            let best = by_owner.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))?;
            let email = deals.iter().find(|d| d.owner.as_str() == *best.0)?.owner.clone();
            Some(((*account).to_owned(), email))
        })
        .collect();
    accounts
        .into_iter()
        .filter_map(|a| match owners.get(&a.external_id).or(fallback.map(|u| &u.email)) {
            Some(owner) => Some(PlannedAccount {
                external_id: a.external_id,
                name: a.name,
                parent: a.parent,
                industry: a.industry,
                employees: a.employees,
                annual_revenue_minor: a.annual_revenue_minor,
                currency: "USD",
                owner: owner.clone(),
            }),
            None => {
                problems.push(RowProblem {
                    file: FILE_NAMES[1].to_owned(),
                    line: 0,
                    key: a.external_id,
                    reason: "no agent or manager to own the account".into(),
                });
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
