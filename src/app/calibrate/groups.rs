//! `calibrate --groups RULES`: which repositories form a group. A TOML file of
//! `[[group]]` entries, each a `name` and wildcard `filters` (the registry's filter
//! syntax); a repository joins the first group with a matching filter, and a repository
//! that matches none is grouped by the first segment of its name (`team/api` → `team`).

use crate::base::error::Result;
use crate::base::names::{check_filter, check_repository, filter_matches};
use crate::model::scenario::node::{self, Doc, Table};
use std::path::Path;

#[derive(Debug, Clone, Default)]
pub struct GroupRules {
    rules: Vec<(String, Vec<String>)>,
}

/// At most this many groups in a rules file.
pub const MAX_GROUPS: usize = 1000;

impl GroupRules {
    pub fn load(path: &Path) -> Result<GroupRules> {
        let text = crate::base::text::read_text(path, crate::base::text::MAX_SCENARIO_BYTES)?;
        GroupRules::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<GroupRules> {
        let doc = Doc::new(path, text);
        let root = node::parse(&doc)?;
        let root = Table {
            doc: &doc,
            table: root.get_ref(),
            path: String::new(),
            start: 0,
        };
        root.allow(&["group"])?;
        let list = root
            .get("group")
            .ok_or_else(|| root.error("missing [[group]] entries (name and filters)"))?;
        let els = list.elements()?;
        if els.len() > MAX_GROUPS {
            return Err(list.error(format!("at most {MAX_GROUPS} groups (got {})", els.len())));
        }
        let mut rules: Vec<(String, Vec<String>)> = Vec::new();
        for e in els {
            let t = e.table()?;
            t.allow(&["name", "filters"])?;
            let nn = t
                .get("name")
                .ok_or_else(|| t.error("missing key `name` (the group's name)"))?;
            let name = nn.str()?;
            check_repository(name.as_bytes()).map_err(|m| {
                nn.error(format!(
                    "a group name starts the names of its calibrated repositories: {m}"
                ))
            })?;
            if rules.iter().any(|(n, _)| n == name) {
                return Err(nn.error(format!("group `{name}` is given twice")));
            }
            let fnode = t
                .get("filters")
                .ok_or_else(|| t.error("missing key `filters` (such as [\"prod/*\"])"))?;
            let mut filters = Vec::new();
            for f in fnode.elements()? {
                let s = f.str()?;
                check_filter(s).map_err(|m| f.error(m))?;
                filters.push(s.to_string());
            }
            if filters.is_empty() {
                return Err(fnode.error("give at least one filter"));
            }
            rules.push((name.to_string(), filters));
        }
        Ok(GroupRules { rules })
    }

    /// The group of a repository.
    pub fn group_of(&self, repo: &str) -> String {
        for (name, filters) in &self.rules {
            if filters.iter().any(|f| filter_matches(f, repo)) {
                return name.clone();
            }
        }
        repo.split('/').next().unwrap_or(repo).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<GroupRules> {
        GroupRules::parse(text, Path::new("g.toml"))
    }

    #[test]
    fn first_matching_rule_then_first_segment() {
        let r = parse(
            "[[group]]\nname = \"prod\"\nfilters = [\"*-prod\", \"prod/*\"]\n\
             [[group]]\nname = \"all\"\nfilters = [\"*\"]\n",
        )
        .unwrap();
        assert_eq!(r.group_of("api-prod"), "prod");
        assert_eq!(r.group_of("prod/x"), "prod");
        assert_eq!(r.group_of("dev/x"), "all");
        assert_eq!(GroupRules::default().group_of("team/a/b"), "team");
        assert_eq!(GroupRules::default().group_of("flat"), "flat");
    }

    #[test]
    fn bad_rules_are_refused_with_their_key() {
        for (text, want) in [
            ("", "missing [[group]]"),
            ("[[group]]\nfilters = [\"a\"]\n", "missing key `name`"),
            ("[[group]]\nname = \"ab\"\n", "missing key `filters`"),
            (
                "[[group]]\nname = \"ab\"\nfilters = []\n",
                "at least one filter",
            ),
            (
                "[[group]]\nname = \"A B\"\nfilters = [\"a\"]\n",
                "group name",
            ),
            (
                "[[group]]\nname = \"ab\"\nfilters = [\"A\"]\n",
                "group[0].filters[0]",
            ),
            (
                "[[group]]\nname = \"ab\"\nfilters = [\"a\"]\ncolour = 1\n",
                "unknown key",
            ),
            ("groups = 1\n", "unknown key `groups`"),
            (
                "[[group]]\nname = \"ab\"\nfilters = [\"a\"]\n[[group]]\nname = \"ab\"\nfilters = [\"b\"]\n",
                "given twice",
            ),
        ] {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.contains(want), "{text:?}: {e}");
            assert!(e.contains("g.toml"), "{e}");
        }
    }
}
