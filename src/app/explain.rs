//! `run --explain`: the history of one image, or why there is none.

use crate::base::error::{Error, Result};
use crate::engine::RunResult;
use crate::engine::explain::{ExplainOutcome, ExplainTarget, Which, closest};

/// The lines `--explain` prints, or an error saying why the image has no history: its
/// repository had no event, no event touched its digest, or no image holds its tag at
/// the end. Each error names what the run did see that comes closest.
pub fn explain_lines(target: &ExplainTarget, result: &RunResult) -> Result<Vec<String>> {
    let err = |what: String| Err(Error::usage(format!("--explain {target}: {what}")));
    match &result.explain {
        Some(ExplainOutcome::Lines(lines)) => Ok(lines.clone()),
        None => {
            let names = result.repos.iter().map(|r| r.name.clone());
            let near = closest(&target.repository, names, 3);
            err(format!(
                "repository `{}` had no event in this run (it saw {} repositories){}",
                target.repository,
                result.repos.len(),
                listed("; the closest names", &near)
            ))
        }
        Some(ExplainOutcome::Missing { live, closest }) => match &target.which {
            Which::Digest(d) => err(format!(
                "no event touched digest `{d}` in `{}` ({live} live images at the end){}",
                target.repository,
                listed("; the closest digests", closest)
            )),
            Which::Tag(t) => err(format!(
                "no live image of `{}` holds tag `{t}` at the end of the run ({live} live \
                 images){}",
                target.repository,
                listed("; the closest tags they hold", closest)
            )),
        },
    }
}

fn listed(label: &str, items: &[String]) -> String {
    if items.is_empty() {
        String::new()
    } else {
        format!("{label}: {}", items.join(", "))
    }
}
