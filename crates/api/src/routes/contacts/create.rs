//! `POST /api/v1/contacts`: one handler.
use actix_web::{HttpResponse, post, web};
use glassbox_domain::account::Contact;

use crate::auth::Caller;
use crate::dto::account::{ContactDto, ContactInput};
use crate::error::ApiError;
use crate::error::responses::CreateProblems;
use crate::extract::JsonBody;
use crate::routes::created;
use crate::state::AppState;

/// Creates a contact; references to records of other orgs or missing ones
/// are 422 naming the field.
#[utoipa::path(
    tag = "contacts",
    operation_id = "create_contact",
    request_body = ContactInput,
    responses((status = 201, description = "Created", body = ContactDto), CreateProblems),
    security(("bearer" = []))
)]
#[post("/contacts")]
pub async fn create_contact(state: web::Data<AppState>, caller: Caller, body: JsonBody<ContactInput>) -> Result<HttpResponse, ApiError> {
    let scope = &caller.0;
    let now = state.store.clock().now();
    let mut record = Contact {
        id: glassbox_domain::id::new_record_id("id", body.0.id)?,
        org_id: scope.org_id,
        account_id: None,
        name: String::new(),
        email: None,
        phone: None,
        title: None,
        version: 0,
        created_at: now,
        updated_at: now,
    };
    body.0.apply(&mut record, true)?;
    let saved = state.store.save_contact(scope, record, None).await?;
    Ok(created(
        format!("/api/v1/contacts/{}", saved.id),
        saved.version,
        &ContactDto::from(saved),
    ))
}
