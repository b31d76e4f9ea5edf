//! The scenario file: the TOML model, its validation with locations, and the
//! resolved settings the engine runs on.

mod aws;
pub mod findings;
pub mod node;
pub use aws::{Proposal, proposal_from_file};
pub mod sweep;
pub mod synthetic;

use crate::base::error::{Error, Location, Result};
use crate::base::names::{UNSUPPORTED_REGIONS, check_filter, check_region, filter_matches};
use crate::base::time::{DAY, MAX_INSTANT, MIN_INSTANT};
use crate::rules::findings::FindingsModel;
use crate::rules::lifecycle::Policy;
use crate::rules::{
    Billing, Duration, InspectorSettings, Pricing, Profile, PullMode, RegistryConfig,
    RuleFrequency, ScanRule, ScanType,
};
use node::{Doc, Node, Table};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use synthetic::SyntheticConfig;

/// A configuration change at an instant (a `[[timeline]]` entry).
#[derive(Debug, Clone)]
pub struct TimelineEntry {
    pub at: i64,
    /// A new registry configuration (replaces the whole configuration).
    pub registry: Option<RegistryConfig>,
    /// The Inspector settings in effect after this entry, when it changes them.
    pub inspector: Option<InspectorSettings>,
    /// 0-based position in the file, for messages.
    pub index: usize,
}

/// A lifecycle policy and the repositories it is assigned to.
#[derive(Debug, Clone)]
pub struct LifecycleEntry {
    pub filters: Vec<String>,
    pub policy: Arc<Policy>,
    pub file: PathBuf,
}

/// A configuration in effect (see [`Scenario::configurations`]).
#[derive(Debug, Clone)]
pub struct Configuration<'a> {
    /// The timeline entry it starts at; `None` for the initial configuration.
    pub entry: Option<&'a TimelineEntry>,
    pub registry: &'a RegistryConfig,
    pub inspector: InspectorSettings,
}

#[derive(Debug, Clone)]
pub enum Traffic {
    /// No traffic in the scenario: it must come from `--trace`.
    None,
    Trace(PathBuf),
    Synthetic(Box<SyntheticConfig>),
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub file: PathBuf,
    /// Instant of day 0's midnight (`S`).
    pub start: i64,
    pub days: u32,
    pub profile: Profile,
    pub in_use_window_days: u32,
    pub region: Option<String>,
    pub seed: u64,
    pub pricing: Pricing,
    pub registry: RegistryConfig,
    pub inspector: InspectorSettings,
    /// Sorted by `at`; entries with the same `at` in file order.
    pub timeline: Vec<TimelineEntry>,
    pub lifecycle: Vec<LifecycleEntry>,
    pub traffic: Traffic,
    /// The findings model of repositories outside any synthetic group (`[findings]`).
    pub findings: Arc<FindingsModel>,
    /// Non-fatal findings (an unsupported region under profile 2025).
    pub warnings: Vec<String>,
    /// Every file the scenario references, in the order read.
    pub referenced_files: Vec<PathBuf>,
    /// SHA-256 of the scenario text as loaded.
    pub sha256: String,
}

impl Scenario {
    /// `M(d)`: the midnight ending day `d`.
    pub fn midnight(&self, d: i64) -> i64 {
        self.start + (d + 1) * DAY
    }

    /// `M(days-1)`: inputs at or after it are not processed.
    pub fn horizon(&self) -> i64 {
        self.midnight(self.days as i64 - 1)
    }

    /// When the free trial starts (docs/behaviour.md, "Pricing and the free trial").
    pub fn billing(&self) -> Billing {
        let trial_start = if self.registry.scan_type == ScanType::Enhanced {
            Some(self.start)
        } else {
            self.timeline
                .iter()
                .find(|e| {
                    e.registry
                        .as_ref()
                        .is_some_and(|r| r.scan_type == ScanType::Enhanced)
                })
                .map(|e| e.at)
        };
        Billing {
            pricing: self.pricing,
            trial_start,
        }
    }

    /// The configurations in effect over time: the initial one, then the one after each
    /// timeline entry (an entry replaces the registry configuration and/or the Inspector
    /// settings it gives; the rest carries over).
    pub fn configurations(&self) -> Vec<Configuration<'_>> {
        let mut out = Vec::with_capacity(self.timeline.len() + 1);
        let mut cur = Configuration {
            entry: None,
            registry: &self.registry,
            inspector: self.inspector,
        };
        out.push(cur.clone());
        for e in &self.timeline {
            cur = Configuration {
                entry: Some(e),
                registry: e.registry.as_ref().unwrap_or(cur.registry),
                inspector: e.inspector.unwrap_or(cur.inspector),
            };
            out.push(cur.clone());
        }
        out
    }

    /// The configuration in effect after the first `n` timeline entries.
    pub fn configuration_after(&self, n: usize) -> Configuration<'_> {
        let all = self.configurations();
        all[n.min(all.len() - 1)].clone()
    }

    /// The findings model of a repository: its synthetic group's, else `[findings]`.
    pub fn findings_for(&self, repo: &str) -> Arc<FindingsModel> {
        if let Traffic::Synthetic(cfg) = &self.traffic
            && let Some(g) = cfg.group_of_name(repo)
        {
            return g.findings.clone();
        }
        self.findings.clone()
    }

    /// The lifecycle policy of a repository: the first entry whose filters match it.
    pub fn lifecycle_for(&self, repo: &str) -> Option<usize> {
        self.lifecycle
            .iter()
            .position(|e| e.filters.iter().any(|f| filter_matches(f, repo)))
    }

    /// Whether two scenarios simulate the same thing: the same calendar, rules, prices,
    /// configurations, lifecycle policies and traffic (their files, warnings and texts
    /// may differ).
    pub fn same_settings(&self, o: &Scenario) -> bool {
        let timeline =
            self.timeline.len() == o.timeline.len()
                && self.timeline.iter().zip(&o.timeline).all(|(a, b)| {
                    (a.at, &a.registry, a.inspector) == (b.at, &b.registry, b.inspector)
                });
        let lifecycle = self.lifecycle.len() == o.lifecycle.len()
            && self
                .lifecycle
                .iter()
                .zip(&o.lifecycle)
                .all(|(a, b)| a.filters == b.filters && *a.policy == *b.policy);
        let traffic = match (&self.traffic, &o.traffic) {
            (Traffic::None, Traffic::None) => true,
            (Traffic::Trace(a), Traffic::Trace(b)) => a == b,
            (Traffic::Synthetic(a), Traffic::Synthetic(b)) => a == b,
            _ => false,
        };
        traffic
            && timeline
            && lifecycle
            && (self.start, self.days, self.profile) == (o.start, o.days, o.profile)
            && (self.in_use_window_days, &self.region, self.seed)
                == (o.in_use_window_days, &o.region, o.seed)
            && (self.pricing, &self.registry, self.inspector)
                == (o.pricing, &o.registry, o.inspector)
    }

    /// How many timeline entries take effect at or before instant `t`.
    pub fn entries_by(&self, t: i64) -> usize {
        self.timeline.iter().take_while(|e| e.at <= t).count()
    }

    /// How many timeline entries take effect at or before day 0's first instant.
    pub fn entries_by_start(&self) -> usize {
        self.entries_by(self.start)
    }

    /// The configuration in effect at instant `t` (the entries at `t` applied).
    pub fn configuration_at(&self, t: i64) -> Configuration<'_> {
        self.configuration_after(self.entries_by(t))
    }

    /// The scenario with `p` in effect from day 0's first instant: it replaces what the
    /// last timeline entry at that instant sets (so a change that enables scanning on
    /// day 0 enables it with the proposal), or else is a configuration change of its own
    /// there. The history before day 0 stays as it was; later entries apply as written.
    pub fn with_proposal(&self, p: &Proposal) -> Scenario {
        let mut sc = self.clone();
        let n = self.entries_by_start();
        let at_start = n > 0 && sc.timeline[n - 1].at == self.start;
        if !at_start {
            sc.timeline.insert(
                n,
                TimelineEntry {
                    at: self.start,
                    registry: None,
                    inspector: None,
                    index: self.timeline.len(),
                },
            );
        }
        let e = &mut sc.timeline[if at_start { n - 1 } else { n }];
        match p {
            Proposal::Registry(r) => e.registry = Some(r.clone()),
            Proposal::Inspector(i) => e.inspector = Some(*i),
        }
        sc
    }

    pub fn dir(&self) -> &Path {
        self.file.parent().unwrap_or(Path::new("."))
    }

    pub fn load(path: &Path) -> Result<Scenario> {
        let text = crate::base::text::read_text(path, crate::base::text::MAX_SCENARIO_BYTES)?;
        Scenario::from_toml(&text, path)
    }

    pub fn from_toml(text: &str, path: &Path) -> Result<Scenario> {
        let doc = Doc::new(path, text);
        let root = node::parse(&doc)?;
        Scenario::from_table(&doc, root.get_ref())
    }

    /// A variant of the scenario in `text` (read from `path`): its `[[sweep.variants]]`
    /// entry `variant` merged in and the `--set` values placed, then read as a scenario.
    pub fn from_variant<'s>(
        text: &'s str,
        path: &Path,
        variant: Option<usize>,
        sets: &[(&'s sweep::SetArg, &'s str)],
    ) -> Result<Scenario> {
        let mut doc = Doc::new(path, text);
        let mut root = node::parse(&doc)?.into_inner();
        sweep::apply(&mut doc, &mut root, variant, sets)?;
        Scenario::from_table(&doc, &root)
    }

    fn from_table(doc: &Doc, table: &node::DeTable) -> Result<Scenario> {
        let root = Table {
            doc,
            table,
            path: String::new(),
            start: 0,
        };
        Loader {
            doc,
            dir: doc.file.parent().unwrap_or(Path::new(".")).to_path_buf(),
            files: Vec::new(),
        }
        .load(&root)
    }
}

struct Loader<'a, 's> {
    doc: &'a Doc<'s>,
    dir: PathBuf,
    files: Vec<PathBuf>,
}

/// The largest seed: seeds are TOML integers (`[simulation] seed`), so 2^63 - 1; `--seed`
/// and the replication seeds of a sweep keep to the same range.
pub const MAX_SEED: u64 = i64::MAX as u64;

const TOP_KEYS: &[&str] = &[
    "simulation",
    "pricing",
    "registry",
    "inspector",
    "timeline",
    "lifecycle",
    "traffic",
    "synthetic",
    "sweep",
    "findings",
];

/// The `[simulation]` table, read.
struct Simulation<'a, 's> {
    start: i64,
    days: u32,
    profile: Profile,
    in_use_window_days: u32,
    /// With its node, for the message when the region lacks enhanced scanning.
    region: Option<(String, Node<'a, 's>)>,
    seed: u64,
}

/// Synthetic history starts on or after 0000-01-01.
fn check_history(root: &Table, traffic: &Traffic, start: i64) -> Result<()> {
    if let Traffic::Synthetic(cfg) = traffic
        && start - cfg.history_days as i64 * DAY < MIN_INSTANT
        && let Some(n) = root
            .get("synthetic")
            .and_then(|s| s.table().ok()?.get("history_days"))
    {
        return Err(n.error(format!(
            "{} history days before {} start before the year 0000",
            cfg.history_days,
            crate::base::time::format_date(start)
        )));
    }
    Ok(())
}

/// The `[pricing]` table over the default prices.
fn pricing(root: &Table) -> Result<Pricing> {
    let Some(n) = root.get("pricing") else {
        return Ok(Pricing::default());
    };
    let t = n.table()?;
    t.allow(&["initial_scan_usd", "rescan_usd", "free_trial_days"])?;
    let mut p = Pricing::default();
    if let Some(n) = t.get("initial_scan_usd") {
        p.initial_micro = n.price_micro()?;
    }
    if let Some(n) = t.get("rescan_usd") {
        p.rescan_micro = n.price_micro()?;
    }
    if let Some(n) = t.get("free_trial_days") {
        p.free_trial_days = n.int_in(0, 100_000)? as u32;
    }
    Ok(p)
}

impl<'a, 's> Loader<'a, 's> {
    fn path(&mut self, node: &Node) -> Result<PathBuf> {
        let rel = node.str()?;
        if rel.is_empty() {
            return Err(node.error("expected a file path"));
        }
        let p = self.dir.join(rel);
        if !p.is_file() {
            return Err(node.error(format!(
                "file `{}` not found (paths are relative to the scenario file)",
                p.display()
            )));
        }
        self.files.push(p.clone());
        Ok(p)
    }

    /// The whole scenario; tables are read in a fixed order, which decides the error shown.
    fn load(mut self, root: &Table<'a, 's>) -> Result<Scenario> {
        root.allow(TOP_KEYS)?;
        // `[sweep]` is for `scansim sweep`; its structure is checked here too.
        if let Some(n) = root.get("sweep") {
            sweep::check_table(&n)?;
        }
        let sim = self.simulation(root)?;
        let pricing = pricing(root)?;
        let mut enhanced_at: Vec<Node> = Vec::new();
        let registry = match root.get("registry") {
            None => RegistryConfig::default(),
            Some(n) => self.registry(&n, &mut enhanced_at)?,
        };
        let mut inspector = sim.profile.defaults();
        if let Some(n) = root.get("inspector") {
            self.inspector(&n, sim.profile, &mut inspector)?;
        }
        let timeline = self.timeline(root, sim.profile, inspector, &mut enhanced_at)?;
        let warnings = self.region_warnings(&sim, &enhanced_at)?;
        let lifecycle = self.lifecycle(root)?;
        let findings = findings::from_root(root)?;
        let traffic = self.traffic(root, &findings)?;
        check_history(root, &traffic, sim.start)?;
        Ok(Scenario {
            file: self.doc.file.to_path_buf(),
            start: sim.start,
            days: sim.days,
            profile: sim.profile,
            in_use_window_days: sim.in_use_window_days,
            region: sim.region.map(|(r, _)| r),
            seed: sim.seed,
            pricing,
            registry,
            inspector,
            timeline,
            lifecycle,
            traffic,
            findings: Arc::new(findings),
            warnings,
            referenced_files: self.files,
            sha256: crate::base::hash::sha256_bytes(self.doc.text.as_bytes()),
        })
    }

    /// The `[simulation]` table.
    fn simulation(&self, root: &Table<'a, 's>) -> Result<Simulation<'a, 's>> {
        let sim = root
            .get("simulation")
            .ok_or_else(|| {
                self.doc.error_at(
                    0,
                    "simulation",
                    "missing table [simulation] (with start and days)",
                )
            })?
            .table()?;
        sim.allow(&[
            "start",
            "days",
            "rules",
            "in_use_window_days",
            "region",
            "seed",
        ])?;
        let start = sim
            .get("start")
            .ok_or_else(|| sim.error("missing key `start` (the date of day 0)"))?
            .date()?;
        let days_node = sim
            .get("days")
            .ok_or_else(|| sim.error("missing key `days` (number of daily rows, >= 1)"))?;
        let days = days_node.int_in(1, 100_000)? as u32;
        // The last reported day must end by 9999-12-31 (instants are in years 0000-9999).
        let room = (MAX_INSTANT + 1 - start) / DAY;
        if days as i64 > room {
            return Err(days_node.error(format!(
                "{days} days from {} run past 9999-12-31: at most {room} days from this start",
                crate::base::time::format_date(start)
            )));
        }
        let profile = match sim.get("rules") {
            None => Profile::P2024,
            Some(n) => {
                let s = n.str()?;
                Profile::parse(s).ok_or_else(|| {
                    n.error(format!(
                        "unknown rules profile `{s}`; allowed: {}",
                        Profile::NAMES
                    ))
                })?
            }
        };
        let in_use_window_days = match sim.get("in_use_window_days") {
            None => 30,
            Some(n) => n.int_in(1, 100_000)? as u32,
        };
        let region = match sim.get("region") {
            None => None,
            Some(n) => {
                let r = n.str()?;
                check_region(r).map_err(|e| n.error(e))?;
                Some((r.to_string(), n))
            }
        };
        let seed = match sim.get("seed") {
            None => 0,
            Some(n) => n.int_in(0, MAX_SEED as i64)? as u64,
        };
        Ok(Simulation {
            start,
            days,
            profile,
            in_use_window_days,
            region,
            seed,
        })
    }

    /// The `[[timeline]]` entries in order of `at`, each with the Inspector settings after
    /// it; `inspector` holds before the first.
    fn timeline(
        &mut self,
        root: &Table<'a, 's>,
        profile: Profile,
        inspector: InspectorSettings,
        enhanced_at: &mut Vec<Node<'a, 's>>,
    ) -> Result<Vec<TimelineEntry>> {
        let mut timeline = Vec::new();
        if let Some(n) = root.get("timeline") {
            for (index, e) in n.elements()?.into_iter().enumerate() {
                let t = e.table()?;
                t.allow(&["at", "registry", "inspector"])?;
                let at = t
                    .get("at")
                    .ok_or_else(|| t.error("missing key `at` (the instant of the change)"))?
                    .instant()?;
                let reg = match t.get("registry") {
                    Some(r) => Some(self.registry(&r, enhanced_at)?),
                    None => None,
                };
                let insp = t.get("inspector");
                if reg.is_none() && insp.is_none() {
                    return Err(t.error(
                        "a timeline entry changes something: give `registry` and/or `inspector`",
                    ));
                }
                timeline.push((at, index, reg, insp));
            }
        }
        // Apply in order of `at` (stable: same `at` keeps file order).
        timeline.sort_by_key(|(at, index, _, _)| (*at, *index));
        let mut current = inspector;
        let mut resolved = Vec::with_capacity(timeline.len());
        for (at, index, registry, insp) in timeline {
            let inspector = match insp {
                Some(n) => {
                    self.inspector(&n, profile, &mut current)?;
                    Some(current)
                }
                None => None,
            };
            resolved.push(TimelineEntry {
                at,
                registry,
                inspector,
                index,
            });
        }
        Ok(resolved)
    }

    /// ENHANCED in a region without enhanced scanning: a warning, or an error under the
    /// profiles that make it one.
    fn region_warnings(&self, sim: &Simulation, enhanced_at: &[Node]) -> Result<Vec<String>> {
        let mut warnings = Vec::new();
        if let Some((region, rnode)) = &sim.region
            && UNSUPPORTED_REGIONS.contains(&region.as_str())
            && let Some(first) = enhanced_at.first()
        {
            let msg = format!(
                "enhanced scanning is not supported in region {region} (unsupported: {}), \
                 but `{}` enables ENHANCED",
                UNSUPPORTED_REGIONS.join(", "),
                first.path
            );
            if sim.profile.region_is_error() {
                return Err(rnode.error(format!(
                    "{msg}; under rules profile {} this is an error",
                    sim.profile.name()
                )));
            }
            let (line, col) = self.doc.line_col(rnode.value.span().start);
            warnings.push(format!(
                "{}:{line}:{col}: {}: {msg}",
                self.doc.file.display(),
                rnode.path
            ));
        }
        Ok(warnings)
    }

    /// The `[[lifecycle]]` entries, each policy file read and validated.
    fn lifecycle(&mut self, root: &Table<'a, 's>) -> Result<Vec<LifecycleEntry>> {
        let mut lifecycle = Vec::new();
        if let Some(n) = root.get("lifecycle") {
            for e in n.elements()? {
                let t = e.table()?;
                t.allow(&["repositories", "policy"])?;
                let reps = t.get("repositories").ok_or_else(|| {
                    t.error("missing key `repositories` (wildcard filters such as [\"*\"])")
                })?;
                let filters = self.filters(&reps, 1)?;
                let pnode = t.get("policy").ok_or_else(|| {
                    t.error("missing key `policy` (a lifecycle policy JSON file)")
                })?;
                let file = self.path(&pnode)?;
                let text = crate::base::text::read_text(&file, crate::base::text::MAX_JSON_BYTES)?;
                let policy = Arc::new(Policy::from_json(&text, &file)?);
                lifecycle.push(LifecycleEntry {
                    filters,
                    policy,
                    file,
                });
            }
        }
        Ok(lifecycle)
    }

    /// The traffic source: `[traffic]` (a trace), `[synthetic]`, `[traffic] history`
    /// with `[synthetic]` (the trace replayed before day 0, synthetic traffic after), or
    /// none.
    fn traffic(&mut self, root: &Table<'a, 's>, findings: &FindingsModel) -> Result<Traffic> {
        let traffic = match root.get("traffic") {
            Some(n) => {
                let t = n.table()?;
                t.allow(&["trace", "history"])?;
                if let (Some(_), Some(h)) = (t.get("trace"), t.get("history")) {
                    return Err(h.error(
                        "give `trace` (replay a trace) or `history` (a trace continued by \
                         [synthetic]), not both",
                    ));
                }
                Some(t)
            }
            None => None,
        };
        let synthetic = root.get("synthetic");
        match (traffic, synthetic) {
            (Some(t), Some(s)) => match t.get("history") {
                Some(h) => self.continued(&h, &s, findings),
                None => Err(s.error(
                    "a scenario has one traffic source: [traffic] or [synthetic], not both \
                     (to continue a trace with synthetic traffic, name it `history`)",
                )),
            },
            (Some(t), None) => {
                if let Some(h) = t.get("history") {
                    return Err(h.error(
                        "a history is continued by synthetic traffic: add [synthetic] (or name \
                         the file `trace` to replay it alone)",
                    ));
                }
                let tn = t
                    .get("trace")
                    .ok_or_else(|| t.error("missing key `trace` (a CSV trace file)"))?;
                Ok(Traffic::Trace(self.path(&tn)?))
            }
            (None, Some(n)) => Ok(Traffic::Synthetic(Box::new(SyntheticConfig::from_toml(
                &n, findings,
            )?))),
            (None, None) => Ok(Traffic::None),
        }
    }

    /// `[traffic] history` with `[synthetic]`: the past is the trace, so the synthetic
    /// traffic generates no history of its own.
    fn continued(
        &mut self,
        history: &Node<'a, 's>,
        synthetic: &Node<'a, 's>,
        findings: &FindingsModel,
    ) -> Result<Traffic> {
        let mut cfg = SyntheticConfig::from_toml(synthetic, findings)?;
        if cfg.history_days > 0
            && let Some(n) = synthetic.table()?.get("history_days")
        {
            return Err(n.error(
                "with [traffic] history the past is the registry's own trace: remove \
                 history_days",
            ));
        }
        cfg.history = Some(self.path(history)?);
        Ok(Traffic::Synthetic(Box::new(cfg)))
    }

    /// A list of wildcard filters (ECR's filter syntax).
    fn filters(&self, node: &Node, min: usize) -> Result<Vec<String>> {
        let els = node.elements()?;
        if els.len() < min {
            return Err(node.error("give at least one filter"));
        }
        if els.len() > 100 {
            return Err(node.error(format!("at most 100 filters per rule (got {})", els.len())));
        }
        let mut out = Vec::with_capacity(els.len());
        for e in els {
            let f = e.str()?;
            check_filter(f).map_err(|m| e.error(m))?;
            out.push(f.to_string());
        }
        Ok(out)
    }

    /// A registry configuration: `scan_type` and `rules`, or `aws_json`. With `aws_json`,
    /// the keys a `--set` or a `[[sweep.variants]]` entry gives override what the file
    /// supplies (and a file given that way replaces the scenario's keys).
    fn registry(
        &mut self,
        node: &Node<'a, 's>,
        enhanced: &mut Vec<Node<'a, 's>>,
    ) -> Result<RegistryConfig> {
        let t = node.table()?;
        t.allow(&["scan_type", "rules", "aws_json"])?;
        let Some(j) = t.get("aws_json") else {
            return self.registry_keys(&t, |_| true, None, enhanced);
        };
        let given = |over: bool| {
            ["scan_type", "rules"]
                .iter()
                .any(|k| t.get(k).is_some_and(|n| n.is_override() == over))
        };
        if !j.is_override() && given(false) {
            return Err(j.error(
                "give either aws_json or scan_type/rules, not both (a --set or a \
                 [[sweep.variants]] entry may override what aws_json supplies)",
            ));
        }
        let file = self.path(&j)?;
        let cfg = aws::registry_from_file(&file)?;
        if given(true) {
            return self.registry_keys(&t, |n| n.is_override(), Some((cfg, j)), enhanced);
        }
        if cfg.scan_type == ScanType::Enhanced {
            enhanced.push(j);
        }
        Ok(cfg)
    }

    /// `scan_type` and `rules` of `t` (those `pick` selects), over `base` (a
    /// configuration read from `aws_json`, with its node) where they are missing.
    fn registry_keys(
        &mut self,
        t: &Table<'a, 's>,
        pick: impl Fn(&Node) -> bool,
        base: Option<(RegistryConfig, Node<'a, 's>)>,
        enhanced: &mut Vec<Node<'a, 's>>,
    ) -> Result<RegistryConfig> {
        let (scan_type, st) = match (t.get("scan_type").filter(|n| pick(n)), &base) {
            (Some(st), _) => {
                let s = st.str()?;
                let scan_type = ScanType::parse(s).ok_or_else(|| {
                    st.error(format!("unknown scan_type `{s}`; allowed: BASIC, ENHANCED"))
                })?;
                (scan_type, st)
            }
            (None, Some((cfg, j))) => (cfg.scan_type, j.clone()),
            (None, None) => {
                return Err(t.error("missing key `scan_type` (BASIC or ENHANCED)"));
            }
        };
        if scan_type == ScanType::Enhanced {
            enhanced.push(st.clone());
        }
        let rules = match (t.get("rules").filter(|n| pick(n)), base) {
            (Some(rn), _) => self.rules(&rn, scan_type)?,
            (None, Some((cfg, _))) => {
                let allowed = RuleFrequency::allowed_under(scan_type);
                if let Some(r) = cfg.rules.iter().find(|r| !allowed.contains(&r.frequency)) {
                    return Err(st.error(format!(
                        "scan_type {} does not allow the {} rule of aws_json",
                        scan_type.name(),
                        r.frequency.name()
                    )));
                }
                cfg.rules
            }
            (None, None) => Vec::new(),
        };
        Ok(RegistryConfig { scan_type, rules })
    }

    /// The `rules` of a registry configuration with the given scan type.
    fn rules(&mut self, rn: &Node<'a, 's>, scan_type: ScanType) -> Result<Vec<ScanRule>> {
        let els = rn.elements()?;
        if els.len() > 2 {
            return Err(rn.error(format!(
                "at most 2 rules (got {}); put more filters in a rule instead",
                els.len()
            )));
        }
        let mut rules = Vec::new();
        for e in els {
            let rt = e.table()?;
            rt.allow(&["scan_frequency", "filters"])?;
            let fnode = rt.get("scan_frequency").ok_or_else(|| {
                rt.error("missing key `scan_frequency` (SCAN_ON_PUSH, CONTINUOUS_SCAN or MANUAL)")
            })?;
            let fs = fnode.str()?;
            let allowed = RuleFrequency::allowed_under(scan_type);
            let names: Vec<&str> = allowed.iter().map(|f| f.name()).collect();
            let frequency = RuleFrequency::parse(fs)
                .filter(|f| allowed.contains(f))
                .ok_or_else(|| {
                    fnode.error(format!(
                        "scan_frequency `{fs}` is not valid under scan_type {}; allowed: {}",
                        scan_type.name(),
                        names.join(", ")
                    ))
                })?;
            let filters = match rt.get("filters") {
                Some(f) => self.filters(&f, 0)?,
                None => {
                    return Err(rt.error("missing key `filters` (a list, may be empty)"));
                }
            };
            rules.push(ScanRule { frequency, filters });
        }
        Ok(rules)
    }

    /// Applies the keys given in an `inspector` table onto `settings`. With `aws_json`,
    /// the duration keys a `--set` or a `[[sweep.variants]]` entry gives override what
    /// the file supplies (and a file given that way overrides the scenario's keys).
    fn inspector(
        &mut self,
        node: &Node,
        profile: Profile,
        settings: &mut InspectorSettings,
    ) -> Result<()> {
        let t = node.table()?;
        t.allow(&["push_duration", "pull_duration", "pull_mode", "aws_json"])?;
        let Some(j) = t.get("aws_json") else {
            return apply_keys(&t, |_| true, profile, settings);
        };
        let from_file = |n: &Node| !n.is_override();
        let file_keys = ["push_duration", "pull_duration", "pull_mode"]
            .iter()
            .any(|k| t.get(k).is_some_and(|n| from_file(&n)));
        if from_file(&j) && file_keys {
            return Err(j.error(
                "give either aws_json or the duration keys, not both (a --set or a \
                 [[sweep.variants]] entry may override what aws_json supplies)",
            ));
        }
        apply_keys(&t, from_file, profile, settings)?;
        let file = self.path(&j)?;
        aws::inspector_from_file(&file, profile, settings)?;
        apply_keys(&t, |n| n.is_override(), profile, settings)
    }
}

/// Applies the Inspector keys of `t` that `pick` selects.
fn apply_keys(
    t: &Table,
    pick: impl Fn(&Node) -> bool,
    profile: Profile,
    settings: &mut InspectorSettings,
) -> Result<()> {
    let key = |k: &str| -> Result<Option<(String, Node)>> {
        match t.get(k).filter(|n| pick(n)) {
            Some(n) => Ok(Some((n.str()?.to_string(), n))),
            None => Ok(None),
        }
    };
    let given = Given {
        push: key("push_duration")?,
        pull: key("pull_duration")?,
        mode: key("pull_mode")?,
    };
    apply_settings(given, profile, settings, |n: &Node, m| n.error(m))
}

/// Inspector keys as given, each with something to place an error at.
pub(crate) struct Given<L> {
    pub push: Option<(String, L)>,
    pub pull: Option<(String, L)>,
    pub mode: Option<(String, L)>,
}

impl<L> Default for Given<L> {
    fn default() -> Self {
        Given {
            push: None,
            pull: None,
            mode: None,
        }
    }
}

fn list(ds: &[Duration]) -> String {
    ds.iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Validates the given keys against the rules profile and applies them.
pub(crate) fn apply_settings<L>(
    given: Given<L>,
    profile: Profile,
    settings: &mut InspectorSettings,
    err: impl Fn(&L, String) -> Error,
) -> Result<()> {
    if let Some((s, at)) = given.push {
        let allowed = profile.allowed_push();
        settings.push = Duration::parse(&s)
            .filter(|d| allowed.contains(d))
            .ok_or_else(|| {
                err(
                    &at,
                    format!(
                        "push_duration `{s}` is not allowed under rules profile {}; allowed: {}",
                        profile.name(),
                        list(allowed)
                    ),
                )
            })?;
    }
    let no_pull_settings = |key: &str| {
        format!(
            "rules profile {} has no pull settings: remove {key} (or use rules = \"2024\" or \
             \"2025\")",
            profile.name()
        )
    };
    if let Some((s, at)) = given.pull {
        if !profile.has_pull_settings() {
            return Err(err(&at, no_pull_settings("pull_duration")));
        }
        let allowed = profile.allowed_pull();
        settings.pull = if s == "none" {
            None
        } else {
            Some(
                Duration::parse(&s)
                    .filter(|d| allowed.contains(d))
                    .ok_or_else(|| {
                        err(
                            &at,
                            format!(
                                "pull_duration `{s}` is not allowed under rules profile {}; \
                                 allowed: {}, or \"none\"",
                                profile.name(),
                                list(allowed)
                            ),
                        )
                    })?,
            )
        };
    }
    if let Some((s, at)) = given.mode {
        if !profile.has_pull_settings() {
            return Err(err(&at, no_pull_settings("pull_mode")));
        }
        settings.mode = PullMode::parse(&s).ok_or_else(|| {
            err(
                &at,
                format!("unknown pull_mode `{s}`; allowed: LAST_PULL_DATE, LAST_IN_USE_AT"),
            )
        })?;
    }
    Ok(())
}

/// A JSON error location.
pub(crate) fn json_loc(file: &Path, path: &str) -> Location {
    Location::file(file).key(path)
}
