use super::*;

fn options() -> Options {
    Options {
        time_zone: TimeZone::parse("tz", "UTC").unwrap_or_else(|_| unreachable!()),
        reference_date: None,
        email_domain: "crm-sample.example".into(),
    }
}

fn sample() -> ImportPlan {
    let files = Files {
        sales_teams: include_bytes!("../../../../../data/crm-sample/sales_teams.csv"),
        accounts: include_bytes!("../../../../../data/crm-sample/accounts.csv"),
        products: include_bytes!("../../../../../data/crm-sample/products.csv"),
        sales_pipeline: include_bytes!("../../../../../data/crm-sample/sales_pipeline.csv"),
    };
    plan(files, &options()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_whole_sample_plans_without_a_problem() {
    let plan = sample();
    assert_eq!(plan.problems, vec![]);
    assert_eq!(plan.teams.len(), 3 + 6);
    assert_eq!(plan.users.iter().filter(|u| u.role == Role::Rep).count(), 35);
    assert_eq!(plan.users.iter().filter(|u| u.role == Role::Manager).count(), 6);
    assert_eq!(plan.products.len(), 7);
    assert_eq!(plan.accounts.len(), 85);
    assert_eq!(plan.opportunities.len(), 8800);
    assert_eq!(plan.reference_date, NaiveDate::from_ymd_opt(2017, 12, 31));
    let in_stage = |s: &'static str| {
        plan.opportunities
            .iter()
            .filter(move |o| o.history.last().is_some_and(|h| h.stage == s))
    };
    let won_minor: i64 = in_stage("Won").map(|o| o.amount_minor).sum();
    assert_eq!((in_stage("Won").count(), won_minor), (4238, 1_000_553_400));
    assert_eq!(in_stage("Lost").count(), 2473);
    assert_eq!(in_stage("Engaging").count() + in_stage("Prospecting").count(), 2089);
    assert_eq!(plan.opportunities.iter().filter(|o| o.product == "GTX Pro").count(), 1480);
}

#[test]
fn a_won_row_has_engaging_then_won_history() {
    let plan = sample();
    let o = plan.opportunities.iter().find(|o| o.external_id == "1C1I7A6R");
    let o = o.unwrap_or_else(|| unreachable!());
    let h: Vec<(String, String)> = o.history.iter().map(|h| (h.stage.clone(), h.entered_at.to_rfc3339())).collect();
    assert_eq!(
        h,
        vec![
            ("Engaging".into(), "2016-10-20T00:00:00+00:00".into()),
            ("Won".into(), "2017-03-01T00:00:00+00:00".into())
        ]
    );
    assert_eq!(
        (o.amount_minor, o.name.as_str(), o.owner.as_str()),
        (105_400, "Cancity – GTX Plus Basic", "moses.frase@crm-sample.example")
    );
    assert_eq!(o.closed_at.map(|t| t.to_rfc3339()), Some("2017-03-01T00:00:00+00:00".into()));
    assert_eq!(o.close_date, NaiveDate::from_ymd_opt(2017, 3, 1));
}

#[test]
fn subsidiaries_follow_their_parent_and_revenue_is_in_dollars() {
    let plan = sample();
    let pos = |name: &str| plan.accounts.iter().position(|a| a.external_id == name);
    for a in plan.accounts.iter().filter(|a| a.parent.is_some()) {
        assert!(pos(a.parent.as_deref().unwrap_or_default()) < pos(&a.external_id), "{}", a.name);
    }
    let acme = plan.accounts.iter().find(|a| a.name == "Acme Corporation");
    assert_eq!(
        acme.map(|a| (a.industry.as_deref(), a.employees, a.annual_revenue_minor)),
        Some((Some("technolgy"), Some(2822), Some(110_004_000_000)))
    );
}

const TEAMS: &str =
    "sales_agent,manager,regional_office\r\nAnna Snelling,Dustin Brinkmann,Central\r\nAnna Snelling,Dustin Brinkmann,Central\r\n";
const PRODUCTS: &str = "product,series,sales_price\nGTX Pro,GTX,4821\nMG Special,MG,-5\n";
const ACCOUNTS: &str = "account,sector,year_established,revenue,employees,office_location,subsidiary_of\n\
Acme,tech,1996,1.5,10,US,\n\
Sub,tech,1996,1.5,ten,US,\n\
Orphan,tech,1996,1.5,10,US,Nowhere\n";

#[test]
fn every_bad_row_is_reported_with_its_reason_and_skipped() {
    let deals = b"opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n\
A1,Anna Snelling,GTXPro,Acme,Won,2017-01-02,2017-01-05,100.5\n\
A2,Anna Snelling,Unknown,Acme,Won,2017-01-02,2017-01-05,100\n\
A3,Anna Snelling,GTX Pro,Acme,Won,2017-02-30,2017-03-05,100\n\
A4,Anna Snelling,GTX Pro,Acme,Won,2017-01-02,2017-01-05,-3\n\
A5,Anna Snelling,GTX Pro,Acme,Lost,2017-01-06,2017-01-05,0\n\
A6,Nobody,GTX Pro,,Engaging,2017-01-02,,\n\
A7,Anna Snelling,GTX Pro,Sub,Engaging,2017-01-02,,\n\
A8,Anna Snelling,GTX Pro,,Prospecting,,,\n\
A1,Anna Snelling,GTX Pro,,Prospecting,,,\n\
A9,Anna Snelling,GTX Pro,,Closed,,,\n\
A\xff,Anna Snelling,GTX Pro,,Prospecting,,,\n\
A10,Anna Snelling,GTX Pro\n";
    let files = Files {
        sales_teams: TEAMS.as_bytes(),
        accounts: ACCOUNTS.as_bytes(),
        products: PRODUCTS.as_bytes(),
        sales_pipeline: deals,
    };
    let plan = plan(files, &options()).unwrap_or_else(|e| panic!("{e}"));
    let report: Vec<String> = plan
        .problems
        .iter()
        .map(|p| format!("{}:{}:{}: {}", p.file, p.line, p.key, p.reason))
        .collect();
    assert_eq!(
        report,
        vec![
            "sales_teams.csv:3:Anna Snelling: sales_agent: Anna Snelling is listed twice (email anna.snelling@crm-sample.example)",
            "accounts.csv:3:Sub: employees: must be a whole number",
            "accounts.csv:4:Orphan: subsidiary_of: Nowhere is not an account of accounts.csv",
            "products.csv:3:MG Special: sales_price: must be a decimal string such as \"1054.00\" (digits, optional point; no sign or exponent)",
            "sales_pipeline.csv:3:A2: product: `Unknown` is not a product of products.csv",
            "sales_pipeline.csv:4:A3: engage_date: `2017-02-30` is not a date (YYYY-MM-DD)",
            "sales_pipeline.csv:5:A4: close_value: must be a decimal string such as \"1054.00\" (digits, optional point; no sign or exponent)",
            "sales_pipeline.csv:6:A5: close_date: 2017-01-05 is before engage_date 2017-01-06",
            "sales_pipeline.csv:7:A6: sales_agent: `Nobody` is not an agent of sales_teams.csv",
            "sales_pipeline.csv:8:A7: account: `Sub` is not an account of accounts.csv",
            "sales_pipeline.csv:10:A1: opportunity_id: A1 is listed twice",
            "sales_pipeline.csv:11:A9: deal_stage: `Closed` is not Prospecting, Engaging, Won or Lost",
            "sales_pipeline.csv:12:A\u{fffd}: opportunity_id: not valid UTF-8",
            "sales_pipeline.csv:13:A10: has 3 fields; the header has 8",
        ]
    );
    let taken: Vec<(&str, &str, i64)> = plan
        .opportunities
        .iter()
        .map(|o| (o.external_id.as_str(), o.product.as_str(), o.amount_minor))
        .collect();
    assert_eq!(taken, vec![("A1", "GTX Pro", 10_050), ("A8", "GTX Pro", 482_100)]);
    assert_eq!(plan.reference_date, NaiveDate::from_ymd_opt(2017, 1, 5));
    assert_eq!(
        plan.accounts.iter().map(|a| a.owner.as_str()).collect::<Vec<_>>(),
        vec!["anna.snelling@crm-sample.example"]
    );
}

#[test]
fn a_file_without_a_needed_column_is_unreadable() {
    let files = Files {
        sales_teams: b"agent,manager\nA,B\n",
        accounts: ACCOUNTS.as_bytes(),
        products: PRODUCTS.as_bytes(),
        sales_pipeline: b"",
    };
    assert_eq!(
        plan(files, &options()).err().map(|e| e.to_string()),
        Some("sales_teams.csv: no `sales_agent` column in the header".into())
    );
}
