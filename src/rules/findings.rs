//! The findings model as pure draws: how many findings an image opens at its first
//! enhanced scan (heavy-tailed, split by a severity mix), and what a rescan adds (new
//! findings per severity and updates of open ones). Every draw comes from a stream
//! keyed by the image (seed, repository, digest) and, for a rescan, its instant, so
//! findings never take a number from another stream and agree across thread counts and
//! sweep variants. docs/findings.md gives the defaults and their sources.

use crate::base::hash::{splitmix, stable_hash};
use rand_distr::{Distribution, Poisson, StandardNormal};
use std::convert::Infallible;

/// Severities in the order of every output.
pub const SEVERITIES: [&str; 6] = [
    "CRITICAL",
    "HIGH",
    "MEDIUM",
    "LOW",
    "INFORMATIONAL",
    "UNTRIAGED",
];

/// Counts per severity (in [`SEVERITIES`] order).
pub type Sev = [u32; 6];

/// The most findings one draw gives an image (a bound on the heavy tail).
pub const MAX_PER_DRAW: u32 = 100_000;

/// Severity weights as integers (parts per million of the given weights' sum), so the
/// split of a count is exact integer arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mix(pub [u64; 6]);

impl Mix {
    /// Weights from non-negative numbers with a positive sum; `None` otherwise.
    pub fn from_weights(w: [f64; 6]) -> Option<Mix> {
        let sum: f64 = w.iter().sum();
        if !sum.is_finite() || sum <= 0.0 || w.iter().any(|x| *x < 0.0 || !x.is_finite()) {
            return None;
        }
        let m = w.map(|x| (x / sum * 1e6).round() as u64);
        (m.iter().sum::<u64>() > 0).then_some(Mix(m))
    }

    /// `n` split by the weights with the largest-remainder method (ties to the more
    /// severe): the parts sum to `n` and are as close to the mix as integers can be.
    pub fn split(&self, n: u32) -> Sev {
        let total: u64 = self.0.iter().sum();
        let mut out = [0u32; 6];
        let mut rem = [0u64; 6];
        let mut given = 0u64;
        for s in 0..6 {
            let x = n as u64 * self.0[s];
            out[s] = (x / total) as u32;
            rem[s] = x % total;
            given += out[s] as u64;
        }
        for _ in given..n as u64 {
            let s = (0..6).max_by_key(|&s| (rem[s], 6 - s)).unwrap_or(0);
            out[s] += 1;
            rem[s] = 0;
        }
        out
    }

    /// The weight of severity `s` as a share of 1.
    pub fn share(&self, s: usize) -> f64 {
        self.0[s] as f64 / self.0.iter().sum::<u64>() as f64
    }
}

/// The AWS sample `Inspector2 Scan` event: CRITICAL 7, HIGH 61, MEDIUM 62 of 158; the
/// other 28 split LOW 24, INFORMATIONAL 2, UNTRIAGED 2 (our assumption).
pub const SAMPLE_MIX: [f64; 6] = [7.0, 61.0, 62.0, 24.0, 2.0, 2.0];

/// The parameters of one repository group (or of every repository of a trace).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FindingsModel {
    /// Mean findings opened at an image's first enhanced scan.
    pub per_image: f64,
    /// Spread of the log-normal count at first scan (sigma of its logarithm).
    pub sigma: f64,
    /// Severity mix of the findings at first scan.
    pub mix: Mix,
    /// Mean new findings a rescan opens (Poisson, per severity by `rescan_mix`).
    pub per_rescan: f64,
    pub rescan_mix: Mix,
    /// Share of an image's open findings a rescan updates (mean; Poisson, capped).
    pub updated_share: f64,
}

impl Default for FindingsModel {
    fn default() -> Self {
        let mix = Mix::from_weights(SAMPLE_MIX).unwrap_or(Mix([1; 6]));
        FindingsModel {
            per_image: 158.0,
            sigma: 1.0,
            mix,
            // 1.3 new vulnerabilities per day × 30 days / 6 rescans per image-month.
            per_rescan: 6.5,
            rescan_mix: mix,
            updated_share: 0.01,
        }
    }
}

/// The stable key of a repository's name, for [`image_key`].
pub fn repo_key(repo: &[u8]) -> u64 {
    splitmix(stable_hash(repo))
}

/// The stable key of an image: (seed, repository key, digest). A SHA-256 digest is
/// random already: its first 16 bytes are mixed in as they are.
pub fn image_key(seed: u64, repo_key: u64, digest: &[u8]) -> u64 {
    let word = |i: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&digest[i..i + 8]);
        u64::from_le_bytes(b)
    };
    let d = if digest.len() == 32 {
        word(0) ^ word(8).rotate_left(29)
    } else {
        stable_hash(digest)
    };
    splitmix(seed ^ repo_key ^ d.rotate_left(17))
}

/// The Poisson laws of a rescan's new findings per severity, made once per model.
#[derive(Debug, Clone, Copy, Default)]
pub struct RescanLaws([Option<Poisson<f64>>; 6]);

const FIRST_SCAN: u64 = 0x6669_6e64_0001;
const RESCAN: u64 = 0x6669_6e64_0002;

/// The draws of one scan of one image: a SplitMix64 sequence started from the key of
/// (image, purpose, instant). A stream is made per scan, millions of times in a run, and
/// uses a dozen numbers: a ChaCha8 stream's setup (a 256-byte block) cost more than a
/// third of the findings model's time; this one costs a few multiplications. Its output
/// is fixed by this code, so runs reproduce across versions of the random crates.
struct KeyedStream(u64);

impl rand::TryRng for KeyedStream {
    type Error = Infallible;

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let x = splitmix(self.0);
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        Ok(x)
    }

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        self.try_next_u64().map(|x| (x >> 32) as u32)
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let x = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&x[..chunk.len()]);
        }
        Ok(())
    }
}

fn stream(key: u64, purpose: u64, t: i64) -> KeyedStream {
    KeyedStream(splitmix(
        splitmix(key ^ purpose) ^ (t as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93),
    ))
}

fn sample(rng: &mut KeyedStream, law: &Option<Poisson<f64>>) -> u32 {
    law.map_or(0, |p| (p.sample(rng) as u32).min(MAX_PER_DRAW))
}

fn poisson(rng: &mut KeyedStream, mean: f64) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    Poisson::new(mean).map_or(0, |p| (p.sample(rng) as u32).min(MAX_PER_DRAW))
}

/// What a rescan does to an image's findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RescanDraw {
    pub created: Sev,
    pub updated: u32,
}

impl FindingsModel {
    /// The findings an image opens at its first enhanced scan.
    pub fn first_scan(&self, key: u64) -> Sev {
        if self.per_image <= 0.0 {
            return [0; 6];
        }
        let mut rng = stream(key, FIRST_SCAN, 0);
        let z: f64 = StandardNormal.sample(&mut rng);
        // The median that gives the configured mean.
        let median = self.per_image * (-self.sigma * self.sigma / 2.0).exp();
        let n = (median * (self.sigma * z).exp()).round();
        self.mix.split(n.min(MAX_PER_DRAW as f64) as u32)
    }

    /// The laws [`FindingsModel::rescan`] draws from.
    pub fn rescan_laws(&self) -> RescanLaws {
        let law = |s: usize| {
            let mean = self.per_rescan * self.rescan_mix.share(s);
            (mean > 0.0).then(|| Poisson::new(mean).ok()).flatten()
        };
        RescanLaws([law(0), law(1), law(2), law(3), law(4), law(5)])
    }

    /// What the rescan of an image at `t` adds and updates, given its open total
    /// (`laws` from [`FindingsModel::rescan_laws`]).
    pub fn rescan(&self, laws: &RescanLaws, key: u64, t: i64, open: u32) -> RescanDraw {
        let mut rng = stream(key, RESCAN, t);
        let created = laws.0.map(|law| sample(&mut rng, &law));
        let updated = if self.updated_share > 0.0 && open > 0 {
            poisson(&mut rng, open as f64 * self.updated_share).min(open)
        } else {
            0
        };
        RescanDraw { created, updated }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_mix_splits_158_exactly() {
        let m = Mix::from_weights(SAMPLE_MIX).unwrap();
        assert_eq!(m.split(158), [7, 61, 62, 24, 2, 2]);
        assert_eq!(m.split(0), [0; 6]);
        // 1 finding goes to the largest weight (MEDIUM).
        assert_eq!(m.split(1), [0, 0, 1, 0, 0, 0]);
        for n in [2, 17, 999, 100_000] {
            assert_eq!(m.split(n).iter().sum::<u32>(), n);
        }
    }

    #[test]
    fn bad_mixes_are_refused() {
        assert!(Mix::from_weights([0.0; 6]).is_none());
        assert!(Mix::from_weights([1.0, -1.0, 1.0, 0.0, 0.0, 0.0]).is_none());
        assert!(Mix::from_weights([f64::NAN, 1.0, 1.0, 0.0, 0.0, 0.0]).is_none());
        assert_eq!(
            Mix::from_weights([0.0, 0.0, 0.0, 0.0, 0.0, 3.0])
                .unwrap()
                .split(5),
            [0, 0, 0, 0, 0, 5]
        );
    }

    #[test]
    fn draws_are_reproducible_and_keyed_by_image_and_instant() {
        let m = FindingsModel::default();
        let r = repo_key(b"repo");
        let a = image_key(1, r, b"sha256:aa");
        let b = image_key(1, r, b"sha256:ab");
        assert_eq!(m.first_scan(a), m.first_scan(a));
        assert_ne!(m.first_scan(a), m.first_scan(b));
        assert_ne!(image_key(2, r, b"sha256:aa"), a);
        assert_ne!(image_key(1, r, &[7; 32]), image_key(1, r, &[8; 32]));
        let l = m.rescan_laws();
        assert_eq!(m.rescan(&l, a, 10, 50), m.rescan(&l, a, 10, 50));
        let draws: Vec<_> = (0..20).map(|t| m.rescan(&l, a, t, 50)).collect();
        assert!(draws.windows(2).any(|w| w[0] != w[1]));
    }

    #[test]
    fn the_first_scan_mean_and_tail_follow_the_parameters() {
        let m = FindingsModel::default();
        let n = 20_000u64;
        let totals: Vec<u32> = (0..n)
            .map(|i| m.first_scan(image_key(7, 1, &i.to_le_bytes())).iter().sum())
            .collect();
        let mean = totals.iter().map(|&x| x as f64).sum::<f64>() / n as f64;
        assert!((mean - 158.0).abs() < 8.0, "mean {mean}");
        let mut sorted = totals.clone();
        sorted.sort_unstable();
        let median = sorted[n as usize / 2] as f64;
        // Heavy tail: the median is well below the mean (158 / e^0.5 = 96).
        assert!((85.0..105.0).contains(&median), "median {median}");
        let zero = FindingsModel {
            per_image: 0.0,
            ..m
        };
        assert_eq!(zero.first_scan(1), [0; 6]);
    }

    #[test]
    fn a_rescan_adds_about_its_mean_and_never_updates_more_than_open() {
        let m = FindingsModel {
            updated_share: 0.5,
            ..FindingsModel::default()
        };
        let n = 20_000i64;
        let mut created = 0u64;
        let l = m.rescan_laws();
        for t in 0..n {
            let d = m.rescan(&l, 99, t, 4);
            created += d.created.iter().map(|&x| x as u64).sum::<u64>();
            assert!(d.updated <= 4);
        }
        let mean = created as f64 / n as f64;
        assert!((mean - 6.5).abs() < 0.1, "mean {mean}");
        assert_eq!(m.rescan(&l, 99, 1, 0).updated, 0);
    }
}
