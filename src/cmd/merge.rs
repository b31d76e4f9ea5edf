//! `scansim merge`: combine the parts of a sharded sweep.

use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Output directory (replaced as a whole when empty or an earlier scansim output).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Replace --out even if scansim did not write it.
    #[arg(long)]
    force: bool,
    /// The part directories (each with part.json), one per shard.
    #[arg(required = true, value_name = "PART_DIR")]
    parts: Vec<PathBuf>,
    /// Skip the charts.
    #[arg(long)]
    no_charts: bool,
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let (v, r) = crate::app::sweep::merge(&a.out, &a.parts, !a.no_charts, a.force)?;
    eprintln!(
        "{} from {} parts; wrote {}",
        super::size(v, r),
        a.parts.len(),
        a.out.join("sweep.md").display()
    );
    Ok(())
}
