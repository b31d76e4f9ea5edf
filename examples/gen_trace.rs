//! Benchmark trace generator: writes a trace of any length, fast, deterministic
//! from a seed, for measuring the engine (`benches/run.sh`).
//!
//! ```text
//! cargo run --release --example gen_trace -- --rows 10000000 --repos 2000 --days 365 \
//!     --seed 1 --out benches/trace-bench.csv
//! ```
//!
//! The mix is exact, not drawn: every block of 100 rows holds 20 pushes, 55 pulls,
//! 15 in_use, 8 vulndb_update and 2 deletes in a shuffled order (a final partial block
//! gets the nearest counts). Among the vulndb_update rows, 1 in 1,000 names a repository
//! only and 1 in 100,000 names nothing (registry-wide); the others name one image.
//!
//! Shapes: repositories `team-T/service-N` with Zipf-like popularity (exponent `--zipf`,
//! ranks shuffled so popularity does not follow the name); pushes tag `latest` (moving)
//! and `vMAJOR.MINOR.PATCH`; 1 % of new images are unsupported; pulls, in_use and
//! per-image vulndb_update mostly name the newest image of a repository (the deployment),
//! else one of the newest 32, else one of the newest 350, so they name live images even
//! in repositories whose lifecycle policy keeps 400 (`benches/lc-bench.json`); deletes
//! remove one of the newest 32 images other than the newest (a bad build). Times are
//! spread evenly over `--days` from `--start` and never decrease.
//!
//! Hot loop: no heap allocation per row (digests are hashed from a counter into a fixed
//! buffer, numbers and times are formatted by hand into one reused row buffer).

use anyhow::{Context as _, bail};
use clap::Parser;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Parser)]
#[command(about = "Write a benchmark trace with a fixed event mix")]
struct Args {
    /// Number of event rows (header excluded).
    #[arg(long, default_value_t = 10_000_000)]
    rows: u64,
    /// Number of repositories.
    #[arg(long, default_value_t = 2000)]
    repos: u32,
    /// Days the rows are spread over, from --start.
    #[arg(long, default_value_t = 365)]
    days: u32,
    /// First day, YYYY-MM-DD (the scenario's day 0).
    #[arg(long, default_value = "2026-01-01")]
    start: String,
    /// Zipf exponent of repository popularity (0 = uniform).
    #[arg(long, default_value_t = 1.0)]
    zipf: f64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output file ("-" for standard output).
    #[arg(long)]
    out: PathBuf,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Push,
    Pull,
    InUse,
    Vulndb,
    Delete,
}

/// The mix, per 100 rows.
const MIX: [(Kind, u32); 5] = [
    (Kind::Push, 20),
    (Kind::Pull, 55),
    (Kind::InUse, 15),
    (Kind::Vulndb, 8),
    (Kind::Delete, 2),
];
const BLOCK: usize = 100;
/// Images a repository remembers (newest first); older ones stay live but unnamed.
const REMEMBER: usize = 1024;
/// Pulls and deletes reach this far back.
const RECENT: usize = 32;
/// Below the lifecycle policy's 400 kept images, with room for the day's deletes (the policy
/// acts at midnight; a delete after it moves the 401st image up to 400th).
const OLDEST_PULLED: usize = 350;
/// 1 in REPO_SCOPE vulndb_update rows names a repository only; 1 in ALL_SCOPE names nothing.
const REPO_SCOPE: u64 = 1_000;
const ALL_SCOPE: u64 = 100_000;

struct Repo {
    name: Box<[u8]>,
    /// Ids of the images this generator may name, oldest first.
    images: VecDeque<u64>,
    pushes: u32,
}

#[derive(Default)]
struct Stats {
    kinds: [u64; 5],
    vulndb_repo: u64,
    vulndb_all: u64,
    unsupported: u64,
    /// Rows that could not name a suitable image (only at the very start).
    fallback: u64,
    bytes: u64,
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The two hex digits of every byte.
const HEX_PAIRS: [[u8; 2]; 256] = {
    let mut t = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = [HEX[i >> 4], HEX[i & 15]];
        i += 1;
    }
    t
};

/// `sha256:` + 64 hex digits, a cheap hash of the image id (not a real SHA-256).
#[inline]
fn push_digest(buf: &mut Vec<u8>, id: u64, key: u64) {
    let mut d = [0u8; 71];
    d[..7].copy_from_slice(b"sha256:");
    for k in 0..4 {
        let w = splitmix64(((id << 2) | k as u64) ^ key).to_be_bytes();
        for (i, b) in w.into_iter().enumerate() {
            let at = 7 + k * 16 + 2 * i;
            d[at..at + 2].copy_from_slice(&HEX_PAIRS[b as usize]);
        }
    }
    buf.extend_from_slice(&d);
}

#[inline]
fn push_u64(buf: &mut Vec<u8>, mut n: u64) {
    let mut d = [0u8; 20];
    let mut i = d.len();
    loop {
        i -= 1;
        d[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&d[i..]);
}

#[inline]
fn push_2(buf: &mut Vec<u8>, n: u64) {
    buf.extend_from_slice(&[b'0' + (n / 10) as u8, b'0' + (n % 10) as u8]);
}

/// The rows' kinds, one shuffled block of 100 at a time.
struct Schedule {
    rng: ChaCha8Rng,
    block: Vec<Kind>,
    pos: usize,
    left: u64,
    first: bool,
}

impl Schedule {
    fn new(seed: u64, rows: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(1);
        Schedule {
            rng,
            block: Vec::with_capacity(BLOCK),
            pos: 0,
            left: rows,
            first: true,
        }
    }

    /// Counts for a block of `n <= 100` rows: exact for 100, largest remainder below.
    fn counts(n: usize) -> [u32; 5] {
        let mut c = [0u32; 5];
        let mut rem = [(0u32, 0usize); 5];
        let mut given = 0;
        for (k, &(_, pct)) in MIX.iter().enumerate() {
            c[k] = pct * n as u32 / BLOCK as u32;
            rem[k] = (pct * n as u32 % BLOCK as u32, k);
            given += c[k];
        }
        rem.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, k) in rem.iter().take(n - given as usize) {
            c[k] += 1;
        }
        c
    }

    fn refill(&mut self) {
        let n = (self.left.min(BLOCK as u64)) as usize;
        self.block.clear();
        for (k, c) in Self::counts(n).into_iter().enumerate() {
            self.block.extend(std::iter::repeat_n(MIX[k].0, c as usize));
        }
        for i in (1..n).rev() {
            let j = self.rng.random_range(0..=i);
            self.block.swap(i, j);
        }
        if self.first {
            // The trace opens with a push, so later rows always have an image to name.
            self.first = false;
            if let Some(p) = self.block.iter().position(|&k| k == Kind::Push) {
                self.block.swap(0, p);
            }
        }
        self.pos = 0;
    }

    fn next(&mut self) -> Kind {
        if self.pos == self.block.len() {
            self.refill();
        }
        self.left -= 1;
        self.pos += 1;
        self.block[self.pos - 1]
    }
}

/// Walker's alias table: draws an index with probability proportional to its weight in
/// O(1), from one random u64.
struct Alias {
    /// Chance (scaled to 2^32) of keeping the column rather than taking its alias.
    keep: Vec<u64>,
    alias: Vec<u32>,
}

impl Alias {
    fn new(weights: &[f64]) -> Self {
        let n = weights.len();
        let total: f64 = weights.iter().sum();
        let mut p: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
        let mut alias: Vec<u32> = (0..n as u32).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| p[i] < 1.0);
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            alias[s] = l as u32;
            p[l] -= 1.0 - p[s];
            if p[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // Leftovers (rounding) keep their own column.
        for i in small.into_iter().chain(large) {
            p[i] = 1.0;
        }
        let keep = p
            .iter()
            .map(|&x| (x.clamp(0.0, 1.0) * 4_294_967_296.0) as u64)
            .collect();
        Alias { keep, alias }
    }

    #[inline]
    fn draw(&self, r: u64) -> usize {
        let col = (((r & 0xFFFF_FFFF) * self.keep.len() as u64) >> 32) as usize;
        if r >> 32 < self.keep[col] {
            col
        } else {
            self.alias[col] as usize
        }
    }
}

struct Gen {
    rng: ChaCha8Rng,
    repos: Vec<Repo>,
    popularity: Alias,
    next_image: u64,
    digest_key: u64,
    last_push_repo: usize,
    /// A repository with at least two nameable images, if any is known.
    big_repo: usize,
}

impl Gen {
    fn new(args: &Args) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
        rng.set_stream(2);
        let n = args.repos as usize;
        let teams = (n / 40).max(1);
        let repos = (0..n)
            .map(|i| Repo {
                name: format!("team-{}/service-{i}", i % teams)
                    .into_bytes()
                    .into(),
                images: VecDeque::new(),
                pushes: 0,
            })
            .collect();
        let mut by_rank: Vec<u32> = (0..n as u32).collect();
        for i in (1..n).rev() {
            let j = rng.random_range(0..=i);
            by_rank.swap(i, j);
        }
        let mut weights = vec![0.0; n];
        for (k, &r) in by_rank.iter().enumerate() {
            weights[r as usize] = 1.0 / ((k + 1) as f64).powf(args.zipf);
        }
        Gen {
            rng,
            repos,
            popularity: Alias::new(&weights),
            next_image: 0,
            digest_key: splitmix64(args.seed ^ 0xD16E_5700),
            last_push_repo: 0,
            big_repo: 0,
        }
    }

    fn draw_repo(&mut self) -> usize {
        self.popularity.draw(self.rng.random::<u64>())
    }

    /// A popular repository with at least `min` nameable images.
    fn repo_with(&mut self, min: usize) -> Option<usize> {
        for _ in 0..16 {
            let r = self.draw_repo();
            if self.repos[r].images.len() >= min {
                return Some(r);
            }
        }
        None
    }

    /// How far back from the newest image a pull-like event reaches.
    fn recent_offset(&mut self, len: usize) -> usize {
        match self.rng.random_range(0..100u32) {
            0..50 => 0,
            50..85 => self.rng.random_range(0..len.min(RECENT)),
            _ => self.rng.random_range(0..len.min(OLDEST_PULLED)),
        }
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.repos == 0 || args.days == 0 {
        bail!("--repos and --days must be at least 1");
    }
    let start_day = scansim::base::time::parse_date(&args.start)
        .map_err(|e| anyhow::anyhow!("--start {}: {e}", args.start))?;
    let start = start_day * 86_400;

    let mut out: Box<dyn std::io::Write + Send> = if args.out.as_os_str() == "-" {
        Box::new(std::io::stdout())
    } else {
        if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        Box::new(
            std::fs::File::create(&args.out)
                .with_context(|| format!("creating {}", args.out.display()))?,
        )
    };

    let t0 = Instant::now();
    // Rows are formatted straight into CHUNK-sized buffers that a second thread writes, so
    // formatting overlaps the kernel's copying; the buffers go back and forth (no
    // allocation in the loop).
    let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
    let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    let stats = std::thread::scope(|s| -> anyhow::Result<Stats> {
        let writer = s.spawn(move || -> std::io::Result<()> {
            for mut buf in full_rx {
                out.write_all(&buf)?;
                buf.clear();
                // The generator may have finished and dropped its end: nothing to return.
                let _ = empty_tx.send(buf);
            }
            out.flush()
        });
        let stats = generate(&args, start, |buf: &mut Vec<u8>| {
            let fresh = empty_rx
                .try_recv()
                .unwrap_or_else(|_| Vec::with_capacity(CHUNK + 512));
            // A send fails only when the writer stopped on an error, reported below.
            let _ = full_tx.send(std::mem::replace(buf, fresh));
        });
        drop(full_tx);
        writer
            .join()
            .map_err(|_| anyhow::anyhow!("the writer thread panicked"))?
            .with_context(|| format!("writing {}", args.out.display()))?;
        Ok(stats)
    })?;
    let secs = t0.elapsed().as_secs_f64();
    report(&args, &stats, secs);
    Ok(())
}

/// Bytes formatted before a buffer is handed to the writer.
const CHUNK: usize = 4 << 20;

/// Formats every row, handing full buffers (and the last one) to `emit`.
fn generate(args: &Args, start: i64, mut emit: impl FnMut(&mut Vec<u8>)) -> Stats {
    let mut stats = Stats::default();
    let mut sched = Schedule::new(args.seed, args.rows);
    let mut g = Gen::new(args);
    let mut row: Vec<u8> = Vec::with_capacity(CHUNK + 512);

    row.extend_from_slice(b"time,event,repository,digest,tags,supported\n");

    // Time of row i = start + floor(i * span / rows), advanced without division.
    let span = args.days as u64 * 86_400;
    let (step, frac) = (span / args.rows.max(1), span % args.rows.max(1));
    let (mut sec, mut acc) = (0u64, 0u64);
    let mut day_prefix = [0u8; 11];
    let mut prefix_day = u64::MAX;
    let mut vulndb_seen = 0u64;

    for _ in 0..args.rows {
        let kind = sched.next();

        // time
        let day = sec / 86_400;
        if day != prefix_day {
            prefix_day = day;
            let s = scansim::base::time::format_date(start + (day * 86_400) as i64);
            day_prefix[..10].copy_from_slice(s.as_bytes());
            day_prefix[10] = b'T';
        }
        let sod = sec % 86_400;
        row.extend_from_slice(&day_prefix);
        push_2(&mut row, sod / 3600);
        row.push(b':');
        push_2(&mut row, sod / 60 % 60);
        row.push(b':');
        push_2(&mut row, sod % 60);
        row.extend_from_slice(b"Z,");

        match kind {
            Kind::Push => {
                let r = g.draw_repo();
                let id = g.next_image;
                g.next_image += 1;
                let supported = g.rng.random_range(0..100u32) != 0;
                let repo = &mut g.repos[r];
                let n = repo.pushes as u64;
                repo.pushes += 1;
                if repo.images.len() == REMEMBER {
                    repo.images.pop_front();
                }
                repo.images.push_back(id);
                row.extend_from_slice(b"push,");
                row.extend_from_slice(&repo.name);
                row.push(b',');
                push_digest(&mut row, id, g.digest_key);
                row.extend_from_slice(b",latest;v");
                push_u64(&mut row, 1 + n / 100);
                row.push(b'.');
                push_u64(&mut row, n / 10 % 10);
                row.push(b'.');
                push_u64(&mut row, n % 10);
                row.extend_from_slice(if supported { b",true\n" } else { b",false\n" });
                stats.unsupported += !supported as u64;
                g.last_push_repo = r;
                if repo.images.len() >= 2 {
                    g.big_repo = r;
                }
            }
            Kind::Pull | Kind::InUse | Kind::Vulndb => {
                let scope = if kind == Kind::Vulndb {
                    vulndb_seen += 1;
                    if vulndb_seen % ALL_SCOPE == ALL_SCOPE / 2 {
                        2
                    } else if vulndb_seen % REPO_SCOPE == REPO_SCOPE / 2 {
                        1
                    } else {
                        0
                    }
                } else {
                    0
                };
                row.extend_from_slice(match kind {
                    Kind::Pull => b"pull,".as_slice(),
                    Kind::InUse => b"in_use,",
                    _ => b"vulndb_update,",
                });
                if scope == 2 {
                    stats.vulndb_all += 1;
                    row.extend_from_slice(b",,,\n");
                } else {
                    // The newest pushed image is never deleted, so the fallback has one.
                    let r = g.repo_with(1).unwrap_or_else(|| {
                        stats.fallback += 1;
                        g.last_push_repo
                    });
                    row.extend_from_slice(&g.repos[r].name);
                    row.push(b',');
                    if scope == 1 {
                        stats.vulndb_repo += 1;
                    } else {
                        let len = g.repos[r].images.len();
                        let k = g.recent_offset(len);
                        push_digest(&mut row, g.repos[r].images[len - 1 - k], g.digest_key);
                    }
                    row.extend_from_slice(b",,\n");
                }
            }
            Kind::Delete => {
                let r = g.repo_with(2).or_else(|| {
                    stats.fallback += 1;
                    Some(g.big_repo).filter(|&b| g.repos[b].images.len() >= 2)
                });
                row.extend_from_slice(b"delete,");
                match r {
                    Some(r) => {
                        let repo = &g.repos[r];
                        let len = repo.images.len();
                        let k = 1 + g.rng.random_range(0..(len - 1).min(RECENT - 1));
                        let repo = &mut g.repos[r];
                        let id = repo.images.remove(len - 1 - k).expect("in range");
                        row.extend_from_slice(&repo.name);
                        row.push(b',');
                        push_digest(&mut row, id, g.digest_key);
                    }
                    None => {
                        // No repository has two images yet: name one never pushed
                        // (an ignored event; only possible in the first rows).
                        let r = g.last_push_repo;
                        row.extend_from_slice(&g.repos[r].name);
                        row.push(b',');
                        push_digest(&mut row, u64::MAX, g.digest_key);
                    }
                }
                row.extend_from_slice(b",,\n");
            }
        }
        stats.kinds[kind as usize] += 1;
        if row.len() >= CHUNK {
            stats.bytes += row.len() as u64;
            emit(&mut row);
        }

        sec += step;
        acc += frac;
        if acc >= args.rows {
            acc -= args.rows;
            sec += 1;
        }
    }
    stats.bytes += row.len() as u64;
    emit(&mut row);
    stats
}

fn report(args: &Args, stats: &Stats, secs: f64) {
    let k = &stats.kinds;
    eprintln!(
        "gen_trace: {} rows ({} push, {} pull, {} in_use, {} vulndb_update [{} repository-wide, \
         {} registry-wide], {} delete), {} unsupported pushes, {} fallback rows, {} repositories",
        args.rows,
        k[0],
        k[1],
        k[2],
        k[3],
        stats.vulndb_repo,
        stats.vulndb_all,
        k[4],
        stats.unsupported,
        stats.fallback,
        args.repos
    );
    eprintln!(
        "gen_trace: {:.1} MB in {secs:.2} s: {:.2} M rows/s, {:.0} MB/s",
        stats.bytes as f64 / 1e6,
        args.rows as f64 / secs / 1e6,
        stats.bytes as f64 / secs / 1e6
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_counts_are_exact() {
        assert_eq!(Schedule::counts(100), [20, 55, 15, 8, 2]);
        for n in 1..=100 {
            assert_eq!(Schedule::counts(n).iter().sum::<u32>() as usize, n);
        }
    }

    #[test]
    fn digest_shape() {
        let mut b = Vec::new();
        push_digest(&mut b, 7, 1);
        assert_eq!(b.len(), 71);
        assert!(b.starts_with(b"sha256:"));
        assert!(b[7..].iter().all(|c| HEX.contains(c)));
    }
}
