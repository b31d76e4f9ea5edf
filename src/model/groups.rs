//! How repositories are put into groups for the per-group outputs.

/// The group of each repository.
pub trait Grouping: Sync {
    /// The group of a repository; `None`: by the first segment of its name, in order of
    /// first appearance (the engine keeps that list).
    fn group_of(&self, repo: &str) -> Option<u32>;
    /// Names of the fixed groups (empty for grouping by name).
    fn names(&self) -> Vec<String>;
}

/// Groups by the first path segment of the repository name (traces).
#[derive(Default)]
pub struct PathGroups;

impl Grouping for PathGroups {
    fn group_of(&self, _: &str) -> Option<u32> {
        None
    }
    fn names(&self) -> Vec<String> {
        Vec::new()
    }
}
