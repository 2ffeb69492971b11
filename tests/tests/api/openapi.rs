use std::path::PathBuf;

const REGENERATE: &str = "cargo run -q -p glassbox-api -- openapi > openapi/openapi.json";

#[test]
fn committed_spec_matches_the_code() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = glassbox_api::openapi::spec_json();
    if committed != generated {
        let first = committed.lines().zip(generated.lines()).position(|(a, b)| a != b).unwrap_or(0) + 1;
        panic!("openapi/openapi.json is out of date (first difference at line {first}); regenerate it with:\n    {REGENERATE}");
    }
}

#[test]
fn every_operation_has_an_id_a_tag_and_problem_answers() {
    let spec: serde_json::Value = serde_json::from_str(&glassbox_api::openapi::spec_json()).unwrap();
    let mut ids = std::collections::HashSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(ids.insert(id.to_owned()), "operationId {id} is used twice");
            assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{id} has no tag");
            if path.starts_with("/api/") {
                let responses = op["responses"].as_object().unwrap();
                assert!(responses.keys().any(|k| k.starts_with('4')), "{id} documents no 4XX answer");
                assert!(responses.contains_key("500"), "{id} does not document 500");
                let problem = &responses["500"]["content"]["application/problem+json"];
                assert!(problem.is_object(), "{id}: 500 is not problem+json");
            }
        }
    }
    assert!(spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer");
}

#[test]
fn headers_and_nullable_feed_records_are_described_exactly() {
    let spec: serde_json::Value = serde_json::from_str(&glassbox_api::openapi::spec_json()).unwrap();
    let patch = &spec["paths"]["/api/v1/accounts/{id}"]["patch"]["parameters"];
    let if_match = patch.as_array().unwrap().iter().find(|p| p["name"] == "If-Match").unwrap();
    assert_eq!(
        if_match["schema"],
        serde_json::json!({"type": "string", "pattern": "^(\\*|\"[0-9]+\")$"})
    );
    for feed in ["ChangeDto_OpportunityDto", "ChangeDto_ActivityDto", "ChangeDto_HandoffTaskDto"] {
        let record = &spec["components"]["schemas"][feed]["properties"]["record"];
        assert_eq!(record["type"], serde_json::json!(["object", "null"]), "{feed}");
    }
    // Scope-limited API keys get 403 on any read.
    let list = &spec["paths"]["/api/v1/contacts"]["get"]["responses"];
    assert!(list["403"].is_object());
}
