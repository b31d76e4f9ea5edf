//! The `[findings]` table (every repository of a trace, and the default of synthetic
//! groups) and a group's `findings = { .. }` over it.

use crate::base::error::Result;
use crate::model::scenario::node::{Node, Table};
use crate::model::scenario::synthetic::num;
use crate::rules::findings::{FindingsModel, MAX_PER_DRAW, Mix};

pub const KEYS: &[&str] = &[
    "per_image",
    "sigma",
    "severity_mix",
    "per_rescan",
    "rescan_severity_mix",
    "updated_share",
];

const MIX_KEYS: [&str; 6] = [
    "critical",
    "high",
    "medium",
    "low",
    "informational",
    "untriaged",
];

/// `{ critical = .., high = .., .. }`: relative weights; missing severities weigh 0.
fn mix(n: &Node) -> Result<Mix> {
    let t = n.table()?;
    t.allow(&MIX_KEYS)?;
    let mut w = [0.0; 6];
    for (x, k) in w.iter_mut().zip(MIX_KEYS) {
        if let Some(v) = t.get(k) {
            *x = num(&v, 0.0, 1e9)?;
        }
    }
    Mix::from_weights(w).ok_or_else(|| {
        n.error(format!(
            "give at least one positive weight among {}",
            MIX_KEYS.join(", ")
        ))
    })
}

/// The keys of a findings table applied over `base`.
pub fn parse(t: &Table, base: &FindingsModel) -> Result<FindingsModel> {
    t.allow(KEYS)?;
    let mut m = *base;
    let max = MAX_PER_DRAW as f64;
    if let Some(n) = t.get("per_image") {
        m.per_image = num(&n, 0.0, max)?;
    }
    if let Some(n) = t.get("sigma") {
        m.sigma = num(&n, 0.0, 4.0)?;
    }
    if let Some(n) = t.get("severity_mix") {
        m.mix = mix(&n)?;
    }
    if let Some(n) = t.get("per_rescan") {
        m.per_rescan = num(&n, 0.0, max)?;
    }
    if let Some(n) = t.get("rescan_severity_mix") {
        m.rescan_mix = mix(&n)?;
    }
    if let Some(n) = t.get("updated_share") {
        m.updated_share = num(&n, 0.0, 1.0)?;
    }
    Ok(m)
}

/// The `[findings]` table of a scenario, over the defaults.
pub fn from_root(root: &Table) -> Result<FindingsModel> {
    match root.get("findings") {
        None => Ok(FindingsModel::default()),
        Some(n) => parse(&n.table()?, &FindingsModel::default()),
    }
}
