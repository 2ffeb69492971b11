//! Funnel and stage conversion read from the rollups: the same figures as
//! the report SQL over stage history, at the end of a local day.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use glassbox_domain::DomainError;
use glassbox_domain::analytics::rollup::{Figures, Metric};
use glassbox_domain::analytics::{Funnel, FunnelStage, Outcomes, StageRef, Transition};
use glassbox_domain::stats::Quantile;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::{ALL_OWNERS, day_number};
use crate::analytics::sql::{SPLIT, Sql};
use crate::error::db_err;

/// Summed cells of one group.
struct Sum {
    metric: i16,
    stage_id: Uuid,
    other_id: Uuid,
    currency: String,
    bucket: i64,
    f: Figures,
}

/// What a read covers.
pub(crate) struct Scope<'a> {
    /// The org.
    pub org: Uuid,
    /// The pipeline.
    pub pipeline: Uuid,
    /// Owners (`None`: everyone).
    pub owners: &'a Option<Vec<Uuid>>,
    /// The day read: figures as they stood at its end.
    pub day: NaiveDate,
}

impl Scope<'_> {
    fn owner_condition(&self, s: &mut Sql) -> String {
        match self.owners {
            None => format!("owner_id = {}", s.bind(ALL_OWNERS)),
            Some(ids) => format!("owner_id IN ({})", s.bind_list(ids.iter().copied())),
        }
    }
}

/// Sums the cells of `metrics` under `cohort` (an SQL condition on the
/// cohort columns, binding through the same builder) as they stood at the
/// end of `scope.day`: from the deltas up to that day, or from the totals
/// minus the deltas after it, whichever reads fewer rows.
async fn sums(
    conn: &impl ConnectionTrait,
    scope: &Scope<'_>,
    metrics: &[Metric],
    cohort: impl Fn(&mut Sql) -> String,
) -> Result<Vec<Sum>, DomainError> {
    let backend = conn.get_database_backend();
    let codes: Vec<i16> = metrics.iter().map(|m| m.code()).collect();
    let d = day_number(scope.day);

    // The first metric's span of days stands for all (two index probes).
    let mut s = Sql::new(backend);
    let (o, p, all, m) = (s.bind(scope.org), s.bind(scope.pipeline), s.bind(ALL_OWNERS), s.bind(codes[0]));
    s.push(&format!(
        "SELECT MIN(day) AS lo, MAX(day) AS hi FROM rollup_deltas \
         WHERE org_id = {o} AND pipeline_id = {p} AND owner_id = {all} AND metric = {m}"
    ));
    let span = s.all(conn).await?;
    let (lo, hi): (Option<i32>, Option<i32>) = match span.first() {
        Some(r) => (r.try_get("", "lo").map_err(db_err)?, r.try_get("", "hi").map_err(db_err)?),
        None => (None, None),
    };

    let mut s = Sql::new(backend);
    let (o, p, m, at) = (
        s.bind(scope.org),
        s.bind(scope.pipeline),
        s.bind_list(codes.iter().copied()),
        s.bind(d),
    );
    let who = scope.owner_condition(&mut s);
    let cohort = cohort(&mut s);
    let base = format!("org_id = {o} AND pipeline_id = {p} AND {who} AND metric IN ({m}) AND ({cohort})");
    let cols = "metric, stage_id, other_id, currency, bucket";
    let values = |sign: &str| {
        format!(
            "{sign}n AS n, {sign}advanced AS advanced, {sign}won AS won, {sign}lost AS lost, {sign}amount_hi AS amount_hi, {sign}amount_lo AS amount_lo"
        )
    };
    let source = match (lo, hi) {
        (Some(lo), Some(hi)) if d < hi && d - lo < hi - d => {
            format!("SELECT {cols}, {} FROM rollup_deltas WHERE {base} AND day <= {at}", values(""))
        }
        (Some(_), Some(hi)) if d < hi => format!(
            "SELECT {cols}, {} FROM rollup_totals WHERE {base} \
             UNION ALL SELECT {cols}, {} FROM rollup_deltas WHERE {base} AND day > {at}",
            values(""),
            values("-")
        ),
        _ => format!("SELECT {cols}, {} FROM rollup_totals WHERE {base}", values("")),
    };
    let sum = |c: &str| format!("CAST(SUM({c}) AS BIGINT) AS {c}");
    s.push(&format!(
        "SELECT {cols}, {}, {}, {}, {}, {}, {} FROM ({source}) AS cells GROUP BY {cols}",
        sum("n"),
        sum("advanced"),
        sum("won"),
        sum("lost"),
        sum("amount_hi"),
        sum("amount_lo")
    ));
    s.all(conn)
        .await?
        .iter()
        .map(|r| {
            let hi: i64 = r.try_get("", "amount_hi")?;
            let lo: i64 = r.try_get("", "amount_lo")?;
            Ok(Sum {
                metric: r.try_get("", "metric")?,
                stage_id: r.try_get("", "stage_id")?,
                other_id: r.try_get("", "other_id")?,
                currency: r.try_get("", "currency")?,
                bucket: r.try_get("", "bucket")?,
                f: Figures {
                    n: r.try_get("", "n")?,
                    advanced: r.try_get("", "advanced")?,
                    won: r.try_get("", "won")?,
                    lost: r.try_get("", "lost")?,
                    amount: i128::from(hi) * i128::from(SPLIT) + i128::from(lo),
                },
            })
        })
        .collect::<Result<_, sea_orm::DbErr>>()
        .map_err(db_err)
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn outcomes(f: &Figures) -> Outcomes {
    Outcomes {
        won: count(f.won),
        lost: count(f.lost),
        open: count(f.n - f.won - f.lost),
    }
}

/// The funnel of the deals created on days `from..=to` (and by the day
/// read), per stage of `stages` in order.
///
/// # Errors
/// [`DomainError::Internal`] on storage failure.
pub(crate) async fn funnel(
    conn: &impl ConnectionTrait,
    scope: &Scope<'_>,
    stages: &[StageRef],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Funnel, DomainError> {
    let last = day_number(to.min(scope.day));
    let rows = sums(conn, scope, &[Metric::Funnel, Metric::Stay], |s| {
        format!("cohort >= {} AND cohort <= {}", s.bind(day_number(from)), s.bind(last))
    })
    .await?;
    let mut per_stage: HashMap<Uuid, Figures> = HashMap::new();
    let mut amounts: HashMap<Uuid, BTreeMap<String, i128>> = HashMap::new();
    let mut stays: HashMap<Uuid, Vec<(i64, i64)>> = HashMap::new();
    let mut own = Figures::default();
    for r in rows {
        if r.metric == Metric::Stay.code() {
            stays.entry(r.stage_id).or_default().push((r.bucket, r.f.n));
        } else if r.stage_id.is_nil() {
            own.add(&r.f, 1);
        } else {
            per_stage.entry(r.stage_id).or_default().add(&r.f, 1);
            if r.f.n != 0 {
                *amounts.entry(r.stage_id).or_default().entry(r.currency).or_default() += r.f.amount;
            }
        }
    }
    let stages = stages
        .iter()
        .map(|st| {
            let f = per_stage.remove(&st.id).unwrap_or_default();
            FunnelStage {
                stage: st.clone(),
                reached: count(f.n),
                amounts: amounts.remove(&st.id).unwrap_or_default().into_iter().collect(),
                advanced: count(f.advanced),
                outcomes: outcomes(&f),
                median_days: stays.get(&st.id).and_then(|h| Quantile::MEDIAN.of_histogram(h)),
            }
        })
        .collect();
    Ok(Funnel {
        outcomes: outcomes(&own),
        stages,
    })
}

/// Stage conversion of entries on days `from..=to`: per stage the deals
/// that entered it by where they stood at the day read, and the moves.
///
/// # Errors
/// [`DomainError::Internal`] on storage failure.
pub(crate) async fn conversion(
    conn: &impl ConnectionTrait,
    scope: &Scope<'_>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(HashMap<Uuid, Outcomes>, Vec<Transition>), DomainError> {
    let (first, last) = (day_number(from), day_number(to));
    let rows = sums(conn, scope, &[Metric::Entry, Metric::EntryPair], |s| {
        let (a, b) = (s.bind(first), s.bind(last));
        format!(
            "(metric = {} AND cohort >= {a} AND cohort <= {b}) OR (metric = {} AND cohort >= {a} AND cohort2 <= {b})",
            Metric::Entry.code(),
            Metric::EntryPair.code()
        )
    })
    .await?;
    let mut per_stage: HashMap<Uuid, Figures> = HashMap::new();
    for r in rows {
        per_stage.entry(r.stage_id).or_default().add(&r.f, 1);
    }
    let per_stage = per_stage
        .into_iter()
        .filter(|(_, f)| f.n != 0)
        .map(|(id, f)| (id, outcomes(&f)))
        .collect();
    // Moves carry no later change: their totals, entered by the day read.
    let moves_to = day_number(to.min(scope.day));
    let far_past = Scope {
        day: NaiveDate::MAX,
        ..*scope
    };
    let rows = sums(conn, &far_past, &[Metric::Transition], |s| {
        format!("cohort >= {} AND cohort <= {}", s.bind(first), s.bind(moves_to))
    })
    .await?;
    let transitions = rows
        .into_iter()
        .filter(|r| r.f.n != 0)
        .map(|r| Transition {
            from_stage_id: r.other_id,
            to_stage_id: r.stage_id,
            count: count(r.f.n),
        })
        .collect();
    Ok((per_stage, transitions))
}
