//! The OpenAPI 3.1 document, generated from the registered routes.

use actix_web::App;
use actix_web::dev::ResourceDef;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::error::{Problem, ProblemField};

/// Top-level document: info, tags, the bearer scheme, shared schemas.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Glassbox API",
        description = "Sales-performance backend: opportunities through pipeline stages with full history, \
activities, cross-department handoff tasks with SLAs, and analytics computed from that history.\n\n\
Conventions: JSON with snake_case fields; RFC 3339 UTC timestamps; money as decimal strings beside an ISO 4217 \
currency; keyset pagination (`limit`, `cursor` → `next_cursor`); `ETag`/`If-Match` optimistic concurrency \
(412 carries the current record); errors as RFC 9457 `application/problem+json` with `code`, `request_id` and \
per-field `errors`. Every response carries `X-Request-Id`. Every POST accepts `Idempotency-Key` (1–255 visible ASCII \
characters, kept 24 hours per org): a retry with the same key and request gets the first status and body with \
`Idempotent-Replayed: true` and writes nothing; the same key with another request is 422; while the first request \
is still running, 409. Integrations authenticate with an API key (`Authorization: Bearer gbx_…`, see `/api/v1/api-keys`): it acts as the admin who created it, limited to its `resource:read`/`resource:write` scopes (403 otherwise); revoked or expired keys get 401. Requests to `/api/` are rate-limited per user (per client address without a valid token): answers carry `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers), and a request over the limit gets 429 `rate_limited` with `Retry-After`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    modifiers(&BearerAuth),
    components(schemas(Problem, ProblemField)),
    tags(
        (name = "system", description = "Liveness and readiness"),
        (name = "auth", description = "Sign-in, refresh-token rotation, the current user"),
        (name = "org", description = "The caller's organization and its settings"),
        (name = "users", description = "People who sign in, with roles and team memberships"),
        (name = "teams", description = "Team hierarchy"),
        (name = "pipelines", description = "Pipelines and their ordered stages"),
        (name = "opportunities", description = "Deals moving through stages, with stage and field history"),
        (name = "accounts", description = "Customer companies"),
        (name = "contacts", description = "People at accounts"),
        (name = "products", description = "The product catalogue"),
        (name = "api-keys", description = "API keys for integrations"),
        (name = "audit", description = "The append-only audit log of writes and sign-ins"),
        (name = "forecasts", description = "Forecasts per fiscal period against quotas"),
        (name = "quotas", description = "Quotas per user or team and fiscal period"),
        (name = "exchange-rates", description = "Exchange rates to the org's base currency"),
        (name = "activities", description = "Calls, meetings, visits, demos, emails and notes"),
        (name = "handoffs", description = "Handoff rules and tasks: work asked of other teams, with business-time SLAs"),
        (name = "analytics", description = "Funnel, stage conversion, stalled deals: computed in SQL from stage history as it stood at `as_of`")
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("Access token from POST /api/v1/auth/token"))
                    .build(),
            ),
        );
    }
}

/// The full spec as the running server serves it at `/openapi.json`.
pub fn spec() -> utoipa::openapi::OpenApi {
    let (_, mut api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    refine(&mut api);
    api
}

/// What the route macros cannot say: the `Idempotency-Key` header of every
/// POST, the exact form of `If-Match`, and nullable generic fields.
pub(crate) fn refine(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{Schema, SchemaType};
    use utoipa::openapi::{ObjectBuilder, RefOr, Type};
    document_idempotency_key(api);
    let if_match: RefOr<Schema> = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(r#"^(\*|"[0-9]+")$"#))
        .into();
    for item in api.paths.paths.values_mut() {
        for op in [item.patch.as_mut(), item.delete.as_mut(), item.post.as_mut(), item.put.as_mut()]
            .into_iter()
            .flatten()
        {
            for p in op.parameters.iter_mut().flatten() {
                let RefOr::T(p) = p else { continue };
                if p.name == "If-Match" {
                    p.schema = Some(if_match.clone());
                }
            }
        }
    }
    // A feed's `record` is null once the record is deleted.
    if let Some(components) = api.components.as_mut() {
        for (name, schema) in components.schemas.iter_mut() {
            let RefOr::T(Schema::Object(change)) = schema else { continue };
            if !name.starts_with("ChangeDto_") {
                continue;
            }
            if let Some(RefOr::T(Schema::Object(record))) = change.properties.get_mut("record") {
                record.schema_type = SchemaType::from_iter([Type::Object, Type::Null]);
            }
        }
    }
}

/// Every POST takes the optional `Idempotency-Key` header (see
/// [`crate::idempotency`]).
pub(crate) fn document_idempotency_key(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::{ObjectBuilder, Required, Type};
    let header = ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Makes a retry safe: the first answer is kept 24 hours per org and key and replayed \
             (with `Idempotent-Replayed: true`) instead of a second write; the key with another \
             request is 422, while the first request runs 409.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^[\\x21-\\x7E]{1,255}$"))
                .min_length(Some(1))
                .max_length(Some(255)),
        ))
        .build();
    for item in api.paths.paths.values_mut() {
        if let Some(post) = item.post.as_mut() {
            post.parameters.get_or_insert_with(Vec::new).push(header.clone().into());
        }
    }
}

/// The spec as pretty JSON with a trailing newline (the committed file's form).
pub fn spec_json() -> String {
    let mut json = spec().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}

/// Paths and their methods, from the spec, to tell 405 from 404.
#[derive(Debug)]
pub struct RouteTable(Vec<(ResourceDef, Vec<String>)>);

impl RouteTable {
    /// Builds the table from a spec.
    pub fn from_spec(spec: &utoipa::openapi::OpenApi) -> Self {
        let routes = spec
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let value = serde_json::to_value(item).unwrap_or_default();
                let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
                    .into_iter()
                    .filter(|m| value.get(m).is_some())
                    .map(str::to_uppercase)
                    .collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        Self(routes)
    }

    /// Adds routes served outside the documented API (docs UI, the spec).
    pub fn with_extra(mut self, routes: &[(&str, &[&str])]) -> Self {
        for (path, methods) in routes {
            self.0
                .push((ResourceDef::new(*path), methods.iter().map(|m| (*m).to_owned()).collect()));
        }
        self
    }

    /// Methods the path accepts, or `None` when no route has this path; a
    /// literal route (`/opportunities/changes`) wins over a templated one
    /// (`/opportunities/{id}`).
    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let matching = || self.0.iter().filter(|(def, _)| def.is_match(path));
        matching()
            .find(|(def, _)| !def.pattern().is_some_and(|p| p.contains('{')))
            .or_else(|| matching().next())
            .map(|(_, m)| m.clone())
    }
}
