//! How fast and how well a team answers handoff tasks.

use chrono::{DateTime, Utc};

use super::{HandoffTask, TaskStatus};
use crate::calendar::BusinessCalendar;
use crate::stats::percentile;

/// SLA results of the tasks whose outcome is known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SlaTally {
    /// Tasks that met the SLA.
    pub met: u64,
    /// Tasks whose outcome is known: met, or missed (the due time passed
    /// without the answer or completion). Tasks still inside their SLA, and
    /// tasks withdrawn before their due time, are not counted.
    pub measured: u64,
}

impl SlaTally {
    fn add(&mut self, outcome: Option<bool>) {
        if let Some(met) = outcome {
            self.measured += 1;
            self.met += u64::from(met);
        }
    }

    /// `100 · met / measured`; `None` when nothing is measured.
    pub fn met_pct(&self) -> Option<f64> {
        (self.measured > 0).then(|| 100.0 * self.met as f64 / self.measured as f64)
    }
}

/// Response and quality figures of a set of tasks.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskMetrics {
    /// Tasks per status, in [`TaskStatus::ALL`] order.
    pub by_status: Vec<(TaskStatus, u64)>,
    /// Business minutes from creation to the first answer (accept or
    /// decline) of every answered task, ascending.
    pub response_minutes: Vec<i64>,
    /// Response SLA (first answer by `response_due_at`).
    pub response_sla: SlaTally,
    /// Completion SLA (done by `due_at`; declined tasks owe no completion).
    pub completion_sla: SlaTally,
    /// Number of rated tasks.
    pub rated: u64,
    /// Sum of their ratings (1–5 each).
    pub rating_sum: u64,
}

impl TaskMetrics {
    /// Figures of `tasks`, judging tasks still waiting at `now`, with
    /// response times counted on `calendar`.
    pub fn compute<'a>(tasks: impl IntoIterator<Item = &'a HandoffTask>, calendar: &BusinessCalendar, now: DateTime<Utc>) -> Self {
        let mut m = Self {
            by_status: TaskStatus::ALL.iter().map(|s| (*s, 0)).collect(),
            response_minutes: Vec::new(),
            response_sla: SlaTally::default(),
            completion_sla: SlaTally::default(),
            rated: 0,
            rating_sum: 0,
        };
        for t in tasks {
            if let Some(slot) = m.by_status.iter_mut().find(|(s, _)| *s == t.status) {
                slot.1 += 1;
            }
            m.response_minutes.extend(t.response_minutes(calendar));
            m.response_sla.add(t.response_sla_met(now));
            m.completion_sla.add(t.completion_sla_met(now));
            if let Some(r) = t.rating {
                m.rated += 1;
                m.rating_sum += u64::try_from(r).unwrap_or(0);
            }
        }
        m.response_minutes.sort_unstable();
        m
    }

    /// Median response time in business minutes ([`percentile`] 0.5).
    pub fn response_median(&self) -> Option<f64> {
        percentile(&self.response_minutes, 0.5)
    }

    /// 90th percentile of response time in business minutes.
    pub fn response_p90(&self) -> Option<f64> {
        percentile(&self.response_minutes, 0.9)
    }

    /// Mean rating; `None` when nothing is rated.
    pub fn mean_rating(&self) -> Option<f64> {
        (self.rated > 0).then(|| self.rating_sum as f64 / self.rated as f64)
    }
}

impl HandoffTask {
    /// Whether the first answer came by `response_due_at`: `Some(true)` if
    /// answered in time, `Some(false)` once the due time passed without an
    /// answer, `None` while it can still be met, when the task was withdrawn
    /// in time, or without a response SLA.
    pub fn response_sla_met(&self, now: DateTime<Utc>) -> Option<bool> {
        let due = self.response_due_at?;
        match self.responded_at() {
            Some(at) => Some(at <= due),
            None => (self.ended_at().unwrap_or(now) > due).then_some(false),
        }
    }

    /// Whether the task was done by `due_at`, on the same terms as
    /// [`HandoffTask::response_sla_met`]; `None` for a declined task.
    pub fn completion_sla_met(&self, now: DateTime<Utc>) -> Option<bool> {
        let due = self.due_at?;
        match (self.status, self.completed_at) {
            (TaskStatus::Declined, _) => None,
            (_, Some(at)) => Some(at <= due),
            _ => (self.cancelled_at.unwrap_or(now) > due).then_some(false),
        }
    }
}
