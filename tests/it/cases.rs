//! Every case of `../shared/cases` reproduced by the binary, pinned columns compared
//! value for value.

use crate::common::{PINNED, columns, read_text, run_shared_cases};

#[test]
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
