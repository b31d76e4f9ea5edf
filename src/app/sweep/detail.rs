//! What the outputs of a sweep need beyond the daily rows of `part.json`: the baseline
//! and each run's sums by scan frequency and by group (the parts of the registry a
//! setting can change). An unsharded sweep keeps them in memory; a shard writes them
//! beside its part as `detail.json`, tied to that very part by the part's SHA-256, and
//! `merge` reads both.

use super::exec::{RunDays, RunParts};
use super::part::{decode_day, encode_day};
use super::spec::Baseline;
use crate::base::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The file a shard writes beside `part.json`.
pub const FILE: &str = "detail.json";
const FORMAT: &str = "scansim-sweep-detail/1";

/// The baseline and the parts of every run, in the order of the runs (by variant, then
/// replication).
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub baseline: Baseline,
    pub parts: Vec<RunParts>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct DetailRun {
    variant: u32,
    replication: u32,
    by_freq: [[i64; 17]; 3],
    repos_by_freq: [u64; 3],
    groups: Vec<String>,
    by_group: Vec<[i64; 17]>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct DetailFile {
    format: String,
    /// SHA-256 of the `part.json` this file belongs to, as written.
    part_sha256: String,
    baseline: Baseline,
    runs: Vec<DetailRun>,
}

/// `detail.json` of a shard whose `part.json` is `part_json`.
pub fn encode(part_json: &[u8], baseline: Baseline, runs: &[(RunDays, RunParts)]) -> Vec<u8> {
    let file = DetailFile {
        format: FORMAT.into(),
        part_sha256: crate::base::hash::sha256_bytes(part_json),
        baseline,
        runs: runs
            .iter()
            .map(|(r, p)| DetailRun {
                variant: r.variant,
                replication: r.replication,
                by_freq: p.by_freq.each_ref().map(encode_day),
                repos_by_freq: p.repos_by_freq,
                groups: p.groups.clone(),
                by_group: p.by_group.iter().map(encode_day).collect(),
            })
            .collect(),
    };
    serde_json::to_vec(&file).unwrap_or_default()
}

/// A shard's detail, read from beside its `part.json` (`part_file`).
pub struct ShardDetail {
    path: PathBuf,
    baseline: Baseline,
    runs: Vec<DetailRun>,
}

/// Reads `detail.json` beside `part_file` and checks it belongs to that part.
pub fn read(part_file: &Path) -> Result<ShardDetail> {
    let path = part_file.with_file_name(FILE);
    let rerun = "run the shard again with this version of scansim";
    let bytes = std::fs::read(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::usage(format!(
                "{}: no {FILE} beside the part (written by an older scansim?): {rerun}",
                path.display()
            ))
        } else {
            Error::io(&path, e)
        }
    })?;
    let file: DetailFile = serde_json::from_slice(&bytes)
        .map_err(|e| Error::usage(format!("{}: not a sweep detail: {e}", path.display())))?;
    let part = std::fs::read(part_file).map_err(|e| Error::io(part_file, e))?;
    if file.format != FORMAT || file.part_sha256 != crate::base::hash::sha256_bytes(&part) {
        return Err(Error::usage(format!(
            "{} does not belong to {} (another shard or a changed part): {rerun}",
            path.display(),
            part_file.display()
        )));
    }
    Ok(ShardDetail {
        path,
        baseline: file.baseline,
        runs: file.runs,
    })
}

/// The detail of the whole sweep from its shards': one baseline, a run's parts for each
/// of `runs` (sorted by variant, then replication).
pub fn combine(shards: Vec<ShardDetail>, runs: &[RunDays]) -> Result<Detail> {
    let Some(first) = shards.first() else {
        return Err(Error::usage("merge: give at least one part directory"));
    };
    let baseline = first.baseline;
    if let Some(s) = shards.iter().find(|s| s.baseline != baseline) {
        return Err(Error::usage(format!(
            "{} and {} name different baselines: merge only the parts of one sweep",
            first.path.display(),
            s.path.display()
        )));
    }
    let mut all: Vec<DetailRun> = shards.into_iter().flat_map(|s| s.runs).collect();
    all.sort_by_key(|r| (r.variant, r.replication));
    let same = all.len() == runs.len()
        && all
            .iter()
            .zip(runs)
            .all(|(d, r)| (d.variant, d.replication) == (r.variant, r.replication));
    if !same {
        return Err(Error::usage(format!(
            "the {FILE} files hold {} runs, not the {} of the parts: run the shards again",
            all.len(),
            runs.len()
        )));
    }
    // The parts' figures are of coverage and cost: their findings are not kept.
    let day = |a: &[i64; 17]| decode_day(a, &[0; 20]);
    let parts = all
        .into_iter()
        .map(|d| RunParts {
            by_freq: d.by_freq.each_ref().map(day),
            repos_by_freq: d.repos_by_freq,
            groups: d.groups,
            by_group: d.by_group.iter().map(day).collect(),
        })
        .collect();
    Ok(Detail { baseline, parts })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::sweep::spec::BaselineKind;
    use crate::engine::DayRow;

    #[test]
    fn detail_round_trips_and_belongs_to_its_part() {
        let dir = crate::base::testing::TempDir::new("detail");
        let mut row = DayRow::default();
        row.counts.images = 9;
        row.flows.cost_micro = 1_234;
        let parts = RunParts {
            by_freq: [row, DayRow::default(), row],
            repos_by_freq: [1, 2, 3],
            groups: vec!["prod".into()],
            by_group: vec![row],
        };
        let runs = vec![(
            RunDays {
                variant: 0,
                replication: 0,
                days: vec![row],
                changes: Vec::new(),
            },
            parts.clone(),
        )];
        let baseline = Baseline {
            variant: 0,
            kind: BaselineKind::Added,
        };
        let part_file = dir.join("part.json");
        std::fs::write(&part_file, b"{\"part\": 1}").unwrap();
        std::fs::write(dir.join(FILE), encode(b"{\"part\": 1}", baseline, &runs)).unwrap();
        let read_back = read(&part_file).unwrap();
        let days: Vec<RunDays> = runs.iter().map(|(r, _)| r.clone()).collect();
        let d = combine(vec![read_back], &days).unwrap();
        assert_eq!(d.baseline, baseline);
        assert_eq!(d.parts, vec![parts]);
        // The part changed after the detail was written.
        std::fs::write(&part_file, b"{\"part\": 2}").unwrap();
        let e = read(&part_file).err().expect("refused").to_string();
        assert!(e.contains("does not belong to"), "{e}");
    }
}
