//! The `glassbox` command line: `serve` (default), `migrate`,
//! `prune-changes`, `rebuild-rollups`, `openapi`, `bootstrap`, `import`.

use std::path::PathBuf;

use base64::Engine;
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use glassbox_domain::org::{NewOrg, Org};
use glassbox_domain::user::{NewUser, NewUserInput, Role};
use glassbox_persistence::Store;
use rand::RngCore;
use uuid::Uuid;

use crate::auth::password;
use crate::config::Settings;
use crate::startup::{Application, StartupError};

pub mod import;

/// Glassbox: the sales-performance backend.
#[derive(Debug, Parser)]
#[command(
    name = "glassbox",
    version,
    about = "Glassbox: a sales-performance backend (JSON REST API over opportunities, stage history, activities, handoff tasks and analytics)"
)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the API (the default).
    Serve {
        /// On an empty database, first create a demo org with the bundled
        /// CRM sample and print its admin's credentials (email from
        /// GLASSBOX_ADMIN_EMAIL, password from GLASSBOX_ADMIN_PASSWORD or
        /// generated). A database with data is served as it is.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Prune the sync change log once (`serve` also does it hourly): rows
    /// superseded by a later change and deleted records' tombstones older
    /// than GLASSBOX_CHANGE_RETENTION_DAYS (default 30).
    PruneChanges,
    /// Recompute the analytics rollups and forecast cells of every org from
    /// deals and stage history (needed only after loading data with plain
    /// SQL; writes through Glassbox keep them current).
    RebuildRollups,
    /// Print the OpenAPI document.
    Openapi,
    /// Create an org and its first admin. The password comes from
    /// GLASSBOX_ADMIN_PASSWORD, or is generated and printed once.
    Bootstrap {
        /// Org name.
        #[arg(long)]
        org: String,
        /// Admin's email.
        #[arg(long)]
        admin_email: String,
        /// Admin's display name.
        #[arg(long, default_value = "Administrator")]
        admin_name: String,
    },
    /// Import records from files into an org (created when missing).
    Import {
        /// What to import.
        #[command(subcommand)]
        source: ImportSource,
    },
}

/// Importable sources.
#[derive(Debug, Subcommand)]
pub enum ImportSource {
    /// The CRM sample dataset (sales_teams.csv, accounts.csv, products.csv,
    /// sales_pipeline.csv), e.g. the bundled `data/crm-sample`. Imported
    /// users cannot log in until an admin sets their password.
    CrmSample {
        /// Directory holding the four CSV files.
        #[arg(long)]
        dir: PathBuf,
        /// Org to import into (created with default settings when missing).
        #[arg(long, default_value = "CRM Sample")]
        org: String,
        /// Day the undated Prospecting rows are created on (default: the
        /// latest date in sales_pipeline.csv).
        #[arg(long)]
        reference_date: Option<NaiveDate>,
        /// Print how long reading, planning and writing took.
        #[arg(long)]
        timings: bool,
    },
}

/// Runs the command line.
///
/// # Errors
/// A message for the operator.
pub async fn run(cli: Cli) -> Result<(), String> {
    let command = cli.command.unwrap_or(Command::Serve { demo: false });
    if let Command::Openapi = command {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        return match out.write_all(crate::openapi::spec_json().as_bytes()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.to_string()),
            _ => Ok(()),
        };
    }
    let settings = Settings::from_env().map_err(|e| e.to_string())?;
    crate::telemetry::init(&settings.log, settings.log_format);
    settings.validate().map_err(|e| e.to_string())?;
    let clock = settings.clock().map_err(|e| e.to_string())?;
    match command {
        Command::Openapi => Ok(()),
        Command::Serve { demo } => {
            let store = connect(&settings, clock).await?;
            if demo {
                let email = std::env::var("GLASSBOX_ADMIN_EMAIL").ok();
                let password = std::env::var("GLASSBOX_ADMIN_PASSWORD").ok();
                import::seed_demo(&store, email.as_deref(), password.as_deref()).await?;
            }
            tokio::spawn(prune_hourly(store.clone(), settings.change_retention_days));
            tokio::spawn(snapshots_every_minute(store.clone()));
            let app = Application::build_with_store(&settings, store).map_err(|e: StartupError| e.to_string())?;
            tracing::info!(bind = %settings.bind, port = app.port(), "serving; docs at /docs, spec at /openapi.json");
            app.run_until_stopped().await.map_err(|e| e.to_string())
        }
        Command::Migrate => {
            let store = connect(&settings, clock).await?;
            println!("migrations applied to {}", store.backend_name());
            Ok(())
        }
        Command::PruneChanges => {
            let store = connect(&settings, clock).await?;
            let report = store
                .prune_changes(chrono::TimeDelta::days(settings.change_retention_days))
                .await
                .map_err(|e| e.to_string())?;
            println!("pruned {} change rows ({} deleted records)", report.rows, report.tombstones);
            Ok(())
        }
        Command::RebuildRollups => {
            let store = connect(&settings, clock).await?;
            let started = std::time::Instant::now();
            let deals = store.rebuild_rollups(None).await.map_err(|e| e.to_string())?;
            println!(
                "rollups rebuilt from {deals} opportunities in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Bootstrap {
            org,
            admin_email,
            admin_name,
        } => {
            let (password, generated) = admin_password();
            let store = connect(&settings, clock).await?;
            let (org, admin_id) = bootstrap(&store, &org, &admin_email, &admin_name, &password).await?;
            println!(
                "org_id:   {}\nadmin_id: {admin_id}\nemail:    {}",
                org.id,
                admin_email.trim().to_lowercase()
            );
            if generated {
                println!("password: {password}\n(shown once; store it now)");
            }
            Ok(())
        }
        Command::Import {
            source:
                ImportSource::CrmSample {
                    dir,
                    org,
                    reference_date,
                    timings,
                },
        } => {
            let store = connect(&settings, clock).await?;
            let outcome = import::crm_sample_dir(&store, &dir, &org, reference_date).await?;
            print!("{}", outcome.report(timings));
            Ok(())
        }
    }
}

/// Prunes the change log, drops all-zero rollup cells, builds rollups of
/// orgs that have none (new since rollups existed, or left stale by a failed
/// rebuild) and fits the day's forecast models ahead of the first forecast,
/// now and then every hour, for as long as the server runs; a failed run is
/// logged and retried an hour later.
async fn prune_hourly(store: Store, retention_days: i64) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        if let Err(e) = store.prune_changes(chrono::TimeDelta::days(retention_days)).await {
            tracing::warn!(error = %e, "pruning the change log failed");
        }
        if let Err(e) = store.compact_rollups().await {
            tracing::warn!(error = %e, "compacting analytics rollups failed");
        }
        rebuild_missing_rollups(store.clone()).await;
        match store.warm_forecast_fits().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(fits = n, "history-based forecast models fitted for the day"),
            Err(e) => tracing::warn!(error = %e, "fitting forecast models ahead failed; the first forecast fits them"),
        }
    }
}

/// Takes the scheduled forecast snapshots that fall due, checking every
/// minute for as long as the server runs.
async fn snapshots_every_minute(store: Store) {
    let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        every_minute.tick().await;
        match crate::routes::forecasts::snapshots::take_due_snapshots(&store).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(snapshots = n, "scheduled forecast snapshots kept"),
            Err(e) => tracing::warn!(error = %e, "claiming scheduled forecast snapshots failed"),
        }
    }
}

/// Builds the rollups of orgs that have none yet (orgs created before
/// rollups existed); until then their reports read stage history.
async fn rebuild_missing_rollups(store: Store) {
    match store.rebuild_missing_rollups().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(orgs = n, "analytics rollups built"),
        Err(e) => tracing::warn!(error = %e, "building analytics rollups failed; reports read stage history"),
    }
}

/// Connects to the configured database and applies pending migrations.
async fn connect(settings: &Settings, clock: std::sync::Arc<dyn glassbox_domain::Clock>) -> Result<Store, String> {
    let store = Store::connect(&settings.database_url, settings.pool_options(), clock)
        .await
        .map_err(|e| e.to_string())?;
    store.migrate().await.map_err(|e| e.to_string())?;
    Ok(store)
}

/// GLASSBOX_ADMIN_PASSWORD, or a generated one (`true`: print it once).
fn admin_password() -> (String, bool) {
    match std::env::var("GLASSBOX_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => (p, false),
        _ => (generate_password(), true),
    }
}

/// 18 random bytes, base64url: 24 characters.
fn generate_password() -> String {
    let mut bytes = [0u8; 18];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Creates an org with default settings and its first admin.
///
/// # Errors
/// A message naming the invalid input or the storage failure.
pub async fn bootstrap(store: &Store, org: &str, admin_email: &str, admin_name: &str, password: &str) -> Result<(Org, Uuid), String> {
    bootstrap_with_hash(store, org, admin_email, admin_name, password)
        .await
        .map(|(org, admin_id, _)| (org, admin_id))
}

/// [`bootstrap`], also returning the admin's password hash (the demo gives
/// it to every imported user instead of hashing the password again).
async fn bootstrap_with_hash(
    store: &Store,
    org: &str,
    admin_email: &str,
    admin_name: &str,
    password: &str,
) -> Result<(Org, Uuid, String), String> {
    let new_org = NewOrg::with_defaults(org).map_err(|e| e.to_string())?;
    let admin = NewUser::parse(NewUserInput {
        id: None,
        name: admin_name,
        email: admin_email,
        role: Role::Admin,
        password,
        team_ids: Vec::new(),
    })
    .map_err(|e| e.to_string())?;
    let secret = admin.password.clone();
    let hash = password::off_thread(move || password::hash(secret.expose()))
        .await
        .and_then(|h| h)
        .map_err(|e| e.to_string())?;
    let (org, admin_id) = store
        .create_org_with_admin(new_org, admin, hash.clone())
        .await
        .map_err(|e| e.to_string())?;
    Ok((org, admin_id, hash))
}
