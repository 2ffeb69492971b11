use super::*;
use crate::calendar::CalendarInput;
use crate::org::TimeZone;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn task(created: &str) -> HandoffTask {
    let requester = Uuid::from_u128(1);
    HandoffTask {
        id: Uuid::from_u128(9),
        org_id: Uuid::from_u128(2),
        opportunity_id: Uuid::from_u128(3),
        rule_id: None,
        stage_history_id: None,
        task_type: "demo".into(),
        title: "Demo".into(),
        assignee_team_id: Uuid::from_u128(4),
        assignee_user_id: None,
        requester_id: requester,
        status: TaskStatus::Open,
        response_sla_minutes: Some(60),
        completion_sla_minutes: Some(600),
        response_due_at: None,
        due_at: None,
        accepted_at: None,
        started_at: None,
        completed_at: None,
        declined_at: None,
        cancelled_at: None,
        decline_reason: None,
        cancel_reason: None,
        outcome: None,
        rating: None,
        rating_comment: None,
        rated_at: None,
        version: 1,
        created_at: at(created),
        updated_at: at(created),
    }
}

fn shanghai() -> BusinessCalendar {
    let tz = TimeZone::parse("tz", "Asia/Shanghai").unwrap_or_else(|_| unreachable!());
    let holidays = ["2026-10-01".parse().unwrap_or_default()];
    BusinessCalendar::standard(tz)
        .with(&CalendarInput {
            working_days: None,
            start: Some("09:00"),
            end: Some("18:00"),
            holidays: Some(&holidays),
        })
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_shanghai_example_breaches_its_response_sla() {
    let cal = shanghai();
    let mut t = task("2026-09-30T09:30:00Z");
    t.set_due_times(&cal).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.response_due_at, Some(at("2026-10-02T01:30:00Z")));
    let presales = Uuid::from_u128(7);
    t.apply(&TaskAction::Accept, presales, at("2026-10-02T01:40:00Z"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((t.status, t.assignee_user_id), (TaskStatus::Accepted, Some(presales)));
    assert_eq!(t.response_minutes(&cal), Some(70));
    assert!(t.sla_breached(at("2026-10-02T01:40:00Z")));
    assert!(t.response_breached(at("2026-10-02T01:40:00Z")));
}

#[test]
fn illegal_transitions_are_conflicts_and_change_nothing() {
    let mut t = task("2026-09-30T09:30:00Z");
    let who = Uuid::from_u128(7);
    let now = at("2026-09-30T10:00:00Z");
    for action in [TaskAction::Start, TaskAction::Complete(None)] {
        assert!(matches!(t.apply(&action, who, now), Err(DomainError::Conflict(_))), "{action:?}");
    }
    assert!(matches!(
        t.apply(&TaskAction::Decline("  ".into()), who, now),
        Err(DomainError::Validation(_))
    ));
    assert_eq!(t.status, TaskStatus::Open);
    t.apply(&TaskAction::Accept, who, now).unwrap_or_else(|e| panic!("{e}"));
    t.apply(&TaskAction::Start, who, now).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        t.apply(&TaskAction::Decline("busy".into()), who, now),
        Err(DomainError::Conflict(_))
    ));
    t.apply(&TaskAction::Complete(Some("demo given".into())), who, now)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        t.apply(&TaskAction::Cancel(None), who, now),
        Err(DomainError::Conflict(_))
    ));
}

#[test]
fn only_the_requester_rates_a_done_task_once() {
    let mut t = task("2026-09-30T09:30:00Z");
    let now = at("2026-09-30T10:00:00Z");
    let requester = t.requester_id;
    assert!(matches!(t.rate(requester, 5, None, now), Err(DomainError::Conflict(_))));
    t.apply(&TaskAction::Accept, Uuid::from_u128(7), now)
        .unwrap_or_else(|e| panic!("{e}"));
    t.apply(&TaskAction::Complete(None), Uuid::from_u128(7), now)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(t.rate(Uuid::from_u128(7), 5, None, now), Err(DomainError::Forbidden(_))));
    assert!(matches!(t.rate(requester, 6, None, now), Err(DomainError::Validation(_))));
    t.rate(requester, 4, Some("helpful"), now).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(t.rate(requester, 5, None, now), Err(DomainError::Conflict(_))));
    assert_eq!((t.rating, t.rating_comment.as_deref()), (Some(4), Some("helpful")));
}

#[test]
fn waiting_tasks_breach_as_time_passes_and_declines_owe_no_completion() {
    let mut t = task("2026-09-30T09:30:00Z");
    t.response_due_at = Some(at("2026-09-30T10:30:00Z"));
    t.due_at = Some(at("2026-09-30T12:00:00Z"));
    assert!(!t.sla_breached(at("2026-09-30T10:30:00Z")));
    assert!(t.sla_breached(at("2026-09-30T10:31:00Z")));
    t.apply(
        &TaskAction::Decline("no capacity".into()),
        Uuid::from_u128(7),
        at("2026-09-30T10:00:00Z"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(!t.sla_breached(at("2026-10-30T00:00:00Z")));
}

#[test]
fn titles_fill_placeholders_once_and_unknown_ones_are_refused() {
    assert_eq!(
        render_title("Demo for {account}: {opportunity}", "Big {account} deal", Some("Acme")),
        "Demo for Acme: Big {account} deal"
    );
    assert_eq!(render_title("Review {opportunity} {account}", "Deal", None), "Review Deal");
    assert!(check_title_template("Demo {customer}").is_err());
    assert!(check_title_template("Demo {opportunity}").is_ok());
}

#[test]
fn metrics_count_only_sla_outcomes_that_are_known() {
    // Standard calendar in UTC: Mon–Fri 09:00–17:00. Mon 2026-03-02 10:00.
    let cal = BusinessCalendar::standard(TimeZone::parse("tz", "UTC").unwrap_or_else(|_| unreachable!()));
    let worker = Uuid::from_u128(7);
    let make = |f: &dyn Fn(&mut HandoffTask)| {
        let mut t = task("2026-03-02T10:00:00Z");
        t.set_due_times(&cal).unwrap_or_else(|e| panic!("{e}"));
        f(&mut t);
        t
    };
    let act = |t: &mut HandoffTask, a: TaskAction, when: &str| t.apply(&a, worker, at(when)).unwrap_or_else(|e| panic!("{e}"));
    let tasks = [
        // Answered after 30 minutes, done in time, rated 4.
        make(&|t| {
            act(t, TaskAction::Accept, "2026-03-02T10:30:00Z");
            act(t, TaskAction::Complete(None), "2026-03-02T12:00:00Z");
            t.rating = Some(4);
        }),
        // Declined after 90 minutes: response missed, no completion owed.
        make(&|t| act(t, TaskAction::Decline("busy".into()), "2026-03-02T11:30:00Z")),
        // Cancelled after 20 minutes: nothing measured.
        make(&|t| act(t, TaskAction::Cancel(None), "2026-03-02T10:20:00Z")),
        // Still open at `now`, past the response due time only.
        make(&|_| {}),
    ];
    let m = TaskMetrics::compute(&tasks, &cal, at("2026-03-02T12:30:00Z"));
    let counts: Vec<u64> = m.by_status.iter().map(|(_, n)| *n).collect();
    assert_eq!(counts, vec![1, 0, 0, 1, 1, 1]);
    assert_eq!(m.response_minutes, vec![30, 90]);
    assert_eq!((m.response_median(), m.response_p90()), (Some(60.0), Some(84.0)));
    assert_eq!(m.response_sla, SlaTally { met: 1, measured: 3 });
    assert_eq!(m.completion_sla, SlaTally { met: 1, measured: 1 });
    assert_eq!(m.mean_rating(), Some(4.0));
}
