//! Quotas per user or team and fiscal period.

pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod update;

/// The (length, first day) of a fiscal period filter, in the org's fiscal
/// calendar as it is now.
///
/// # Errors
/// 422 naming `period`.
pub(crate) async fn period_filter(
    state: &crate::state::AppState,
    scope: &glassbox_domain::Scope,
    raw: Option<&str>,
) -> Result<Option<(glassbox_domain::forecast::PeriodKind, chrono::NaiveDate)>, crate::error::ApiError> {
    let Some(raw) = raw else { return Ok(None) };
    let p = glassbox_domain::forecast::FiscalPeriod::parse("period", raw)?;
    let org = state.store.get_org(scope).await?;
    Ok(Some((p.kind, p.first_day(crate::dto::quota::fiscal_start(&org)?))))
}
