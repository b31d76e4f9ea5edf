//! Outputs of a run. Each file is an [`Exporter`]; all are written into a staging
//! directory beside the target, which then replaces the target as a whole.

pub mod answer;
pub mod axis;
pub mod breakdown;
pub mod charts;
pub mod consumers;
pub mod daily;
pub mod events;
pub mod figures;
pub mod findings_chart;
pub mod html;
mod html_findings;
mod html_money;
pub mod human;
pub mod images;
pub mod month_chart;
pub mod png;
pub mod point_chart;
pub mod summary;
pub mod tables;

use crate::base::atomic::Staging;
use crate::base::error::Result;
use crate::engine::RunResult;
use crate::model::provenance::Provenance;
use crate::model::scenario::Scenario;
use figures::Figures;
use std::io::Write;

/// Everything an exporter may read.
pub struct Report<'a> {
    pub scenario: &'a Scenario,
    pub result: &'a RunResult,
    pub provenance: &'a Provenance,
    /// The command line that produced the result.
    pub command: &'a [String],
    /// The summary figures over all reported days.
    pub figures: Figures,
    /// The scenario's warnings, then those found by the run (filters that match
    /// nothing, an empty trace, ...).
    pub warnings: Vec<String>,
    /// The headline figures over replications of the traffic (`run --replications`).
    pub replications: Option<answer::Replications>,
    /// The trace the run replayed; none for synthetic traffic.
    pub trace: Option<std::path::PathBuf>,
}

impl<'a> Report<'a> {
    pub fn new(
        scenario: &'a Scenario,
        result: &'a RunResult,
        provenance: &'a Provenance,
        command: &'a [String],
    ) -> Self {
        Report {
            scenario,
            result,
            provenance,
            command,
            figures: Figures::from_days(&result.days),
            warnings: scenario.warnings.clone(),
            replications: None,
            trace: match &scenario.traffic {
                crate::model::scenario::Traffic::Trace(t) => Some(t.clone()),
                _ => None,
            },
        }
    }
}

/// The data files every run writes.
pub fn data_exporters() -> Vec<Box<dyn Exporter>> {
    vec![
        Box::new(daily::Daily),
        Box::new(summary::SummaryJson),
        Box::new(tables::Monthly),
        Box::new(tables::Repositories),
        Box::new(tables::Groups),
    ]
}

/// One output file.
pub trait Exporter {
    fn file_name(&self) -> &'static str;
    fn write(&self, report: &Report, out: &mut dyn Write) -> std::io::Result<()>;
}

/// Writes one output file into a staging directory.
pub fn export(staging: &Staging, report: &Report, exporter: &dyn Exporter) -> Result<()> {
    staging.write_with(exporter.file_name(), |w| exporter.write(report, w))
}
