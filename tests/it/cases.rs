//! Every case of `../shared/cases` reproduced by the binary, pinned columns compared
//! value for value; and, under CI, a check that the cases were there to compare.

use crate::common::{PINNED, SHARED_MISSING, cases_dir, columns, read_text, run_shared_cases};

#[test]
#[cfg_attr(
    shared_missing,
    ignore = "../shared/cases not found beside the checkout: the shared golden cases were not run"
)]
fn shared_cases_match_value_for_value() {
    let cases = run_shared_cases("cases");
    let mut failures = Vec::new();
    for case in &cases {
        let name = &case.name;
        let got = match &case.daily {
            Ok(d) => d.clone(),
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let want = read_text(&case.dir.join("expected/daily.csv"));
        assert!(
            got.ends_with('\n') && !got.contains('\r'),
            "{name}: LF line ends"
        );
        let (got, want) = (columns(&got, PINNED), columns(&want, PINNED));
        if got != want {
            let first = got
                .iter()
                .zip(&want)
                .position(|(a, b)| a != b)
                .unwrap_or(got.len().min(want.len()));
            failures.push(format!(
                "{name}: line {}: got\n  {}\nwant\n  {}",
                first + 1,
                got.get(first).map_or("<none>", String::as_str),
                want.get(first).map_or("<none>", String::as_str)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    eprintln!("{} shared cases match", cases.len());
}

/// On a fresh clone without `../shared` the golden-case tests are ignored (with the
/// reason); under CI that would hide them, so there a missing folder is a failure. A build
/// that ignored them although the folder is there now is a failure too (`build.rs` does
/// not watch for the folder to appear).
#[test]
fn shared_cases_are_present_under_ci() {
    let built_without = cfg!(shared_missing);
    let present = cases_dir().is_dir();
    assert!(
        !(built_without && present),
        "{} has appeared since the tests were built without it: `touch build.rs` and run \
         the tests again",
        cases_dir().display()
    );
    if crate::common::under_ci() {
        assert!(
            !built_without && present,
            "CI: {} is missing ({SHARED_MISSING})",
            cases_dir().display()
        );
    }
}
