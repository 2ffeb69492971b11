//! `POST /api/v1/accounts`: one handler.
use actix_web::{HttpResponse, post, web};
use glassbox_domain::account::Account;

use crate::auth::Caller;
use crate::dto::account::{AccountDto, AccountInput};
use crate::error::ApiError;
use crate::error::responses::CreateProblems;
use crate::extract::JsonBody;
use crate::routes::created;
use crate::state::AppState;

/// Creates a account; references to records of other orgs or missing ones
/// are 422 naming the field.
#[utoipa::path(
    tag = "accounts",
    operation_id = "create_account",
    request_body = AccountInput,
    responses((status = 201, description = "Created", body = AccountDto), CreateProblems),
    security(("bearer" = []))
)]
#[post("/accounts")]
pub async fn create_account(state: web::Data<AppState>, caller: Caller, body: JsonBody<AccountInput>) -> Result<HttpResponse, ApiError> {
    let scope = &caller.0;
    let org = state.store.get_org(scope).await?;
    let mut record = Account {
        id: glassbox_domain::id::new_record_id("id", body.0.id)?,
        org_id: scope.org_id,
        name: String::new(),
        parent_account_id: None,
        industry: None,
        website: None,
        employees: None,
        annual_revenue_minor: None,
        currency: org.base_currency,
        owner_id: scope.user_id,
        external_id: None,
        version: 0,
        created_at: org.created_at,
        updated_at: org.created_at,
    };
    body.0.apply(&mut record, true)?;
    let saved = state.store.save_account(scope, record, None).await?;
    Ok(created(
        format!("/api/v1/accounts/{}", saved.id),
        saved.version,
        &AccountDto::from(saved),
    ))
}
