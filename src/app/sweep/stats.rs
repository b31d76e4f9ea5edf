//! Statistics over replications: the mean and the half-width of its 95% confidence
//! interval with Student's t (n − 1 degrees of freedom).
//!
//! The t quantile is found by bisection on the t distribution function, written with the
//! regularized incomplete beta function (continued fraction, as in Numerical Recipes
//! section 6.4) and a Lanczos log-gamma: accurate to about 1e-10, far below the 4 decimals
//! printed, and the same on every run of a given binary.

/// Natural log of Γ(x), x > 0 (Lanczos, g = 7, 9 terms).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Continued fraction of the incomplete beta function (modified Lentz).
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let away_from_zero = |v: f64| if v.abs() < TINY { TINY } else { v };
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 / away_from_zero(1.0 - qab * x / qap);
    let mut h = d;
    // One Lentz step with coefficient `aa`; returns the factor applied to `h`.
    let mut step = |aa: f64| {
        d = 1.0 / away_from_zero(1.0 + aa * d);
        c = away_from_zero(1.0 + aa / c);
        d * c
    };
    for m in 1..=500 {
        let m = m as f64;
        let m2 = 2.0 * m;
        h *= step(m * (b - m) * x / ((qam + m2) * (a + m2)));
        let del = step(-(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)));
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// The regularized incomplete beta function I_x(a, b).
pub fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let front = ln_front.exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(a, b, x) / a
    } else {
        1.0 - front * beta_cf(b, a, 1.0 - x) / b
    }
}

/// P(T ≤ t) for Student's t with `df` degrees of freedom.
pub fn t_cdf(t: f64, df: f64) -> f64 {
    let tail = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
    if t >= 0.0 { 1.0 - tail } else { tail }
}

/// The `p` quantile of Student's t with `df` degrees of freedom (0 < p < 1).
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if p == 0.5 {
        return 0.0;
    }
    if p < 0.5 {
        return -t_quantile(1.0 - p, df);
    }
    // t_cdf is increasing; the quantile of p < 1 − 1e-12 with df ≥ 1 is below 1e12.
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while t_cdf(hi, df) < p && hi < 1e12 {
        lo = hi;
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-13 * hi {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// The mean of values over replications and the half-width of its 95% confidence
/// interval: `t(0.975, n−1) × s / √n`, with `s` the sample standard deviation; none for a
/// single value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub n: usize,
    pub mean: f64,
    pub half_width: Option<f64>,
}

impl Estimate {
    /// Values in replication order (the order of summing is fixed, so the result is the
    /// same however the runs were scheduled). `None` when there are no values.
    pub fn of(xs: &[f64]) -> Option<Estimate> {
        let n = xs.len();
        if n == 0 {
            return None;
        }
        // Equal values (a paired difference of variants that do not differ): exactly that
        // value and a half-width of exactly 0, whatever the rounding of a sum would give.
        if xs.iter().all(|&x| x == xs[0]) {
            return Some(Estimate {
                n,
                mean: xs[0],
                half_width: (n > 1).then_some(0.0),
            });
        }
        let mean = xs.iter().sum::<f64>() / n as f64;
        let half_width = (n > 1).then(|| {
            let ss: f64 = xs.iter().map(|x| (x - mean) * (x - mean)).sum();
            let s = (ss / (n - 1) as f64).sqrt();
            t_quantile(0.975, (n - 1) as f64) * s / (n as f64).sqrt()
        });
        Some(Estimate {
            n,
            mean,
            half_width,
        })
    }

    /// Half the 95 % range of one more draw (a prediction interval, t·s·√(1 + 1/n)): the
    /// mean's half-width times √(n + 1).
    pub fn prediction_half_width(&self) -> Option<f64> {
        self.half_width.map(|h| h * ((self.n + 1) as f64).sqrt())
    }

    pub fn low(&self) -> f64 {
        self.mean - self.half_width.unwrap_or(0.0)
    }

    pub fn high(&self) -> f64 {
        self.mean + self.half_width.unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn t_quantiles_match_tables() {
        // Two-sided 95%: the familiar table values (to the printed digits).
        for (df, want) in [
            (1.0, 12.706_204_736),
            (2.0, 4.302_652_730),
            (3.0, 3.182_446_305),
            (4.0, 2.776_445_105),
            (9.0, 2.262_157_163),
            (10.0, 2.228_138_852),
            (19.0, 2.093_024_054),
            (30.0, 2.042_272_456),
            (100.0, 1.983_971_519),
            (1000.0, 1.962_339_081),
        ] {
            let got = t_quantile(0.975, df);
            assert!(close(got, want, 1e-7), "df {df}: {got} vs {want}");
        }
        // Other levels and the lower tail.
        assert!(close(t_quantile(0.95, 5.0), 2.015_048_373, 1e-7));
        assert!(close(t_quantile(0.995, 2.0), 9.924_843_201, 1e-6));
        assert!(close(t_quantile(0.025, 9.0), -2.262_157_163, 1e-7));
        assert_eq!(t_quantile(0.5, 3.0), 0.0);
        // Large df tends to the normal quantile.
        assert!(close(t_quantile(0.975, 1e7), 1.959_963_985, 1e-5));
    }

    #[test]
    fn t_cdf_known_values() {
        // df = 1 is the Cauchy distribution: F(t) = 1/2 + atan(t)/π.
        for t in [-3.0, -0.5, 0.0, 1.0, 7.5] {
            let want = 0.5 + f64::atan(t) / std::f64::consts::PI;
            assert!(close(t_cdf(t, 1.0), want, 1e-12), "t {t}");
        }
        // df = 2: F(t) = 1/2 + t / (2 √(2 + t²)).
        for t in [-2.0f64, 0.3, 4.0] {
            let want = 0.5 + t / (2.0 * (2.0 + t * t).sqrt());
            assert!(close(t_cdf(t, 2.0), want, 1e-12), "t {t}");
        }
    }

    #[test]
    fn half_width_by_hand() {
        // Values 10, 12, 14, 16, 18: mean 14, s² = (16+4+0+4+16)/4 = 10,
        // half-width = t(0.975, 4) × √10 / √5 = 2.776445105 × √2 = 3.926474...
        let e = Estimate::of(&[10.0, 12.0, 14.0, 16.0, 18.0]).unwrap();
        assert_eq!(e.n, 5);
        assert!(close(e.mean, 14.0, 1e-12));
        let want = 2.776_445_105_197_8 * 2f64.sqrt();
        assert!(close(e.half_width.unwrap(), want, 1e-8), "{e:?}");
        // Two values 1 and 3: s = √2, half-width = 12.7062 × √2 / √2 = 12.7062.
        let e = Estimate::of(&[1.0, 3.0]).unwrap();
        assert!(close(e.half_width.unwrap(), 12.706_204_736, 1e-7));
        // One value: no interval.
        let e = Estimate::of(&[5.5]).unwrap();
        assert_eq!((e.mean, e.half_width), (5.5, None));
        assert_eq!(Estimate::of(&[]), None);
        // Equal values: exactly that value, half-width exactly 0.
        let e = Estimate::of(&[0.1, 0.1, 0.1]).unwrap();
        assert_eq!((e.mean, e.half_width), (0.1, Some(0.0)));
    }
}
