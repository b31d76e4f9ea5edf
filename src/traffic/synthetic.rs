//! Synthetic traffic (SPEC §10).

use crate::error::Result;
use crate::scenario::node::Node;

#[derive(Debug, Clone)]
pub struct SyntheticConfig {}

impl SyntheticConfig {
    pub fn repository_names(&self) -> Vec<String> {
        Vec::new()
    }

    pub fn from_toml(node: &Node) -> Result<Self> {
        Err(node.error("synthetic traffic is not available yet"))
    }
}
