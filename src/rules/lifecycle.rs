//! ECR lifecycle policies: ECR's own JSON, validated as ECR does, and evaluated
//! at a midnight on the state of one repository.

use crate::base::error::{Error, Location, Result};
use crate::base::names::glob_match;
use crate::base::time::DAY;
use crate::rules::NEVER;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageClass {
    Standard,
    Archive,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagSelect {
    Untagged,
    Any,
    Prefixes(Vec<String>),
    Patterns(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    MoreThan(u32),
    SincePushed(u32),
    SincePulled(u32),
    SinceTransitioned(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Expire,
    Transition,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub priority: u64,
    pub description: Option<String>,
    pub class: StorageClass,
    pub tags: TagSelect,
    pub count: Count,
    pub action: Action,
}

/// A validated policy; rules in ascending priority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub rules: Vec<Rule>,
}

/// What the evaluation needs of an image (its tags only decide which rules select it,
/// and that is kept in `selected`).
#[derive(Debug, Clone, Copy)]
pub struct LcImage {
    pub id: u32,
    pub pushed_at: i64,
    /// Order of the creating push in the input: later = younger on a `pushed_at` tie.
    pub created_seq: u64,
    pub archived: bool,
    pub archived_at: i64,
    pub last_pull: i64,
    pub activated_at: i64,
    /// Bit `r` set iff `rules[r]` selects the image ([`Policy::selection`]), kept up to
    /// date by the caller.
    pub selected: u64,
}

impl Rule {
    /// Whether the rule selects an image of this storage class with these tags.
    pub fn selects<'t, I>(&self, archived: bool, tags: I) -> bool
    where
        I: Iterator<Item = &'t [u8]> + Clone,
    {
        let class_ok = match self.class {
            StorageClass::Standard => !archived,
            StorageClass::Archive => archived,
        };
        class_ok
            && match &self.tags {
                TagSelect::Any => true,
                TagSelect::Untagged => tags.clone().next().is_none(),
                TagSelect::Prefixes(list) => list
                    .iter()
                    .all(|p| tags.clone().any(|t| t.starts_with(p.as_bytes()))),
                TagSelect::Patterns(list) => list
                    .iter()
                    .all(|p| tags.clone().any(|t| glob_match(p.as_bytes(), t))),
            }
    }

    /// The first instant at which this `since*` rule would make the image a candidate
    /// (`None` for a count rule).
    pub fn earliest_action(&self, img: &LcImage) -> Option<i64> {
        self.since_anchor(img)
            .map(|(anchor, n)| anchor.saturating_add(n as i64 * DAY + 1))
    }

    /// The instant a `since*` count runs from, `None` for a count rule.
    fn since_anchor(&self, img: &LcImage) -> Option<(i64, u32)> {
        match self.count {
            Count::MoreThan(_) => None,
            Count::SincePushed(n) => Some((img.pushed_at, n)),
            Count::SinceTransitioned(n) => Some((img.archived_at, n)),
            Count::SincePulled(n) => {
                let restored = img.activated_at != NEVER;
                let anchor =
                    if img.last_pull != NEVER && (!restored || img.last_pull >= img.activated_at) {
                        img.last_pull
                    } else if restored {
                        img.activated_at
                    } else {
                        img.pushed_at
                    };
                Some((anchor, n))
            }
        }
    }
}

/// What a rule does to an image at a midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub id: u32,
    pub action: Action,
    /// Index of the governing rule in `Policy::rules`.
    pub rule: usize,
}

/// The rule that governs an image: the first, in ascending priority, that selects it.
fn governing(selected: u64) -> Option<usize> {
    (selected != 0).then(|| selected.trailing_zeros() as usize)
}

/// For each count rule (`imageCountMoreThan`) of a policy, the images it selects,
/// oldest first: by `pushed_at`, then by creating push. Kept up to date as images change
/// ([`CountOrder::update`]), so that an evaluation reads its candidates off the front
/// instead of collecting and sorting every image each day a repository is over a limit.
#[derive(Debug, Clone, Default)]
pub struct CountOrder {
    /// Per rule: (pushed_at, created_seq, id); empty for `since*` rules.
    rules: Vec<BTreeSet<(i64, u64, u32)>>,
}

/// An image as a [`CountOrder`] holds it: the rules selecting it and its push time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountKey {
    pub selected: u64,
    pub pushed_at: i64,
}

impl CountOrder {
    pub fn new(policy: &Policy) -> Self {
        CountOrder {
            rules: vec![BTreeSet::new(); policy.rules.len()],
        }
    }

    /// Moves image `id` (created by push `seq`) from its old key to its new one.
    pub fn update(&mut self, policy: &Policy, id: u32, seq: u64, old: CountKey, new: CountKey) {
        if old == new {
            return;
        }
        for (r, rule) in policy.rules.iter().enumerate() {
            if !matches!(rule.count, Count::MoreThan(_)) {
                continue;
            }
            let (was, is) = (old.selected & 1 << r != 0, new.selected & 1 << r != 0);
            if was && (!is || old.pushed_at != new.pushed_at) {
                self.rules[r].remove(&(old.pushed_at, seq, id));
            }
            if is && (!was || old.pushed_at != new.pushed_at) {
                self.rules[r].insert((new.pushed_at, seq, id));
            }
        }
    }

    /// Whether a count rule selects more images than it keeps.
    pub fn over_limit(&self, policy: &Policy) -> bool {
        policy
            .rules
            .iter()
            .zip(&self.rules)
            .any(|(r, set)| matches!(r.count, Count::MoreThan(n) if set.len() > n as usize))
    }
}

impl Policy {
    /// The rules selecting an image, as a bit set (policies have at most 50 rules).
    pub fn selection<'t, I>(&self, archived: bool, tags: I) -> u64
    where
        I: Iterator<Item = &'t [u8]> + Clone,
    {
        self.rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.selects(archived, tags.clone()))
            .fold(0, |m, (i, _)| m | 1 << i)
    }

    /// Evaluates the policy at midnight `m` on the state before any action.
    /// Count rules act on the images `order` holds beyond their limit (`selected` gives
    /// an image's rule bits); `since*` rules on the images of `since`, which the caller
    /// passes only when one may be due ([`Policy::next_possible_action`]). Decisions come
    /// out in image order, so results do not depend on rule order.
    pub fn evaluate(
        &self,
        order: &CountOrder,
        selected: impl Fn(u32) -> u64,
        since: Option<&[LcImage]>,
        m: i64,
        out: &mut Vec<Decision>,
    ) {
        out.clear();
        for (ri, rule) in self.rules.iter().enumerate() {
            let Count::MoreThan(n) = rule.count else {
                continue;
            };
            let set = &order.rules[ri];
            let beyond = set.len().saturating_sub(n as usize);
            for &(_, _, id) in set.iter().take(beyond) {
                if governing(selected(id)) == Some(ri) {
                    out.push(Decision {
                        id,
                        action: rule.action,
                        rule: ri,
                    });
                }
            }
        }
        for img in since.unwrap_or_default() {
            let Some(ri) = governing(img.selected) else {
                continue;
            };
            let rule = &self.rules[ri];
            if let Some((anchor, n)) = rule.since_anchor(img)
                && m - anchor > n as i64 * DAY
            {
                out.push(Decision {
                    id: img.id,
                    action: rule.action,
                    rule: ri,
                });
            }
        }
        out.sort_unstable_by_key(|d| d.id);
    }

    /// The earliest midnight-independent instant at which a `since*` rule could act on
    /// this state: nothing can happen before it unless the state changes.
    pub fn next_possible_action(&self, images: &[LcImage]) -> i64 {
        let mut next = i64::MAX;
        for (ri, rule) in self.rules.iter().enumerate() {
            if matches!(rule.count, Count::MoreThan(_)) {
                continue;
            }
            for img in images {
                if img.selected & 1 << ri != 0
                    && let Some(t) = rule.earliest_action(img)
                {
                    next = next.min(t);
                }
            }
        }
        next
    }

    /// Reads a policy: ECR's policy JSON or `aws ecr get-lifecycle-policy` output.
    pub fn from_json(text: &str, file: &Path) -> Result<Policy> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            Error::input(
                Location::file(file)
                    .line(e.line() as u64)
                    .column(e.column() as u64),
                format!("not valid JSON: {e}"),
            )
        })?;
        crate::base::jsonkeys::check_file_text(text, "$", file, true)?;
        let err = |path: &str, msg: String| Error::input(Location::file(file).key(path), msg);
        let Value::Object(top) = &value else {
            return Err(err(
                "$",
                "a lifecycle policy is a JSON object with `rules`".into(),
            ));
        };
        if let Some(inner) = top.get("lifecyclePolicyText") {
            // `aws ecr get-lifecycle-policy` output: the policy is a JSON string.
            let Value::String(inner_text) = inner else {
                return Err(err(
                    "$.lifecyclePolicyText",
                    "expected the policy as a JSON string".into(),
                ));
            };
            let inner: Value = serde_json::from_str(inner_text).map_err(|e| {
                err(
                    "$.lifecyclePolicyText",
                    format!("the policy text is not valid JSON: {e}"),
                )
            })?;
            crate::base::jsonkeys::check_file_text(
                inner_text,
                "$.lifecyclePolicyText",
                file,
                false,
            )?;
            return parse_policy(&inner, "$.lifecyclePolicyText", &err);
        }
        parse_policy(&value, "$", &err)
    }
}

type ErrFn<'a> = dyn Fn(&str, String) -> Error + 'a;

fn only_keys(obj: &Map<String, Value>, allowed: &[&str], path: &str, err: &ErrFn) -> Result<()> {
    for k in obj.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(err(
                &format!("{path}.{k}"),
                format!("unknown field `{k}`; allowed: {}", allowed.join(", ")),
            ));
        }
    }
    Ok(())
}

fn get_str<'v>(
    obj: &'v Map<String, Value>,
    key: &str,
    path: &str,
    err: &ErrFn,
) -> Result<Option<&'v str>> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(err(
            &format!("{path}.{key}"),
            format!("expected a string, found {other}"),
        )),
    }
}

fn get_count(obj: &Map<String, Value>, key: &str, path: &str, err: &ErrFn) -> Result<Option<u64>> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::Number(n)) if n.as_u64().is_some_and(|v| v >= 1) => Ok(n.as_u64()),
        Some(other) => Err(err(
            &format!("{path}.{key}"),
            format!("must be an integer >= 1, found {other}"),
        )),
    }
}

fn parse_policy(value: &Value, path: &str, err: &ErrFn) -> Result<Policy> {
    let Value::Object(top) = value else {
        return Err(err(
            path,
            "a lifecycle policy is a JSON object with `rules`".into(),
        ));
    };
    only_keys(top, &["rules"], path, err)?;
    let Some(Value::Array(raw)) = top.get("rules") else {
        return Err(err(
            &format!("{path}.rules"),
            "a policy needs a `rules` array with 1 to 50 rules".into(),
        ));
    };
    if raw.is_empty() || raw.len() > 50 {
        return Err(err(
            &format!("{path}.rules"),
            format!("a policy has 1 to 50 rules, this one has {}", raw.len()),
        ));
    }
    let mut rules = Vec::with_capacity(raw.len());
    for (i, r) in raw.iter().enumerate() {
        rules.push(parse_rule(r, &format!("{path}.rules[{i}]"), err)?);
    }
    // Unique priorities.
    for i in 0..rules.len() {
        for j in 0..i {
            if rules[i].priority == rules[j].priority {
                return Err(err(
                    &format!("{path}.rules[{i}].rulePriority"),
                    format!(
                        "rulePriority {} is used by rules[{j}] too; priorities must be unique",
                        rules[i].priority
                    ),
                ));
            }
        }
    }
    // `any` must have the highest priority number among the rules of its storage class.
    for (i, r) in rules.iter().enumerate() {
        if r.tags == TagSelect::Any
            && let Some((j, o)) = rules
                .iter()
                .enumerate()
                .find(|(_, o)| o.class == r.class && o.priority > r.priority)
        {
            {
                return Err(err(
                    &format!("{path}.rules[{i}].selection.tagStatus"),
                    format!(
                        "a rule with tagStatus `any` must have the highest rulePriority among \
                         the rules of its storage class, but rules[{j}] has {} > {}",
                        o.priority, r.priority
                    ),
                ));
            }
        }
    }
    rules.sort_by_key(|r| r.priority);
    Ok(Policy { rules })
}

/// One rule of a policy; fields are checked in a fixed order, which decides the error shown.
fn parse_rule(v: &Value, path: &str, err: &ErrFn) -> Result<Rule> {
    let Value::Object(obj) = v else {
        return Err(err(path, "a rule is a JSON object".into()));
    };
    only_keys(
        obj,
        &["rulePriority", "description", "selection", "action"],
        path,
        err,
    )?;
    let priority = get_count(obj, "rulePriority", path, err)?.ok_or_else(|| {
        err(
            &format!("{path}.rulePriority"),
            "missing: every rule needs a positive integer rulePriority".into(),
        )
    })?;
    let description = get_str(obj, "description", path, err)?.map(str::to_string);
    let spath = format!("{path}.selection");
    let (class, tags, count) = parse_selection(obj, &spath, err)?;
    let action = parse_action(obj, &format!("{path}.action"), class, err)?;
    check_count_action(count, action, class, &spath, err)?;
    Ok(Rule {
        priority,
        description,
        class,
        tags,
        count,
        action,
    })
}

/// The `selection` object of a rule: its storage class, tag selection and count.
fn parse_selection(
    obj: &Map<String, Value>,
    spath: &str,
    err: &ErrFn,
) -> Result<(StorageClass, TagSelect, Count)> {
    let Some(Value::Object(sel)) = obj.get("selection") else {
        return Err(err(
            spath,
            "missing: every rule needs a `selection` object".into(),
        ));
    };
    only_keys(
        sel,
        &[
            "tagStatus",
            "tagPrefixList",
            "tagPatternList",
            "storageClass",
            "countType",
            "countUnit",
            "countNumber",
        ],
        spath,
        err,
    )?;
    let class = parse_storage_class(sel, spath, err)?;
    let prefixes = string_list(sel, "tagPrefixList", spath, err)?;
    let patterns = string_list(sel, "tagPatternList", spath, err)?;
    let tags = parse_tag_select(sel, prefixes, patterns, spath, err)?;
    let count = parse_count(sel, spath, err)?;
    Ok((class, tags, count))
}

/// `selection.storageClass`, `standard` when absent.
fn parse_storage_class(sel: &Map<String, Value>, spath: &str, err: &ErrFn) -> Result<StorageClass> {
    match get_str(sel, "storageClass", spath, err)? {
        None | Some("standard") => Ok(StorageClass::Standard),
        Some("archive") => Ok(StorageClass::Archive),
        Some(o) => Err(err(
            &format!("{spath}.storageClass"),
            format!("unknown storageClass `{o}`; allowed: standard, archive"),
        )),
    }
}

/// An optional array of non-empty strings (`tagPrefixList`, `tagPatternList`).
fn string_list(
    sel: &Map<String, Value>,
    key: &str,
    spath: &str,
    err: &ErrFn,
) -> Result<Option<Vec<String>>> {
    match sel.get(key) {
        None => Ok(None),
        Some(Value::Array(a)) => {
            let mut out = Vec::with_capacity(a.len());
            for (i, e) in a.iter().enumerate() {
                match e {
                    Value::String(s) if !s.is_empty() => out.push(s.clone()),
                    _ => {
                        return Err(err(
                            &format!("{spath}.{key}[{i}]"),
                            "expected a non-empty string".into(),
                        ));
                    }
                }
            }
            Ok(Some(out))
        }
        Some(_) => Err(err(
            &format!("{spath}.{key}"),
            "expected an array of strings".into(),
        )),
    }
}

/// `selection.tagStatus` together with the tag lists it allows.
fn parse_tag_select(
    sel: &Map<String, Value>,
    prefixes: Option<Vec<String>>,
    patterns: Option<Vec<String>>,
    spath: &str,
    err: &ErrFn,
) -> Result<TagSelect> {
    let status = get_str(sel, "tagStatus", spath, err)?.ok_or_else(|| {
        err(
            &format!("{spath}.tagStatus"),
            "missing; allowed: tagged, untagged, any".into(),
        )
    })?;
    match status {
        "tagged" => tagged_select(prefixes, patterns, spath, err),
        "untagged" | "any" => {
            if prefixes.is_some() || patterns.is_some() {
                return Err(err(
                    spath,
                    format!(
                        "tagPrefixList and tagPatternList go only with tagStatus `tagged`, \
                         not `{status}`"
                    ),
                ));
            }
            if status == "any" {
                Ok(TagSelect::Any)
            } else {
                Ok(TagSelect::Untagged)
            }
        }
        o => Err(err(
            &format!("{spath}.tagStatus"),
            format!("unknown tagStatus `{o}`; allowed: tagged, untagged, any"),
        )),
    }
}

/// The selection of tagStatus `tagged`: exactly one non-empty list of prefixes or patterns.
fn tagged_select(
    prefixes: Option<Vec<String>>,
    patterns: Option<Vec<String>>,
    spath: &str,
    err: &ErrFn,
) -> Result<TagSelect> {
    match (prefixes, patterns) {
        (Some(_), Some(_)) => Err(err(
            spath,
            "give tagPrefixList or tagPatternList, not both".into(),
        )),
        (None, None) => Err(err(
            spath,
            "tagStatus `tagged` needs a tagPrefixList or a tagPatternList".into(),
        )),
        (Some(p), None) if p.is_empty() => Err(err(
            &format!("{spath}.tagPrefixList"),
            "the list is empty; give at least one prefix".into(),
        )),
        (None, Some(p)) if p.is_empty() => Err(err(
            &format!("{spath}.tagPatternList"),
            "the list is empty; give at least one pattern".into(),
        )),
        (Some(p), None) => Ok(TagSelect::Prefixes(p)),
        (None, Some(p)) => {
            if let Some((i, bad)) = p
                .iter()
                .enumerate()
                .find(|(_, s)| s.bytes().filter(|&c| c == b'*').count() > 4)
            {
                return Err(err(
                    &format!("{spath}.tagPatternList[{i}]"),
                    format!("pattern `{bad}` has more than four `*` wildcards"),
                ));
            }
            Ok(TagSelect::Patterns(p))
        }
    }
}

/// `selection.countType`, `countUnit` and `countNumber` as one count.
fn parse_count(sel: &Map<String, Value>, spath: &str, err: &ErrFn) -> Result<Count> {
    let count_type = get_str(sel, "countType", spath, err)?.ok_or_else(|| {
        err(
            &format!("{spath}.countType"),
            "missing; allowed: imageCountMoreThan, sinceImagePushed, sinceImagePulled, \
             sinceImageTransitioned"
                .into(),
        )
    })?;
    let unit = get_str(sel, "countUnit", spath, err)?;
    let number = get_count(sel, "countNumber", spath, err)?.ok_or_else(|| {
        err(
            &format!("{spath}.countNumber"),
            "missing: give an integer >= 1".into(),
        )
    })?;
    let number = u32::try_from(number).map_err(|_| {
        err(
            &format!("{spath}.countNumber"),
            format!("{number} is too large"),
        )
    })?;
    check_count_unit(count_type, unit, spath, err)?;
    match count_type {
        "imageCountMoreThan" => Ok(Count::MoreThan(number)),
        "sinceImagePushed" => Ok(Count::SincePushed(number)),
        "sinceImagePulled" => Ok(Count::SincePulled(number)),
        "sinceImageTransitioned" => Ok(Count::SinceTransitioned(number)),
        o => Err(err(
            &format!("{spath}.countType"),
            format!(
                "unknown countType `{o}`; allowed: imageCountMoreThan, sinceImagePushed, \
                 sinceImagePulled, sinceImageTransitioned"
            ),
        )),
    }
}

/// `countUnit` is "days" for the since* count types and absent for imageCountMoreThan.
fn check_count_unit(count_type: &str, unit: Option<&str>, spath: &str, err: &ErrFn) -> Result<()> {
    let since = count_type != "imageCountMoreThan";
    match (since, unit) {
        (false, Some(u)) => Err(err(
            &format!("{spath}.countUnit"),
            format!(
                "countUnit `{u}` goes only with the since* count types, not imageCountMoreThan"
            ),
        )),
        (true, None) => Err(err(
            &format!("{spath}.countUnit"),
            format!("countType `{count_type}` needs countUnit \"days\""),
        )),
        (true, Some(u)) if u != "days" => Err(err(
            &format!("{spath}.countUnit"),
            format!("unknown countUnit `{u}`; the only unit is \"days\""),
        )),
        _ => Ok(()),
    }
}

/// The `action` object of a rule; `class` is the storage class the rule selects.
fn parse_action(
    obj: &Map<String, Value>,
    apath: &str,
    class: StorageClass,
    err: &ErrFn,
) -> Result<Action> {
    let Some(Value::Object(act)) = obj.get("action") else {
        return Err(err(
            apath,
            "missing: every rule needs an `action` object".into(),
        ));
    };
    only_keys(act, &["type", "targetStorageClass"], apath, err)?;
    let target = get_str(act, "targetStorageClass", apath, err)?;
    match get_str(act, "type", apath, err)? {
        Some("expire") => {
            if let Some(t) = target {
                return Err(err(
                    &format!("{apath}.targetStorageClass"),
                    format!("an `expire` action takes no targetStorageClass (got `{t}`)"),
                ));
            }
            Ok(Action::Expire)
        }
        Some("transition") => {
            if target != Some("archive") {
                return Err(err(
                    &format!("{apath}.targetStorageClass"),
                    "a `transition` action needs targetStorageClass \"archive\"".into(),
                ));
            }
            if class == StorageClass::Archive {
                return Err(err(
                    apath,
                    "images of storageClass `archive` cannot be transitioned; use `expire`".into(),
                ));
            }
            Ok(Action::Transition)
        }
        Some(o) => Err(err(
            &format!("{apath}.type"),
            format!("unknown action type `{o}`; allowed: expire, transition"),
        )),
        None => Err(err(
            &format!("{apath}.type"),
            "missing; allowed: expire, transition".into(),
        )),
    }
}

/// The count types that go with only one action (and storage class).
fn check_count_action(
    count: Count,
    action: Action,
    class: StorageClass,
    spath: &str,
    err: &ErrFn,
) -> Result<()> {
    if matches!(count, Count::SincePulled(_)) && action != Action::Transition {
        return Err(err(
            &format!("{spath}.countType"),
            "sinceImagePulled goes only with a `transition` action".into(),
        ));
    }
    if matches!(count, Count::SinceTransitioned(_))
        && (action != Action::Expire || class != StorageClass::Archive)
    {
        return Err(err(
            &format!("{spath}.countType"),
            "sinceImageTransitioned goes only with an `expire` action on storageClass \
             `archive`"
                .into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Policy> {
        Policy::from_json(text, Path::new("lc.json"))
    }

    fn rule(sel: &str, action: &str) -> String {
        format!(r#"{{"rules":[{{"rulePriority":1,"selection":{sel},"action":{action}}}]}}"#)
    }

    fn err_of(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    const EXPIRE: &str = r#"{"type":"expire"}"#;
    const TRANSITION: &str = r#"{"type":"transition","targetStorageClass":"archive"}"#;

    #[test]
    fn accepts_both_forms() {
        let p = rule(
            r#"{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":3}"#,
            EXPIRE,
        );
        let a = parse(&p).unwrap();
        let wrapped = serde_json::json!({
            "registryId": "123456789012", "repositoryName": "app",
            "lifecyclePolicyText": p, "lastEvaluatedAt": 1_700_000_000.0
        });
        let b = parse(&wrapped.to_string()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.rules[0].count, Count::MoreThan(3));
    }

    #[test]
    fn every_ecr_validation_rule() {
        let cases: Vec<(String, &str)> = vec![
            (r#"{"rules":[]}"#.into(), "1 to 50 rules"),
            (
                format!(
                    r#"{{"rules":[{}]}}"#,
                    (1..=51)
                        .map(|i| format!(r#"{{"rulePriority":{i},"selection":{{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1}},"action":{{"type":"expire"}}}}"#))
                        .collect::<Vec<_>>()
                        .join(",")
                ),
                "1 to 50 rules",
            ),
            (
                r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}},{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":2},"action":{"type":"expire"}}]}"#.into(),
                "must be unique",
            ),
            (
                r#"{"rules":[{"rulePriority":0,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}"#.into(),
                "integer >= 1",
            ),
            (
                r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}},{"rulePriority":2,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":2},"action":{"type":"expire"}}]}"#.into(),
                "highest rulePriority",
            ),
            (rule(r#"{"tagStatus":"untagged","tagPrefixList":["v"],"countType":"imageCountMoreThan","countNumber":1}"#, EXPIRE), "only with tagStatus `tagged`"),
            (rule(r#"{"tagStatus":"tagged","tagPrefixList":["v"],"tagPatternList":["v*"],"countType":"imageCountMoreThan","countNumber":1}"#, EXPIRE), "not both"),
            (rule(r#"{"tagStatus":"tagged","tagPatternList":["*a*b*c*d*e"],"countType":"imageCountMoreThan","countNumber":1}"#, EXPIRE), "more than four"),
            (rule(r#"{"tagStatus":"tagged","countType":"imageCountMoreThan","countNumber":1}"#, EXPIRE), "needs a tagPrefixList or a tagPatternList"),
            (rule(r#"{"tagStatus":"tagged","tagPrefixList":[],"countType":"imageCountMoreThan","countNumber":1}"#, EXPIRE), "list is empty"),
            (rule(r#"{"tagStatus":"any","countType":"imageCountMoreThan","countUnit":"days","countNumber":1}"#, EXPIRE), "only with the since"),
            (rule(r#"{"tagStatus":"any","countType":"sinceImagePushed","countNumber":1}"#, EXPIRE), "needs countUnit"),
            (rule(r#"{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":0}"#, EXPIRE), "integer >= 1"),
            (rule(r#"{"tagStatus":"any","countType":"sinceImagePulled","countUnit":"days","countNumber":1}"#, EXPIRE), "only with a `transition`"),
            (rule(r#"{"tagStatus":"any","countType":"sinceImageTransitioned","countUnit":"days","countNumber":1}"#, EXPIRE), "storageClass `archive`"),
            (rule(r#"{"tagStatus":"any","storageClass":"archive","countType":"sinceImageTransitioned","countUnit":"days","countNumber":1}"#, TRANSITION), "cannot be transitioned"),
            (rule(r#"{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":1}"#, r#"{"type":"transition"}"#), "needs targetStorageClass"),
            (rule(r#"{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":1}"#, r#"{"type":"expire","targetStorageClass":"archive"}"#), "takes no targetStorageClass"),
            (rule(r#"{"tagStatus":"some","countType":"sinceImagePushed","countUnit":"days","countNumber":1}"#, EXPIRE), "unknown tagStatus"),
            (rule(r#"{"tagStatus":"any","countTyp":"sinceImagePushed","countUnit":"days","countNumber":1}"#, EXPIRE), "unknown field `countTyp`"),
            ("{not json".into(), "not valid JSON"),
        ];
        for (text, want) in cases {
            let e = err_of(&text);
            assert!(e.contains(want), "expected `{want}` in `{e}`");
            assert!(e.starts_with("lc.json"), "{e}");
        }
        // The archive `any` rule need only be highest among archive rules.
        let ok = r#"{"rules":[
          {"rulePriority":2,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":2},"action":{"type":"expire"}},
          {"rulePriority":3,"selection":{"tagStatus":"any","storageClass":"archive","countType":"sinceImageTransitioned","countUnit":"days","countNumber":1},"action":{"type":"expire"}}]}"#;
        assert!(parse(ok).is_ok());
        assert!(
            err_of(&rule(
                r#"{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":0}"#,
                EXPIRE
            ))
            .contains("$.rules[0].selection.countNumber")
        );
    }

    fn img(id: u32, pushed_at: i64) -> LcImage {
        LcImage {
            id,
            pushed_at,
            created_seq: id as u64,
            archived: false,
            archived_at: NEVER,
            last_pull: NEVER,
            activated_at: NEVER,
            selected: 0,
        }
    }

    /// The images with their rule bits (untagged), and the count order kept for them.
    fn with_selection(p: &Policy, mut images: Vec<LcImage>) -> (Vec<LcImage>, CountOrder) {
        let mut order = CountOrder::new(p);
        for i in &mut images {
            i.selected = p.selection(i.archived, std::iter::empty());
            let none = CountKey {
                selected: 0,
                pushed_at: i.pushed_at,
            };
            let key = CountKey {
                selected: i.selected,
                pushed_at: i.pushed_at,
            };
            order.update(p, i.id, i.created_seq, none, key);
        }
        (images, order)
    }

    /// Every decision at `m`, `since*` rules included.
    fn decide(p: &Policy, images: &[LcImage], order: &CountOrder, m: i64) -> Vec<u32> {
        let mut out = Vec::new();
        let selected = |id: u32| images.iter().find(|i| i.id == id).map_or(0, |i| i.selected);
        p.evaluate(order, selected, Some(images), m, &mut out);
        out.iter().map(|d| d.id).collect()
    }

    #[test]
    fn count_rule_keeps_youngest_and_ties_by_creation() {
        let p = parse(&rule(
            r#"{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1}"#,
            EXPIRE,
        ))
        .unwrap();
        let (images, order) = with_selection(&p, vec![img(0, 10), img(1, 10), img(2, 5)]);
        // image 1 was created later: younger on the tie
        assert_eq!(decide(&p, &images, &order, 100), vec![0, 2]);
    }

    #[test]
    fn the_count_order_follows_pushes_and_selection() {
        let p = parse(&rule(
            r#"{"tagStatus":"tagged","tagPrefixList":["v"],"countType":"imageCountMoreThan","countNumber":1}"#,
            EXPIRE,
        ))
        .unwrap();
        let tagged = p.selection(false, [&b"v1"[..]].into_iter());
        assert_eq!(tagged, 1);
        assert_eq!(p.selection(false, [&b"latest"[..]].into_iter()), 0);
        let key = |selected, pushed_at| CountKey {
            selected,
            pushed_at,
        };
        let mut order = CountOrder::new(&p);
        order.update(&p, 0, 1, key(0, 10), key(1, 10));
        assert!(!order.over_limit(&p));
        order.update(&p, 1, 2, key(0, 20), key(1, 20));
        assert!(order.over_limit(&p));
        let mut images = vec![img(0, 10), img(1, 20)];
        images.iter_mut().for_each(|i| i.selected = 1);
        assert_eq!(decide(&p, &images, &order, 100), vec![0]);
        // A re-push of image 0 makes it the youngest; image 1 is now beyond the limit.
        order.update(&p, 0, 1, key(1, 10), key(1, 30));
        images[0].pushed_at = 30;
        assert_eq!(decide(&p, &images, &order, 100), vec![1]);
        // Image 1 loses its tag: nothing is over the limit.
        order.update(&p, 1, 2, key(1, 20), key(0, 20));
        images[1].selected = 0;
        assert!(!order.over_limit(&p));
        assert_eq!(decide(&p, &images, &order, 100), Vec::<u32>::new());
    }

    #[test]
    fn since_pulled_anchor() {
        let p = parse(&rule(
            r#"{"tagStatus":"any","countType":"sinceImagePulled","countUnit":"days","countNumber":1}"#,
            TRANSITION,
        ))
        .unwrap();
        let mut restored_after_pull = img(0, 0);
        restored_after_pull.last_pull = 10;
        restored_after_pull.activated_at = 20;
        let mut pulled_after_restore = img(1, 0);
        pulled_after_restore.last_pull = 30;
        pulled_after_restore.activated_at = 20;
        let never = img(2, 5);
        let (images, order) =
            with_selection(&p, vec![restored_after_pull, pulled_after_restore, never]);
        // Exactly one day after the anchor: not more than 1 day.
        assert_eq!(decide(&p, &images, &order, 20 + DAY), vec![2]);
        assert_eq!(decide(&p, &images, &order, 21 + DAY), vec![0, 2]);
        assert_eq!(p.next_possible_action(&images), 6 + DAY);
    }
}
