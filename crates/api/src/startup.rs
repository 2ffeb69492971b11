//! Builds the app from [`Settings`] and binds the listener (port 0 in tests).

use std::net::TcpListener;
use std::sync::Arc;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use chrono::Duration;
use glassbox_domain::{Clock, DomainError};
use glassbox_persistence::Store;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::jwt::JwtKeys;
use crate::config::Settings;
use crate::error::ApiError;
use crate::extract::BodyLimit;
use crate::middleware::request_context;
use crate::openapi::{ApiDoc, RouteTable};
use crate::state::AppState;

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// A setting is wrong.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The database could not be opened or migrated.
    #[error("database: {0}")]
    Database(#[from] DomainError),
    /// The listener could not be bound.
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
}

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Connects and migrates the database, then binds `settings.bind`.
    ///
    /// # Errors
    /// [`StartupError`] with what to fix.
    pub async fn build(settings: &Settings, clock: Arc<dyn Clock>) -> Result<Self, StartupError> {
        let store = Store::connect(&settings.database_url, settings.pool_options(), clock).await?;
        store.migrate().await?;
        Self::build_with_store(settings, store)
    }

    /// Binds the server on an already connected and migrated store.
    ///
    /// # Errors
    /// [`StartupError`] with what to fix.
    pub fn build_with_store(settings: &Settings, store: Store) -> Result<Self, StartupError> {
        settings.validate()?;
        let secret = settings.jwt_secret()?;
        let state = web::Data::new(AppState {
            store,
            jwt: JwtKeys::new(&secret, Duration::seconds(settings.access_token_ttl))?,
            refresh_ttl: Duration::seconds(settings.refresh_token_ttl),
            logins: crate::login_throttle::LoginThrottle::new(settings.login_attempts_per_minute),
        });
        let listener = TcpListener::bind(&settings.bind)?;
        let port = listener.local_addr()?.port();
        let routes = web::Data::new(RouteTable::from_spec(&crate::openapi::spec()).with_extra(&[
            ("/openapi.json", &["GET"]),
            ("/docs", &["GET"]),
            ("/docs/{_:.*}", &["GET"]),
        ]));
        let limit = web::Data::new(BodyLimit(settings.body_limit));
        let rate_limits = web::Data::new(crate::rate_limit::RateLimits::new(settings.rate_limit_per_minute));
        let idle = rate_limits.clone();
        let idle_logins = state.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
            loop {
                every.tick().await;
                if let Some(limits) = idle.as_ref() {
                    limits.shrink();
                }
                idle_logins.logins.shrink();
            }
        });
        let origins = settings.cors_origin_list();
        let mut server = HttpServer::new(move || {
            let (app, mut api) = App::new()
                .into_utoipa_app()
                .openapi(ApiDoc::openapi())
                .app_data(state.clone())
                .app_data(limit.clone())
                .app_data(rate_limits.clone())
                .app_data(routes.clone())
                .app_data(web::PathConfig::default().error_handler(|_, req| path_error(req).into()))
                .configure(crate::routes::configure)
                .split_for_parts();
            crate::openapi::refine(&mut api);
            app.service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", api))
                .route("/docs", web::get().to(docs_redirect))
                .default_service(web::to(fallback))
                .wrap(from_fn(crate::audit::audit))
                .wrap(from_fn(crate::idempotency::idempotency))
                .wrap(from_fn(crate::rate_limit::rate_limit))
                .wrap(cors(&origins))
                .wrap(from_fn(request_context))
        })
        .listen(listener)?
        .shutdown_timeout(30);
        if let Some(workers) = settings.workers {
            server = server.workers(workers);
        }
        Ok(Self {
            port,
            server: server.run(),
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM/SIGINT, then drains in-flight requests (≤ 30 s).
    ///
    /// # Errors
    /// I/O failures of the server.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PATCH", "PUT", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            header::ETAG,
            header::HeaderName::from_static("x-request-id"),
            header::LOCATION,
            header::RETRY_AFTER,
        ])
        .max_age(3600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

/// A path segment that does not parse: a method the literal path (such as
/// `/opportunities/changes`, caught by `/opportunities/{id}`) does not
/// accept is 405 with `Allow`; anything else is an unknown record.
fn path_error(req: &HttpRequest) -> ApiError {
    let allowed = req.app_data::<web::Data<RouteTable>>().and_then(|r| r.allowed(req.path()));
    match allowed {
        Some(allow) if !allow.iter().any(|m| m == req.method().as_str()) => ApiError::MethodNotAllowed { allow },
        _ => ApiError::from(DomainError::NotFound("record")),
    }
}

async fn fallback(req: HttpRequest, routes: web::Data<RouteTable>) -> Result<HttpResponse, ApiError> {
    Err(match routes.allowed(req.path()) {
        Some(allow) => ApiError::MethodNotAllowed { allow },
        None => ApiError::NoRoute,
    })
}
