//! Opportunities and the rules of moving them through stages.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::error::{DomainError, FieldError};
use crate::org::TimeZone;
use crate::pipeline::{ForecastCategory, Stage, StageKind};

/// Open, won or lost: the kind of the current stage.
pub type Status = StageKind;

/// An opportunity (deal). Money is kept in minor units beside its currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opportunity {
    /// Id.
    pub id: Uuid,
    /// Tenant.
    pub org_id: Uuid,
    /// Deal name.
    pub name: String,
    /// Customer account.
    pub account_id: Option<Uuid>,
    /// Owning rep.
    pub owner_id: Uuid,
    /// Pipeline.
    pub pipeline_id: Uuid,
    /// Current stage.
    pub stage_id: Uuid,
    /// Kind of the current stage (open, won, lost).
    pub status: Status,
    /// Amount in minor units of `currency`, if known.
    pub amount_minor: Option<i64>,
    /// ISO 4217 currency of the amount.
    pub currency: String,
    /// Expected (open) or actual (closed) close date, org-local.
    pub close_date: Option<NaiveDate>,
    /// Forecast category.
    pub forecast_category: ForecastCategory,
    /// Next step.
    pub next_step: Option<String>,
    /// Lead source.
    pub lead_source: Option<String>,
    /// Campaign that sourced the deal.
    pub campaign_id: Option<Uuid>,
    /// Main product.
    pub product_id: Option<Uuid>,
    /// Why it was lost.
    pub loss_reason: Option<String>,
    /// When it entered a won or lost stage; `None` while open.
    pub closed_at: Option<DateTime<Utc>>,
    /// When it entered its current stage.
    pub stage_entered_at: DateTime<Utc>,
    /// Latest activity logged on it.
    pub last_activity_at: Option<DateTime<Utc>>,
    /// Id in an external system (imports, integrations); unique per org.
    pub external_id: Option<String>,
    /// Version.
    pub version: i64,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
    /// Last write.
    pub updated_at: DateTime<Utc>,
}

/// A change to one tracked field, for the field history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// Field name: amount, currency, close_date, owner_id, forecast_category or stage_id.
    pub field: &'static str,
    /// Value before, as its wire string.
    pub old_value: Option<String>,
    /// Value after.
    pub new_value: Option<String>,
}

/// A stage move: the new stage-history row (and the previous row's exit time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageMove {
    /// Stage left (`None` on creation).
    pub from_stage_id: Option<Uuid>,
    /// Stage entered.
    pub to_stage_id: Uuid,
    /// When: entered_at of the new row and exited_at of the previous one.
    pub at: DateTime<Utc>,
}

/// What a request sets; `None` leaves a field, `Some(None)` clears a
/// nullable one.
#[derive(Debug, Clone, Default)]
pub struct OpportunityChanges {
    /// New name.
    pub name: Option<String>,
    /// New account.
    pub account_id: Option<Option<Uuid>>,
    /// New owner.
    pub owner_id: Option<Uuid>,
    /// New stage (a move).
    pub stage_id: Option<Uuid>,
    /// New amount (minor units of the resulting currency).
    pub amount_minor: Option<Option<i64>>,
    /// New currency.
    pub currency: Option<String>,
    /// New close date.
    pub close_date: Option<Option<NaiveDate>>,
    /// New forecast category.
    pub forecast_category: Option<ForecastCategory>,
    /// New next step.
    pub next_step: Option<Option<String>>,
    /// New lead source.
    pub lead_source: Option<Option<String>>,
    /// New campaign.
    pub campaign_id: Option<Option<Uuid>>,
    /// New product.
    pub product_id: Option<Option<Uuid>>,
    /// New loss reason.
    pub loss_reason: Option<Option<String>>,
    /// New external id.
    pub external_id: Option<Option<String>>,
}

/// The outcome of applying changes: the new record, its field history and
/// the stage move, if any.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The opportunity after the change (version not yet bumped).
    pub opportunity: Opportunity,
    /// Field-history rows to write.
    pub field_changes: Vec<FieldChange>,
    /// Stage-history row to write.
    pub stage_move: Option<StageMove>,
}

/// Applies `changes` to `current` at `now`, following the stage rules:
/// - entering another stage records a move, sets `stage_entered_at`, takes
///   the stage's forecast category unless the request sets one;
/// - entering won or lost sets `closed_at = now` and `close_date` to the
///   org-local date of `now` unless the request sets it (HubSpot's documented
///   behaviour for closed deals); leaving a closed stage clears `closed_at`,
///   and leaving lost clears `loss_reason` unless the request sets it;
/// - entering a lost stage needs a `loss_reason`, and a lost deal's reason
///   cannot be cleared; a stage's `required_fields` must all be set after
///   the change (stage gates).
///
/// `target` is the stage named by `changes.stage_id` (already checked to be
/// in the opportunity's pipeline).
///
/// # Errors
/// [`DomainError::Validation`] listing every missing gate field
/// (`required_by_stage`) or the missing `loss_reason`.
pub fn apply(
    current: &Opportunity,
    changes: OpportunityChanges,
    target: Option<&Stage>,
    now: DateTime<Utc>,
    tz: TimeZone,
) -> Result<Applied, DomainError> {
    let mut next = current.clone();
    let close_date_set = changes.close_date.is_some();
    let category_set = changes.forecast_category.is_some();
    let loss_reason_set = changes.loss_reason.is_some();
    if let Some(v) = changes.name {
        next.name = v;
    }
    if let Some(v) = changes.account_id {
        next.account_id = v;
    }
    if let Some(v) = changes.owner_id {
        next.owner_id = v;
    }
    if let Some(v) = changes.amount_minor {
        next.amount_minor = v;
    }
    if let Some(v) = changes.currency {
        next.currency = v;
    }
    if let Some(v) = changes.close_date {
        next.close_date = v;
    }
    if let Some(v) = changes.forecast_category {
        next.forecast_category = v;
    }
    if let Some(v) = changes.next_step {
        next.next_step = v;
    }
    if let Some(v) = changes.lead_source {
        next.lead_source = v;
    }
    if let Some(v) = changes.campaign_id {
        next.campaign_id = v;
    }
    if let Some(v) = changes.product_id {
        next.product_id = v;
    }
    if let Some(v) = changes.loss_reason {
        next.loss_reason = v;
    }
    if let Some(v) = changes.external_id {
        next.external_id = v;
    }
    let mut stage_move = None;
    match target.filter(|s| s.id != current.stage_id) {
        Some(stage) => {
            stage_move = Some(StageMove {
                from_stage_id: Some(current.stage_id),
                to_stage_id: stage.id,
                at: now,
            });
            if current.status == StageKind::Lost && stage.kind != StageKind::Lost && !loss_reason_set {
                next.loss_reason = None;
            }
            enter_stage(&mut next, stage, now, tz, close_date_set, category_set);
            check_gates(&next, stage)?;
        }
        // Clearing the reason of a lost deal is refused; a lost deal that
        // never had one (imported) can still be edited otherwise.
        None if loss_reason_set && next.status == StageKind::Lost && next.loss_reason.as_deref().is_none_or(|r| r.trim().is_empty()) => {
            return Err(DomainError::invalid("loss_reason", "required", "a lost deal needs a loss_reason"));
        }
        None => {}
    }
    let field_changes = diff(current, &next);
    Ok(Applied {
        opportunity: next,
        field_changes,
        stage_move,
    })
}

/// Sets the stage-dependent fields of an opportunity entering `stage` at
/// `now` (also used on creation).
pub fn enter_stage(opp: &mut Opportunity, stage: &Stage, now: DateTime<Utc>, tz: TimeZone, close_date_set: bool, category_set: bool) {
    opp.stage_id = stage.id;
    opp.status = stage.kind;
    opp.stage_entered_at = now;
    if !category_set {
        opp.forecast_category = stage.forecast_category;
    }
    if stage.kind.is_closed() {
        opp.closed_at = Some(now);
        if !close_date_set {
            opp.close_date = Some(now.with_timezone(&tz.tz()).date_naive());
        }
    } else {
        opp.closed_at = None;
    }
}

/// Checks the stage gates of `stage` and the loss reason of a lost stage.
///
/// # Errors
/// [`DomainError::Validation`] with one entry per missing field.
pub fn check_gates(opp: &Opportunity, stage: &Stage) -> Result<(), DomainError> {
    let mut missing: Vec<FieldError> = stage
        .required_fields
        .iter()
        .filter(|f| !is_set(opp, f))
        .map(|f| FieldError::new(f.as_str(), "required_by_stage", format!("stage `{}` requires {f}", stage.name)))
        .collect();
    if stage.kind == StageKind::Lost && opp.loss_reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        missing.push(FieldError::new(
            "loss_reason",
            "required",
            "entering a lost stage needs a loss_reason",
        ));
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Validation(missing))
    }
}

fn is_set(opp: &Opportunity, field: &str) -> bool {
    match field {
        "amount" => opp.amount_minor.is_some(),
        "close_date" => opp.close_date.is_some(),
        "account_id" => opp.account_id.is_some(),
        "next_step" => opp.next_step.as_deref().is_some_and(|s| !s.trim().is_empty()),
        "product_id" => opp.product_id.is_some(),
        "lead_source" => opp.lead_source.is_some(),
        "campaign_id" => opp.campaign_id.is_some(),
        _ => true,
    }
}

/// Field-history rows between two states of the tracked fields.
pub fn diff(old: &Opportunity, new: &Opportunity) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let mut track = |field: &'static str, a: Option<String>, b: Option<String>| {
        if a != b {
            out.push(FieldChange {
                field,
                old_value: a,
                new_value: b,
            });
        }
    };
    track("stage_id", Some(old.stage_id.to_string()), Some(new.stage_id.to_string()));
    let money = |minor: Option<i64>, currency: &str| {
        let exponent = crate::org::Currency::parse("currency", currency).map(|c| c.exponent()).unwrap_or(2);
        minor.map(|m| crate::money::format_minor(i128::from(m), exponent))
    };
    track(
        "amount",
        money(old.amount_minor, &old.currency),
        money(new.amount_minor, &new.currency),
    );
    track("currency", Some(old.currency.clone()), Some(new.currency.clone()));
    track(
        "close_date",
        old.close_date.map(|d| d.to_string()),
        new.close_date.map(|d| d.to_string()),
    );
    track("owner_id", Some(old.owner_id.to_string()), Some(new.owner_id.to_string()));
    track(
        "forecast_category",
        Some(old.forecast_category.as_str().to_owned()),
        Some(new.forecast_category.as_str().to_owned()),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(name: &str, kind: StageKind, category: ForecastCategory, required: &[&str]) -> Stage {
        Stage {
            id: Uuid::now_v7(),
            pipeline_id: Uuid::nil(),
            name: name.into(),
            position: 1,
            probability: 10,
            kind,
            forecast_category: category,
            rotting_days: None,
            required_fields: required.iter().map(|s| s.to_string()).collect(),
            version: 1,
        }
    }

    fn opp(stage: &Stage, at: DateTime<Utc>) -> Opportunity {
        Opportunity {
            id: Uuid::now_v7(),
            org_id: Uuid::now_v7(),
            name: "Deal".into(),
            account_id: None,
            owner_id: Uuid::now_v7(),
            pipeline_id: stage.pipeline_id,
            stage_id: stage.id,
            status: stage.kind,
            amount_minor: Some(1000),
            currency: "USD".into(),
            close_date: None,
            forecast_category: stage.forecast_category,
            next_step: None,
            lead_source: None,
            campaign_id: None,
            product_id: None,
            loss_reason: None,
            closed_at: None,
            stage_entered_at: at,
            last_activity_at: None,
            external_id: None,
            version: 1,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn closing_sets_closed_at_and_the_org_local_close_date_and_reopening_clears_it() {
        let open = stage("Prospecting", StageKind::Open, ForecastCategory::Pipeline, &[]);
        let lost = stage("Lost", StageKind::Lost, ForecastCategory::Omitted, &[]);
        let t0: DateTime<Utc> = "2017-03-01T09:00:00Z".parse().unwrap();
        let tz = TimeZone::parse("tz", "Asia/Shanghai").unwrap();
        let start = opp(&open, t0);
        let late: DateTime<Utc> = "2017-03-05T20:00:00Z".parse().unwrap(); // 04:00 on the 6th in Shanghai
        let no_reason = OpportunityChanges {
            stage_id: Some(lost.id),
            ..Default::default()
        };
        let err = apply(&start, no_reason, Some(&lost), late, tz).unwrap_err();
        assert!(matches!(err, DomainError::Validation(ref e) if e[0].field == "loss_reason"));
        let changes = OpportunityChanges {
            stage_id: Some(lost.id),
            loss_reason: Some(Some("price".into())),
            ..Default::default()
        };
        let closed = apply(&start, changes, Some(&lost), late, tz).unwrap();
        let o = &closed.opportunity;
        assert_eq!(o.closed_at, Some(late));
        assert_eq!(o.close_date, Some(NaiveDate::from_ymd_opt(2017, 3, 6).unwrap()));
        assert_eq!(o.forecast_category, ForecastCategory::Omitted);
        assert_eq!(closed.stage_move.as_ref().unwrap().from_stage_id, Some(open.id));
        let fields: Vec<_> = closed.field_changes.iter().map(|c| c.field).collect();
        assert_eq!(fields, ["stage_id", "close_date", "forecast_category"]);
        // Its reason cannot be cleared; a lost deal without one (imported)
        // still takes other changes.
        let clear = OpportunityChanges {
            loss_reason: Some(None),
            ..Default::default()
        };
        let err = apply(o, clear, None, late, tz).unwrap_err();
        assert!(matches!(err, DomainError::Validation(ref e) if e[0].field == "loss_reason"));
        let imported = Opportunity {
            loss_reason: None,
            ..o.clone()
        };
        let amount = OpportunityChanges {
            amount_minor: Some(Some(500)),
            ..Default::default()
        };
        assert_eq!(
            apply(&imported, amount, None, late, tz).unwrap().opportunity.amount_minor,
            Some(500)
        );
        let reopen = OpportunityChanges {
            stage_id: Some(open.id),
            ..Default::default()
        };
        let reopened = apply(o, reopen, Some(&open), late, tz).unwrap().opportunity;
        assert_eq!(reopened.closed_at, None);
        assert_eq!(reopened.loss_reason, None);
        assert_eq!(reopened.status, StageKind::Open);
    }

    #[test]
    fn stage_gates_name_every_missing_field() {
        let open = stage("Prospecting", StageKind::Open, ForecastCategory::Pipeline, &[]);
        let gated = stage(
            "Proposal",
            StageKind::Open,
            ForecastCategory::BestCase,
            &["close_date", "next_step", "amount"],
        );
        let t0: DateTime<Utc> = "2017-03-01T09:00:00Z".parse().unwrap();
        let tz = TimeZone::parse("tz", "UTC").unwrap();
        let changes = OpportunityChanges {
            stage_id: Some(gated.id),
            ..Default::default()
        };
        let DomainError::Validation(errs) = apply(&opp(&open, t0), changes, Some(&gated), t0, tz).unwrap_err() else {
            panic!()
        };
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["close_date", "next_step"]);
        assert!(errs.iter().all(|e| e.code == "required_by_stage"));
    }
}
