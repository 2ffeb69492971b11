//! `glassbox import crm-sample` and the demo seed of `serve --demo`.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use glassbox_domain::import::{ImportPlan, crm_sample};
use glassbox_domain::org::{NewOrg, Org, TimeZone};
use glassbox_persistence::Store;
use glassbox_persistence::import::{Count, ImportCounts};

/// The CRM sample shipped in `data/crm-sample`, built into the binary so
/// `serve --demo` works from any directory.
pub const BUNDLED: crm_sample::Files<'static> = crm_sample::Files {
    sales_teams: include_bytes!("../../../../data/crm-sample/sales_teams.csv"),
    accounts: include_bytes!("../../../../data/crm-sample/accounts.csv"),
    products: include_bytes!("../../../../data/crm-sample/products.csv"),
    sales_pipeline: include_bytes!("../../../../data/crm-sample/sales_pipeline.csv"),
};

/// Domain of the made-up emails of imported people.
pub const EMAIL_DOMAIN: &str = "crm-sample.example";

/// Stored as the password hash of users created by `import`: no PHC string,
/// so no password matches it until an admin sets one.
pub const NO_PASSWORD: &str = "!";

/// Name of the org `serve --demo` creates.
pub const DEMO_ORG: &str = "Glassbox Demo";

/// Admin email of the demo org unless GLASSBOX_ADMIN_EMAIL is set.
pub const DEMO_ADMIN_EMAIL: &str = "admin@demo.glassbox.example";

/// What one import did.
#[derive(Debug)]
pub struct Outcome {
    /// The org imported into.
    pub org: Org,
    /// Whether the import created the org.
    pub org_created: bool,
    /// The plan, with its refused rows and reference date.
    pub plan: ImportPlan,
    /// Rows written and found, per record type.
    pub counts: ImportCounts,
    /// Wall time per phase.
    pub timings: Vec<(&'static str, Duration)>,
}

impl Outcome {
    /// The operator's report: counts per record type, then every refused
    /// row with its file, line, key and reason; with `timings`, the phases.
    pub fn report(&self, timings: bool) -> String {
        let mut out = String::new();
        let state = if self.org_created { "created" } else { "existing" };
        let _ = writeln!(out, "org `{}` ({}, {state})", self.org.name, self.org.id);
        let _ = writeln!(out, "{:<20}{:>9}{:>10}", "record type", "created", "existing");
        let c = &self.counts;
        let rows: [(&str, Count); 6] = [
            ("teams", c.teams),
            ("users", c.users),
            ("products", c.products),
            ("accounts", c.accounts),
            ("pipelines", c.pipelines),
            ("opportunities", c.opportunities),
        ];
        for (name, count) in rows {
            let _ = writeln!(out, "{name:<20}{:>9}{:>10}", count.created, count.existing);
        }
        let _ = writeln!(out, "{:<20}{:>9}", "stage history rows", c.stage_history_rows);
        if let Some(day) = self.plan.reference_date {
            let _ = writeln!(out, "reference date: {day}");
        }
        let _ = writeln!(out, "rows refused: {}", self.plan.problems.len());
        for p in &self.plan.problems {
            let key = if p.key.is_empty() { String::new() } else { format!(" ({})", p.key) };
            let _ = writeln!(out, "  {} line {}{key}: {}", p.file, p.line, p.reason);
        }
        if timings {
            let phases: Vec<String> = self
                .timings
                .iter()
                .map(|(name, d)| format!("{name} {} ms", d.as_millis()))
                .collect();
            let _ = writeln!(out, "timings: {}", phases.join(", "));
        }
        out
    }
}

/// Reads `dir`'s four CSV files and imports them into the org named
/// `org_name` (created with default settings when missing).
///
/// # Errors
/// A message when a file cannot be read or lacks a column, or storage fails.
pub async fn crm_sample_dir(store: &Store, dir: &Path, org_name: &str, reference_date: Option<NaiveDate>) -> Result<Outcome, String> {
    let started = Instant::now();
    let mut contents = Vec::new();
    for name in crm_sample::FILE_NAMES {
        let path = dir.join(name);
        contents.push(std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?);
    }
    let read = started.elapsed();
    let [sales_teams, accounts, products, sales_pipeline] = &contents[..] else {
        return Err("expected four files".into());
    };
    let files = crm_sample::Files {
        sales_teams,
        accounts,
        products,
        sales_pipeline,
    };
    let new_org = NewOrg::with_defaults(org_name).map_err(|e| format!("--org: {e}"))?;
    let (org, org_created) = store.find_or_create_org(new_org).await.map_err(|e| e.to_string())?;
    let mut outcome = crm_sample(store, org, files, reference_date, NO_PASSWORD).await?;
    outcome.org_created = org_created;
    outcome.timings.insert(0, ("read", read));
    Ok(outcome)
}

/// Plans and stores the CRM sample `files` in `org`; new users get
/// `password_hash`.
///
/// # Errors
/// A message when a file lacks a column or storage fails.
pub async fn crm_sample(
    store: &Store,
    org: Org,
    files: crm_sample::Files<'_>,
    reference_date: Option<NaiveDate>,
    password_hash: &str,
) -> Result<Outcome, String> {
    let started = Instant::now();
    let options = crm_sample::Options {
        time_zone: TimeZone::parse("time_zone", &org.time_zone).map_err(|e| e.to_string())?,
        reference_date,
        email_domain: EMAIL_DOMAIN.to_owned(),
    };
    let plan = crm_sample::plan(files, &options).map_err(|e| e.to_string())?;
    let planned = started.elapsed();
    let counts = store.import(org.id, &plan, password_hash).await.map_err(|e| e.to_string())?;
    let written = started.elapsed() - planned;
    Ok(Outcome {
        org,
        org_created: false,
        plan,
        counts,
        timings: vec![("plan", planned), ("write", written)],
    })
}

/// `serve --demo`: on a database without orgs, creates the demo org and
/// its admin (`admin_email`, default [`DEMO_ADMIN_EMAIL`]; `admin_password`,
/// generated when `None`), imports the bundled sample with the admin's
/// password for every imported user, and prints the report and the
/// credentials once. A database that holds an org is left as it is
/// (`Ok(None)`).
///
/// # Errors
/// A message when the admin's email or password is invalid or storage fails.
pub async fn seed_demo(store: &Store, admin_email: Option<&str>, admin_password: Option<&str>) -> Result<Option<Outcome>, String> {
    if store.has_orgs().await.map_err(|e| e.to_string())? {
        println!("demo: the database already holds data; serving it as it is");
        return Ok(None);
    }
    let email = admin_email.map(str::trim).filter(|e| !e.is_empty()).unwrap_or(DEMO_ADMIN_EMAIL);
    let (password, generated) = match admin_password.filter(|p| !p.is_empty()) {
        Some(p) => (p.to_owned(), false),
        None => (super::generate_password(), true),
    };
    let (org, _, hash) = super::bootstrap_with_hash(store, DEMO_ORG, email, "Demo Admin", &password).await?;
    let mut outcome = crm_sample(store, org, BUNDLED, None, &hash).await?;
    outcome.org_created = true;
    print!("{}", outcome.report(false));
    println!("demo admin: {}", email.to_lowercase());
    if generated {
        println!("password:   {password}\n(shown once; every imported user, e.g. darcel.schlecht@{EMAIL_DOMAIN}, has it too)");
    } else {
        println!("password:   as given in GLASSBOX_ADMIN_PASSWORD (every imported user has it too)");
    }
    Ok(Some(outcome))
}
