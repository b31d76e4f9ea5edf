//! The estimators calibration uses: a Poisson log-linear regression (pull decay with
//! age, push growth with time), medians with an order-statistic interval, a binomial
//! share with its Wilson interval.

/// A fitted value and its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
}

impl Fit {
    pub fn exact(v: f64) -> Fit {
        Fit {
            value: v,
            lo: v,
            hi: v,
        }
    }
}

/// `y[i] ~ Poisson(e[i] · exp(a + b·x[i]))`: maximum likelihood by Newton's method.
/// Returns `(a, b, se_a, se_b)`, or `None` without two points with exposure and data.
pub fn poisson_loglinear(y: &[f64], e: &[f64], x: &[f64]) -> Option<(f64, f64, f64, f64)> {
    let pts: Vec<(f64, f64, f64)> = (0..y.len())
        .filter(|&i| e[i] > 1e-9)
        .map(|i| (y[i], e[i], x[i]))
        .collect();
    let total_y: f64 = pts.iter().map(|p| p.0).sum();
    let total_e: f64 = pts.iter().map(|p| p.1).sum();
    if pts.len() < 2 || total_y <= 0.0 {
        return None;
    }
    let (mut a, mut b) = ((total_y / total_e).ln(), 0.0f64);
    let mut info = [0.0f64; 3];
    for _ in 0..100 {
        let (mut g0, mut g1) = (0.0, 0.0);
        info = [0.0; 3];
        for &(yi, ei, xi) in &pts {
            let mu = ei * (a + b * xi).exp();
            g0 += yi - mu;
            g1 += (yi - mu) * xi;
            info[0] += mu;
            info[1] += mu * xi;
            info[2] += mu * xi * xi;
        }
        let det = info[0] * info[2] - info[1] * info[1];
        if det.abs() < 1e-300 {
            return None;
        }
        let da = (info[2] * g0 - info[1] * g1) / det;
        let db = (info[0] * g1 - info[1] * g0) / det;
        // Damped steps keep the exponential from overflowing on the first iterations.
        let scale = (1.0f64).min(5.0 / (da.abs() + db.abs() * x_range(&pts)).max(1e-12));
        a += da * scale;
        b += db * scale;
        if da.abs() < 1e-10 && db.abs() < 1e-12 {
            break;
        }
    }
    let det = info[0] * info[2] - info[1] * info[1];
    let se_a = (info[2] / det).sqrt();
    let se_b = (info[0] / det).sqrt();
    (a.is_finite() && b.is_finite()).then_some((a, b, se_a, se_b))
}

fn x_range(pts: &[(f64, f64, f64)]) -> f64 {
    let lo = pts.iter().map(|p| p.2).fold(f64::INFINITY, f64::min);
    let hi = pts.iter().map(|p| p.2).fold(f64::NEG_INFINITY, f64::max);
    (hi - lo).max(1.0)
}

/// The median of `v` (sorted in place) with the order-statistic 95 % interval.
pub fn median(v: &mut [i64]) -> Option<Fit> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let n = v.len();
    let half = 0.98 * (n as f64).sqrt();
    let at = |k: f64| v[(k.round().max(0.0) as usize).min(n - 1)] as f64;
    let m = if n % 2 == 1 {
        v[n / 2] as f64
    } else {
        (v[n / 2 - 1] as f64 + v[n / 2] as f64) / 2.0
    };
    Some(Fit {
        value: m,
        lo: at(n as f64 / 2.0 - half - 1.0),
        hi: at(n as f64 / 2.0 + half),
    })
}

/// `k` of `n`, with the Wilson 95 % interval.
pub fn share(k: u64, n: u64) -> Fit {
    if n == 0 {
        return Fit::exact(0.0);
    }
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z = 1.96f64;
    let d = 1.0 + z * z / n;
    let c = (p + z * z / (2.0 * n)) / d;
    let h = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / d;
    Fit {
        value: p,
        lo: (c - h).max(0.0),
        hi: (c + h).min(1.0),
    }
}

/// A Poisson rate `k / e` with its normal-approximation interval (exact enough from a
/// few tens of events; the lower end is kept at 0 or above).
pub fn rate(k: f64, e: f64) -> Fit {
    if e <= 0.0 {
        return Fit::exact(0.0);
    }
    let h = 1.96 * k.max(1.0).sqrt() / e;
    Fit {
        value: k / e,
        lo: (k / e - h).max(0.0),
        hi: k / e + h,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loglinear_recovers_an_exact_curve() {
        let x: Vec<f64> = (0..50).map(|i| i as f64).collect();
        let e = vec![100.0; 50];
        let y: Vec<f64> = x.iter().map(|xi| 100.0 * (0.5 - 0.1 * xi).exp()).collect();
        let (a, b, se_a, se_b) = poisson_loglinear(&y, &e, &x).unwrap();
        assert!((a - 0.5).abs() < 1e-6 && (b + 0.1).abs() < 1e-6, "{a} {b}");
        assert!(se_a > 0.0 && se_b > 0.0);
        assert!(poisson_loglinear(&[0.0, 0.0], &[1.0, 1.0], &[0.0, 1.0]).is_none());
        assert!(poisson_loglinear(&[3.0], &[1.0], &[0.0]).is_none());
    }

    #[test]
    fn median_and_its_interval() {
        let mut v: Vec<i64> = (1..=101).collect();
        let m = median(&mut v).unwrap();
        assert_eq!(m.value, 51.0);
        assert!(
            m.lo < 51.0 && m.lo >= 40.0 && m.hi > 51.0 && m.hi <= 62.0,
            "{m:?}"
        );
        assert_eq!(median(&mut [4, 2]).unwrap().value, 3.0);
        assert!(median(&mut []).is_none());
    }

    #[test]
    fn share_interval_holds_the_share() {
        let s = share(30, 100);
        assert!(
            s.lo < 0.3 && s.hi > 0.3 && s.lo > 0.2 && s.hi < 0.4,
            "{s:?}"
        );
        assert_eq!(share(0, 0).value, 0.0);
        assert_eq!(share(0, 10).lo, 0.0);
        let r = rate(100.0, 10.0);
        assert!(r.value == 10.0 && r.lo < 10.0 && r.hi > 10.0);
    }
}
