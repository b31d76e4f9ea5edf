//! Numbers formatted for people (the terminal answer, the report, chart axes): thousands
//! separators, no needless decimals, units. The data files keep their fixed formats.
//!
//! Every function starts from the integers the data files print (cents, hundredths of a
//! percent), so a rounded figure always agrees with the exact one in `summary.json`.

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An amount of money given in cents: whole dollars from 100 USD on (`1,609 USD`),
/// cents below (`12.50 USD`, `0.09 USD`), `0 USD` for nothing.
pub fn usd_cents(cents: u64) -> String {
    format!("{} USD", usd_number(cents))
}

/// [`usd_cents`] without the unit.
pub fn usd_number(cents: u64) -> String {
    if cents == 0 {
        "0".into()
    } else if cents >= 10_000 {
        thousands((cents + 50) / 100)
    } else {
        format!("{}.{:02}", cents / 100, cents % 100)
    }
}

/// Micro-USD (non-negative) as [`usd_cents`].
pub fn usd_micro(micro: i64) -> String {
    usd_cents(crate::base::money::cents(micro.max(0)))
}

/// A value that is not an integer of cents (a mean over runs), as [`usd_cents`].
pub fn usd_f64(usd: f64) -> String {
    usd_cents(to_hundredths(usd))
}

/// A non-negative value in hundredths, rounded half up; negative values give 0.
pub fn to_hundredths(x: f64) -> u64 {
    if x.is_finite() && x > 0.0 {
        (x * 100.0).round() as u64
    } else {
        0
    }
}

/// A percentage given in hundredths of a percent, with one decimal: `34.9 %`; `< 0.1 %`
/// for a small non-zero share.
pub fn pct(hundredths: u64) -> String {
    let tenths = (hundredths + 5) / 10;
    if tenths == 0 && hundredths > 0 {
        return "< 0.1 %".into();
    }
    format!("{}.{} %", thousands(tenths / 10), tenths % 10)
}

/// A share given in hundredths of a percent, in whole percent: `81 %`; `< 1 %` for a
/// small non-zero share.
pub fn share(hundredths: u64) -> String {
    let whole = (hundredths + 50) / 100;
    if whole == 0 && hundredths > 0 {
        return "< 1 %".into();
    }
    format!("{whole} %")
}

/// A mean count given in hundredths: whole from 100 on (`8,201`), one decimal below
/// (`3.4`), `0` for nothing.
pub fn mean_count(hundredths: u64) -> String {
    if hundredths >= 10_000 {
        thousands((hundredths + 50) / 100)
    } else if hundredths == 0 {
        "0".into()
    } else {
        let tenths = (hundredths + 5) / 10;
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

/// `1 repository`, `3 repositories`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// `x` rounded to `decimals`, with thousands separators and a sign: `-` when it is
/// negative, `+` when `signed` and it is positive; never `-0`.
pub fn number(x: f64, decimals: usize, signed: bool) -> String {
    let s = format!("{:.*}", decimals, x.abs());
    let nonzero = s.bytes().any(|b| (b'1'..=b'9').contains(&b));
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let body = format!(
        "{}{}{frac}",
        thousands(int.parse().unwrap_or(0)),
        if frac.is_empty() { "" } else { "." }
    );
    let sign = match (nonzero, x < 0.0, signed) {
        (true, true, _) => "-",
        (true, false, true) => "+",
        _ => "",
    };
    format!("{sign}{body}")
}

/// A mean and the half-width of its 95 % interval: `2,017 ± 213`, `+0.10 ± 0.19`; one
/// value without a half-width. Money (`money`) in whole dollars when either number
/// reaches 100 (cents below); other figures with one decimal.
pub fn plus_minus(mean: f64, half_width: Option<f64>, money: bool, signed: bool) -> String {
    let big = mean.abs().max(half_width.unwrap_or(0.0));
    let decimals = match (money, big >= 99.995) {
        (true, true) => 0,
        (true, false) => 2,
        (false, _) => 1,
    };
    let mut s = number(mean, decimals, signed);
    if let Some(h) = half_width {
        s.push_str(" ± ");
        s.push_str(&number(h, decimals, false));
    }
    s
}

/// An axis label: thousands separators, decimals only where the step needs them.
pub fn axis_number(v: f64, step: f64) -> String {
    let decimals = if step >= 1.0 || step <= 0.0 {
        0
    } else {
        (-step.log10()).ceil().clamp(0.0, 6.0) as usize
    };
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let int: u64 = int.parse().unwrap_or(0);
    let sign = if v < 0.0 && s.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{}", thousands(int))
    } else {
        format!("{sign}{}.{frac}", thousands(int))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(19_575), "19,575");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn money_without_needless_decimals() {
        assert_eq!(usd_cents(160_888), "1,609 USD");
        assert_eq!(usd_cents(1_957_471), "19,575 USD");
        assert_eq!(usd_cents(10_049), "100 USD");
        assert_eq!(usd_cents(9_999), "99.99 USD");
        assert_eq!(usd_cents(9), "0.09 USD");
        assert_eq!(usd_cents(0), "0 USD");
        assert_eq!(usd_micro(90_000), "0.09 USD");
        assert_eq!(usd_f64(1608.875), "1,609 USD");
    }

    #[test]
    fn percentages_and_shares() {
        assert_eq!(pct(3491), "34.9 %");
        assert_eq!(pct(3495), "35.0 %");
        assert_eq!(pct(10_000), "100.0 %");
        assert_eq!(pct(0), "0.0 %");
        assert_eq!(pct(4), "< 0.1 %");
        assert_eq!(share(8_061), "81 %");
        assert_eq!(share(49), "< 1 %");
        assert_eq!(share(0), "0 %");
    }

    #[test]
    fn mean_counts() {
        assert_eq!(mean_count(820_089), "8,201");
        assert_eq!(mean_count(337), "3.4");
        assert_eq!(mean_count(0), "0");
        assert_eq!(plural(1, "image", "images"), "1 image");
        assert_eq!(plural(1200, "image", "images"), "1,200 images");
    }

    #[test]
    fn numbers_with_intervals() {
        assert_eq!(number(-319.69, 0, false), "-320");
        assert_eq!(number(0.004, 2, true), "0.00");
        assert_eq!(number(-0.004, 1, true), "0.0");
        assert_eq!(number(1234.5, 1, true), "+1,234.5");
        assert_eq!(plus_minus(-319.69, Some(30.43), true, true), "-320 ± 30");
        assert_eq!(plus_minus(2017.2, Some(212.92), true, false), "2,017 ± 213");
        assert_eq!(plus_minus(0.1, Some(0.19), true, true), "+0.10 ± 0.19");
        assert_eq!(plus_minus(-4.16, Some(0.96), false, true), "-4.2 ± 1.0");
        assert_eq!(plus_minus(15.41, None, false, false), "15.4");
    }

    #[test]
    fn axis_numbers() {
        assert_eq!(axis_number(25_000.0, 5_000.0), "25,000");
        assert_eq!(axis_number(0.05, 0.01), "0.05");
        assert_eq!(axis_number(300.0, 50.0), "300");
        assert_eq!(axis_number(2.5, 0.5), "2.5");
        assert_eq!(axis_number(-0.0, 1.0), "0");
    }
}
