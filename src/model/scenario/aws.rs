//! The AWS CLI JSON forms of the configuration (`aws_json`):
//! `aws ecr get-registry-scanning-configuration` output, the input or output of
//! `put-registry-scanning-configuration`, and `aws inspector2 get-configuration` output.

use super::{Given, apply_settings, json_loc};
use crate::base::error::{Error, Location, Result};
use crate::base::names::check_filter;
use crate::rules::{InspectorSettings, Profile, RegistryConfig, RuleFrequency, ScanRule, ScanType};
use serde_json::Value;
use std::path::Path;

fn read_json(file: &Path) -> Result<Value> {
    let text = crate::base::text::read_text(file, crate::base::text::MAX_JSON_BYTES)?;
    let v = serde_json::from_str(&text).map_err(|e| {
        Error::input(
            Location::file(file)
                .line(e.line() as u64)
                .column(e.column() as u64),
            format!("not valid JSON: {e}"),
        )
    })?;
    crate::base::jsonkeys::check_file_text(&text, "$", file, true)?;
    Ok(v)
}

/// What builds an error from a JSON path and a message.
type ErrFn<'a> = dyn Fn(&str, String) -> Error + 'a;

/// A registry scanning configuration file, in any of the three documented shapes.
pub fn registry_from_file(file: &Path) -> Result<RegistryConfig> {
    let v = read_json(file)?;
    let err = |path: &str, msg: String| Error::input(json_loc(file, path), msg);
    // Find the configuration object in any of the three documented shapes.
    let (cfg, path) = if let Some(c) = v.get("scanningConfiguration") {
        (c, "$.scanningConfiguration")
    } else if let Some(c) = v.get("registryScanningConfiguration") {
        (c, "$.registryScanningConfiguration")
    } else {
        (&v, "$")
    };
    let Some(obj) = cfg.as_object() else {
        return Err(err(path, "expected a JSON object with scanType".into()));
    };
    let st = obj.get("scanType").and_then(Value::as_str).ok_or_else(|| {
        err(
            &format!("{path}.scanType"),
            "missing: BASIC or ENHANCED".into(),
        )
    })?;
    let scan_type = ScanType::parse(st).ok_or_else(|| {
        err(
            &format!("{path}.scanType"),
            format!("unknown scanType `{st}`; allowed: BASIC, ENHANCED"),
        )
    })?;
    let mut rules = Vec::new();
    if let Some(rv) = obj.get("rules") {
        let Some(arr) = rv.as_array() else {
            return Err(err(&format!("{path}.rules"), "expected an array".into()));
        };
        if arr.len() > 2 {
            return Err(err(
                &format!("{path}.rules"),
                format!("at most 2 rules (got {})", arr.len()),
            ));
        }
        for (i, r) in arr.iter().enumerate() {
            rules.push(scan_rule(
                r,
                &format!("{path}.rules[{i}]"),
                scan_type,
                &err,
            )?);
        }
    }
    Ok(RegistryConfig { scan_type, rules })
}

/// One scanning rule: its frequency (one allowed under `scan_type`) and filters.
fn scan_rule(r: &Value, rp: &str, scan_type: ScanType, err: &ErrFn) -> Result<ScanRule> {
    let fs = r
        .get("scanFrequency")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            err(
                &format!("{rp}.scanFrequency"),
                "missing scanFrequency".into(),
            )
        })?;
    let allowed = RuleFrequency::allowed_under(scan_type);
    let frequency = RuleFrequency::parse(fs)
        .filter(|f| allowed.contains(f))
        .ok_or_else(|| {
            err(
                &format!("{rp}.scanFrequency"),
                format!(
                    "scanFrequency `{fs}` is not valid under scanType {}; allowed: {}",
                    scan_type.name(),
                    allowed
                        .iter()
                        .map(|f| f.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
    let filters = repository_filters(r, rp, err)?;
    Ok(ScanRule { frequency, filters })
}

/// The `repositoryFilters` of a rule: at most 100 wildcard filters.
fn repository_filters(r: &Value, rp: &str, err: &ErrFn) -> Result<Vec<String>> {
    let Some(filters) = r.get("repositoryFilters").and_then(Value::as_array) else {
        return Err(err(
            &format!("{rp}.repositoryFilters"),
            "missing repositoryFilters (an array, may be empty)".into(),
        ));
    };
    if filters.len() > 100 {
        return Err(err(
            &format!("{rp}.repositoryFilters"),
            format!("at most 100 filters per rule (got {})", filters.len()),
        ));
    }
    let mut out = Vec::with_capacity(filters.len());
    for (j, f) in filters.iter().enumerate() {
        let fp = format!("{rp}.repositoryFilters[{j}]");
        let text = f
            .get("filter")
            .and_then(Value::as_str)
            .ok_or_else(|| err(&format!("{fp}.filter"), "missing filter".into()))?;
        match f.get("filterType").and_then(Value::as_str) {
            None | Some("WILDCARD") => {}
            Some(o) => {
                return Err(err(
                    &format!("{fp}.filterType"),
                    format!("unknown filterType `{o}`; the only type is WILDCARD"),
                ));
            }
        }
        check_filter(text).map_err(|m| err(&format!("{fp}.filter"), m))?;
        out.push(text.to_string());
    }
    Ok(out)
}

/// A configuration proposed in one of the AWS JSON forms.
#[derive(Debug, Clone, PartialEq)]
pub enum Proposal {
    /// A registry scanning configuration (get-registry-scanning-configuration output, or
    /// the input or output of put-registry-scanning-configuration).
    Registry(RegistryConfig),
    /// Inspector settings (`aws inspector2 get-configuration` output), over `current`.
    Inspector(InspectorSettings),
}

/// Reads a proposed configuration: Inspector settings when the file has
/// `ecrConfiguration`, else a registry scanning configuration. Inspector fields the file
/// lacks keep their `current` values.
pub fn proposal_from_file(
    file: &Path,
    profile: Profile,
    current: InspectorSettings,
) -> Result<Proposal> {
    if read_json(file)?.get("ecrConfiguration").is_some() {
        let mut settings = current;
        inspector_from_file(file, profile, &mut settings)?;
        return Ok(Proposal::Inspector(settings));
    }
    registry_from_file(file).map(Proposal::Registry)
}

pub fn inspector_from_file(
    file: &Path,
    profile: Profile,
    settings: &mut InspectorSettings,
) -> Result<()> {
    let v = read_json(file)?;
    let base = "$.ecrConfiguration.rescanDurationState";
    let state = v
        .get("ecrConfiguration")
        .and_then(|e| e.get("rescanDurationState"))
        .ok_or_else(|| {
            Error::input(
                json_loc(file, base),
                "missing: expected `aws inspector2 get-configuration` output".to_string(),
            )
        })?;
    let field = |name: &str| -> Result<Option<(String, String)>> {
        match state.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some((s.clone(), format!("{base}.{name}")))),
            Some(_) => Err(Error::input(
                json_loc(file, &format!("{base}.{name}")),
                "expected a string".to_string(),
            )),
        }
    };
    let given = Given {
        push: field("rescanDuration")?,
        pull: field("pullDateRescanDuration")?,
        mode: field("pullDateRescanMode")?,
    };
    apply_settings(given, profile, settings, |path: &String, m| {
        Error::input(json_loc(file, path), m)
    })
}
