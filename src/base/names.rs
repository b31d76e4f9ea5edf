//! Names and patterns of ECR: repository names, tags, wildcard filters and the region
//! form. Hand-written checks: they run once per trace row.

/// `*` stands for zero or more characters; the whole text must match.
pub fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// A filter without `*` matches every name containing it; with `*` it must
/// match the whole name.
pub fn filter_matches(filter: &str, name: &str) -> bool {
    let (f, n) = (filter.as_bytes(), name.as_bytes());
    if f.contains(&b'*') {
        glob_match(f, n)
    } else {
        n.windows(f.len()).any(|w| w == f)
    }
}

fn is_sep(c: u8) -> bool {
    matches!(c, b'.' | b'_' | b'-' | b'/')
}

/// ECR's filter syntax: 1..255 chars matching
/// `^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$`.
pub fn check_filter(f: &str) -> Result<(), String> {
    let b = f.as_bytes();
    if b.is_empty() || b.len() > 255 {
        return Err(format!(
            "filter `{f}` must have 1 to 255 characters (has {})",
            b.len()
        ));
    }
    let word = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'*';
    let mut prev_sep = true; // a separator may not start the filter
    for &c in b {
        if word(c) {
            prev_sep = false;
        } else if is_sep(c) && !prev_sep {
            prev_sep = true;
        } else {
            return Err(format!(
                "filter `{f}` is not valid: use lower-case letters, digits and `*`, \
                 with single `.`, `_`, `-` or `/` between them"
            ));
        }
    }
    if prev_sep {
        return Err(format!(
            "filter `{f}` is not valid: it may not end with a separator"
        ));
    }
    Ok(())
}

/// ECR repository name: 2..256 chars matching
/// `^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$`.
pub fn check_repository(name: &[u8]) -> Result<(), String> {
    if name.len() < 2 || name.len() > 256 || !repository_form(name) {
        return Err(format!(
            "invalid repository name `{}`: ECR names have 2 to 256 characters: lower-case \
             letters and digits, separated by `.`, `_`, `__` or dashes, in `/`-separated parts",
            String::from_utf8_lossy(name)
        ));
    }
    Ok(())
}

fn repository_form(name: &[u8]) -> bool {
    name.split(|&c| c == b'/').all(|part| {
        let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        if part.is_empty() || !alnum(part[0]) || !alnum(part[part.len() - 1]) {
            return false;
        }
        let mut i = 0;
        while i < part.len() {
            if alnum(part[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < part.len() && !alnum(part[i]) {
                i += 1;
            }
            let sep = &part[start..i];
            let ok = sep == b"." || sep == b"_" || sep == b"__" || sep.iter().all(|&c| c == b'-');
            if !ok {
                return false;
            }
        }
        true
    })
}

/// ECR tag: `^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$`.
pub fn check_tag(tag: &[u8]) -> Result<(), String> {
    let ok = !tag.is_empty()
        && tag.len() <= 128
        && (tag[0].is_ascii_alphanumeric() || tag[0] == b'_')
        && tag[1..]
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid tag `{}`: a tag has 1 to 128 characters from A-Z a-z 0-9 . _ - and \
             starts with a letter, a digit or `_`",
            String::from_utf8_lossy(tag)
        ))
    }
}

/// Region form `^[a-z]{2}(-[a-z]+)+-[0-9]+$`.
pub fn check_region(region: &str) -> Result<(), String> {
    let parts: Vec<&str> = region.split('-').collect();
    let ok = parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_lowercase()))
        && {
            let last = parts[parts.len() - 1];
            !last.is_empty() && last.bytes().all(|c| c.is_ascii_digit())
        };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid region `{region}`: expected the form of us-east-1 (two letters, \
             dash-separated words, a number)"
        ))
    }
}

/// Regions where enabling enhanced scanning is not supported.
pub const UNSUPPORTED_REGIONS: [&str; 5] = [
    "me-central-1",
    "ap-south-2",
    "il-central-1",
    "ap-southeast-4",
    "eu-south-2",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_table_of_spec_4_2() {
        let repos = [
            "prod",
            "repo-prod",
            "prod-repo",
            "repo-prod-repo",
            "prodrepo",
        ];
        let table: [(&str, [bool; 5]); 5] = [
            ("prod", [true, true, true, true, true]),
            ("*prod", [true, true, false, false, false]),
            ("prod*", [true, false, true, false, true]),
            ("*prod*", [true, true, true, true, true]),
            ("prod*repo", [false, false, true, false, true]),
        ];
        for (filter, row) in table {
            for (repo, want) in repos.iter().zip(row) {
                assert_eq!(filter_matches(filter, repo), want, "{filter} vs {repo}");
            }
        }
    }

    #[test]
    fn glob_edge_cases() {
        assert!(glob_match(b"*", b""));
        assert!(glob_match(b"a*b*c", b"abbbc"));
        assert!(glob_match(b"a**", b"a"));
        assert!(!glob_match(b"a*b", b"ab-c"));
        assert!(glob_match(b"rel-*", b"rel-1"));
        assert!(!glob_match(b"rel-*", b"xrel-1"));
    }

    #[test]
    fn filter_syntax() {
        for ok in ["*", "prod", "prod-*", "team/app-*", "a.b_c", "*/web", "a*b"] {
            assert!(check_filter(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "Prod",
            "-prod",
            "prod-",
            "a--b",
            "a./b",
            "a b",
            &"a".repeat(256),
        ] {
            assert!(check_filter(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn repository_names() {
        for ok in [
            "ab",
            "ml__x/model--1",
            "team/app-1",
            "data.pipeline",
            "a-----b",
            "a_b",
        ] {
            assert!(check_repository(ok.as_bytes()).is_ok(), "{ok}");
        }
        for bad in [
            "a", "App", "a___b", "a._b", "-ab", "ab-", "a//b", "/ab", "ab/", "a b",
        ] {
            assert!(check_repository(bad.as_bytes()).is_err(), "{bad}");
        }
        assert!(check_repository("a".repeat(257).as_bytes()).is_err());
        assert!(check_repository("a".repeat(256).as_bytes()).is_ok());
    }

    #[test]
    fn tags() {
        for ok in ["latest", "v1.0.1", "_x", "Build_7.x-Y", "9"] {
            assert!(check_tag(ok.as_bytes()).is_ok(), "{ok}");
        }
        for bad in ["", "-x", ".hidden", "bad tag!", &"a".repeat(129)] {
            assert!(check_tag(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn regions() {
        for ok in ["us-east-1", "us-gov-west-1", "ap-southeast-2"] {
            assert!(check_region(ok).is_ok(), "{ok}");
        }
        for bad in [
            "us-east",
            "useast-1",
            "US-east-1",
            "us--1",
            "u-east-1",
            "us-east-1a",
        ] {
            assert!(check_region(bad).is_err(), "{bad}");
        }
    }
}
