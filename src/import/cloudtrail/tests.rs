//! Every check of the CloudTrail reader: the message names the file, line:column, the
//! JSON path of the record's field, and what is allowed.

use super::*;

fn tmp(name: &str) -> crate::base::testing::TempDir {
    crate::base::testing::TempDir::new(&format!("ct-{name}"))
}

const D: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

/// A record of `name` with the given members after the common ones.
fn rec(name: &str, rest: &str) -> String {
    format!(
        r#"{{"eventSource": "ecr.amazonaws.com", "eventName": "{name}",
  "eventTime": "2026-01-01T00:00:00Z", "eventID": "e1"{rest}}}"#
    )
}

fn run(dir: &Path, text: &[u8], opts: &Options) -> Result<Report> {
    let f = dir.join("in.json");
    std::fs::write(&f, text).unwrap();
    import_cloudtrail(&[f], opts, &dir.join("t.csv"))
}

fn error_of(name: &str, text: &str) -> String {
    let d = tmp(name);
    let e = run(&d, text.as_bytes(), &Options::default())
        .expect_err(text)
        .to_string();
    assert!(!d.join("t.csv").exists(), "nothing written on an error");
    assert_eq!(
        std::fs::read_dir(&d).unwrap().count(),
        1,
        "only the input is left"
    );
    e
}

#[test]
fn each_malformed_record_is_named() {
    let req = |r: &str| format!(r#", "requestParameters": {{{r}}}"#);
    let ok_repo = r#""repositoryName": "app""#;
    let lc =
        |details: &str| format!(r#", "serviceEventDetails": {{"repositoryName": "app"{details}}}"#);
    let rules = r#", "lifecycleEventPolicy": {"lifecycleEventRules": [{"rulePriority": 1, "action": "expire"}]}"#;
    let act = |a: &str| format!(r#", "lifecycleEventImageActions": [{a}]"#);
    let cases: Vec<(String, &str, &str)> = vec![
        (r#"{"eventName": "PutImage"}"#.into(), "$.eventSource", "missing: every record names its service"),
        (r#"{"eventSource": "ecr.amazonaws.com"}"#.into(), "$.eventName", "missing"),
        (r#"{"eventSource": "ecr.amazonaws.com", "eventName": "X"}"#.into(), "$.eventTime", "missing"),
        (r#"{"eventSource": "ecr.amazonaws.com", "eventName": "X", "eventTime": "2026-01-01T00:00:00"}"#.into(), "$.eventTime", "offset"),
        (r#"{"eventSource": "ecr.amazonaws.com", "eventName": "X", "eventTime": "10000-01-01T00:00:00Z"}"#.into(), "$.eventTime", "invalid instant"),
        (r#"{"eventSource": "ecr.amazonaws.com", "eventName": "PutImage", "eventTime": 1767225600}"#.into(), "$.eventID", "duplicates are told apart"),
        (rec("PutImage", ""), "$.requestParameters", "missing"),
        (rec("PutImage", &req("")), "$.requestParameters.repositoryName", "missing"),
        (rec("PutImage", &req(r#""repositoryName": "App""#)), "$.requestParameters.repositoryName", "invalid repository name"),
        (rec("PutImage", &req(ok_repo)), "$.responseElements", "pushed digest"),
        (rec("PutImage", &req(r#""repositoryName": "app", "imageDigest": "a b""#)), "$.requestParameters.imageDigest", "white space"),
        (rec("PutImage", &(req(r#""repositoryName": "app", "imageTag": "-x""#) + &format!(r#", "responseElements": {{"image": {{"imageId": {{"imageDigest": "{D}"}}}}}}"#))), "$.requestParameters.imageTag", "invalid tag"),
        (rec("PutImage", &(req(ok_repo) + r#", "responseElements": {"image": 3}"#)), "$.responseElements.image", "expected an object"),
        (rec("BatchGetImage", &req(ok_repo)), "$.requestParameters.imageIds", "missing"),
        (rec("BatchGetImage", &req(r#""repositoryName": "app", "imageIds": {}"#)), "$.requestParameters.imageIds", "expected an array"),
        (rec("BatchDeleteImage", &req(r#""repositoryName": "app", "imageIds": [{}]"#)), "$.requestParameters.imageIds[0]", "needs imageDigest or imageTag"),
        (rec("DeleteRepository", &req("")), "$.requestParameters.repositoryName", "missing"),
        (rec("PolicyExecutionEvent", ""), "$.serviceEventDetails", "missing"),
        (rec("PolicyExecutionEvent", &lc(rules)), "$.serviceEventDetails.lifecycleEventImageActions", "missing"),
        (rec("PolicyExecutionEvent", &lc(&(rules.to_string() + &act(r#"{"rulePriority": 1}"#)))), "$.serviceEventDetails.lifecycleEventImageActions[0].lifecycleEventImage", "missing"),
        (rec("PolicyExecutionEvent", &lc(&(rules.to_string() + &act(r#"{"rulePriority": 1, "lifecycleEventImage": {}}"#)))), "lifecycleEventImage.digest", "missing"),
        (rec("PolicyExecutionEvent", &lc(&(rules.to_string() + &act(&format!(r#"{{"lifecycleEventImage": {{"digest": "{D}"}}}}"#))))), "$.serviceEventDetails.lifecycleEventImageActions[0].rulePriority", "missing"),
        (rec("PolicyExecutionEvent", &lc(&(rules.to_string() + &act(&format!(r#"{{"rulePriority": 1.5, "lifecycleEventImage": {{"digest": "{D}"}}}}"#))))), "[0].rulePriority", "expected an integer"),
        (rec("PolicyExecutionEvent", &lc(&(rules.to_string() + &act(&format!(r#"{{"rulePriority": 2, "lifecycleEventImage": {{"digest": "{D}"}}}}"#))))), "[0].rulePriority", "no rule with rulePriority 2"),
        (rec("PolicyExecutionEvent", &lc(r#", "lifecycleEventPolicy": {"lifecycleEventRules": [{"rulePriority": 1, "action": "delete"}]}"#)), "lifecycleEventRules[0].action", "allowed: expire, transition"),
        (rec("PolicyExecutionEvent", &lc(r#", "lifecycleEventPolicy": {"lifecycleEventRules": [{"rulePriority": 1}]}"#)), "lifecycleEventRules[0].action", "missing"),
        (rec("UpdateImageStorageClass", &req(ok_repo)), "$.requestParameters.targetStorageClass", "ARCHIVE or STANDARD"),
        (rec("UpdateImageStorageClass", &req(r#""repositoryName": "app", "targetStorageClass": "GLACIER""#)), "$.requestParameters.targetStorageClass", "allowed: ARCHIVE, STANDARD"),
        (rec("UpdateImageStorageClass", &req(r#""repositoryName": "app", "targetStorageClass": "ARCHIVE""#)), "$.requestParameters.imageId", "missing"),
        (r#"{"Records": {}}"#.into(), "$.Records", "expected an array"),
        (r#"{"Records": [3]}"#.into(), "$.Records[0]", "expected an object"),
        (r#"{"Events": [{}]}"#.into(), "$.Events[0].CloudTrailEvent", "missing"),
        (r#"{"Events": [{"CloudTrailEvent": "{\"eventSource\": "}]}"#.into(), "$.Events[0].CloudTrailEvent", "not valid JSON"),
        (r#"{"Events": [{"CloudTrailEvent": ""}]}"#.into(), "$.Events[0].CloudTrailEvent", "the string is empty"),
        (r#"{"Events": [{"CloudTrailEvent": "{\"eventSource\": 1}"}]}"#.into(), "$.Events[0].CloudTrailEvent.eventSource", "expected a string"),
        (r#"{"imageDetails": []}"#.into(), "$", "expected a CloudTrail log file"),
        (r#"[{"Records": []}, 7]"#.into(), "$[1]", "expected a CloudTrail log file"),
    ];
    for (i, (text, path, what)) in cases.iter().enumerate() {
        // Records inside a log file: the path starts with $.Records[0].
        let wrapped = if text.starts_with("{\"Records\"")
            || text.starts_with("{\"Events\"")
            || text.starts_with("{\"imageDetails\"")
            || text.starts_with('[')
        {
            text.clone()
        } else {
            format!("{{\"Records\": [\n{text}]}}")
        };
        let want_path = if wrapped == *text {
            path.to_string()
        } else {
            path.replacen('$', "$.Records[0]", 1)
        };
        let e = error_of(&format!("case{i}"), &wrapped);
        assert!(e.contains("in.json:"), "case {i}: {e}");
        assert!(e.contains(&want_path), "case {i}: want {want_path}: {e}");
        assert!(e.contains(what), "case {i}: want `{what}`: {e}");
    }
}

#[test]
fn files_gzip_and_text_problems_are_named() {
    let d = tmp("files");
    let e = run(&d, b"\x1f\x8b\x08\x00garbage", &Options::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("in.json: not a valid gzip file"), "{e}");
    let e = run(&d, b"{\"Records\": [\"\xff\"]}", &Options::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("not UTF-8 text"), "{e}");
    let e = import_cloudtrail(
        &[d.join("nope.json")],
        &Options::default(),
        &d.join("t.csv"),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("nope.json"), "{e}");
    for bad in ["role/scanner", "arn:aws:iam::1:role/a b", "arn:aws"] {
        let opts = Options {
            exclude_pullers: vec![bad.into()],
            ..Options::default()
        };
        let e = run(&d, b"{\"Records\": []}", &opts)
            .unwrap_err()
            .to_string();
        assert!(e.contains("--exclude-puller") && e.contains("ARN"), "{e}");
    }
}

#[test]
fn a_bom_gzip_and_an_empty_history_are_fine() {
    let d = tmp("fine");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, "\u{feff}{\"Records\": []}".as_bytes()).unwrap();
    let report = run(&d, &gz.finish().unwrap(), &Options::default()).unwrap();
    assert_eq!(report.records, 0);
    assert_eq!(
        std::fs::read_to_string(d.join("t.csv")).unwrap(),
        "time,event,repository,digest,tags,supported\n"
    );
}

#[test]
fn tags_resolve_at_the_instant_of_the_pull() {
    let d = tmp("tags");
    let push = |id: &str, t: &str, digest: &str| {
        format!(
            r#"{{"eventSource": "ecr.amazonaws.com", "eventName": "PutImage", "eventTime": "{t}",
              "eventID": "{id}", "requestParameters": {{"repositoryName": "app", "imageTag": "latest"}},
              "responseElements": {{"image": {{"imageId": {{"imageDigest": "{digest}"}}}}}}}}"#
        )
    };
    let pull = |id: &str, t: &str| {
        format!(
            r#"{{"eventSource": "ecr.amazonaws.com", "eventName": "BatchGetImage", "eventTime": "{t}",
              "eventID": "{id}", "requestParameters": {{"repositoryName": "app",
              "imageIds": [{{"imageTag": "latest"}}, {{"imageTag": "latest"}}]}}}}"#
        )
    };
    let b = format!("sha256:{}", "b".repeat(64));
    // Same second: the push comes first whatever the eventIDs.
    let text = format!(
        "{{\"Records\": [{}, {}, {}, {}]}}",
        pull("z1", "2026-01-01T00:00:00Z"),
        push("z2", "2026-01-01T00:00:00Z", D),
        push("a3", "2026-01-01T01:00:00Z", &b),
        pull("a4", "2026-01-01T01:00:00Z"),
    );
    run(&d, text.as_bytes(), &Options::default()).unwrap();
    let got = std::fs::read_to_string(d.join("t.csv")).unwrap();
    let rows: Vec<&str> = got.lines().skip(1).collect();
    assert_eq!(rows.len(), 4, "{got}");
    assert!(
        rows[1].starts_with("2026-01-01T00:00:00Z,pull,app,sha256:aaaa"),
        "{got}"
    );
    assert!(
        rows[3].starts_with("2026-01-01T01:00:00Z,pull,app,sha256:bbbb"),
        "{got}"
    );
}
