//! The signed-in user.

use actix_web::{get, web, web::Json};

use crate::auth::Caller;
use crate::dto::user::MeDto;
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::state::AppState;

/// The caller, their org and the teams they can see.
#[utoipa::path(
    tag = "auth",
    operation_id = "get_me",
    responses((status = 200, description = "The caller", body = MeDto), ReadProblems),
    security(("bearer" = []))
)]
#[get("/me")]
pub async fn get_me(state: web::Data<AppState>, caller: Caller) -> Result<Json<MeDto>, ApiError> {
    let scope = caller.0;
    let user = state.store.get_user(&scope, scope.user_id).await?;
    let org = state.store.get_org(&scope).await?;
    Ok(Json(MeDto {
        user: user.into(),
        org: (org, state.store.org_calendar(&scope).await?).into(),
        visible_team_ids: scope.visible_team_ids,
    }))
}
