//! Every case of `../shared/cases` reproduced by the binary, pinned columns compared
//! value for value.

use crate::common::{cases_dir, columns, scansim, temp_dir};

const PINNED: usize = 22;

#[test]
fn shared_cases_match_value_for_value() {
    let dir = cases_dir();
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}: the shared cases are required", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.join("scenario.toml").is_file())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no case in {}", dir.display());
    let out_root = temp_dir("cases");
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let out = out_root.join(&name);
        let o = scansim(&[
            "run",
            case.join("scenario.toml").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--no-charts",
        ]);
        if !o.status.success() {
            failures.push(format!(
                "{name}: exit {:?}: {}",
                o.status,
                String::from_utf8_lossy(&o.stderr)
            ));
            continue;
        }
        let got = std::fs::read_to_string(out.join("daily.csv")).expect("daily.csv");
        let want = std::fs::read_to_string(case.join("expected/daily.csv")).expect("expected");
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
