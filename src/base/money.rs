//! Money in integer micro-USD, and the fixed-point percentages of the daily rows.

/// Micro-USD rounded half up to the cent, printed with 2 decimals.
pub fn format_usd(micro: i64) -> String {
    let mut s = String::new();
    push_usd(&mut s, micro);
    s
}

/// Micro-USD as whole cents, rounded half up (away from zero for negatives).
pub fn cents(micro: i64) -> u64 {
    (micro.unsigned_abs() + 5_000) / 10_000
}

pub fn push_usd(out: &mut String, micro: i64) {
    use std::fmt::Write as _;
    let neg = micro < 0;
    let cents = cents(micro);
    let _ = write!(
        out,
        "{}{}.{:02}",
        if neg { "-" } else { "" },
        cents / 100,
        cents % 100
    );
}

/// `100 × num / den` with 2 decimals computed in integers; empty when den = 0.
pub fn push_pct(out: &mut String, num: u64, den: u64) {
    use std::fmt::Write as _;
    if den == 0 {
        return;
    }
    let h = (20_000 * num as u128 + den as u128) / (2 * den as u128);
    let _ = write!(out, "{}.{:02}", h / 100, h % 100);
}

pub fn format_pct(num: u64, den: u64) -> String {
    let mut s = String::new();
    push_pct(&mut s, num, den);
    s
}

/// A JSON number's text (`6.0`, `4.6022044647`, `1.5e-5`, `-2`) × 10^6, rounded half
/// away from zero: amounts and counts read exactly from their decimal text.
pub fn parse_decimal_micro(text: &str) -> Result<i64, String> {
    let bad = || format!("`{text}` is not a decimal number");
    let (neg, body) = match text.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, text),
    };
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], body[i + 1..].parse::<i32>().map_err(|_| bad())?),
        None => (body, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() || !(int.bytes().chain(frac.bytes())).all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    // digits × 10^(exp - frac digits + 6), as an integer rounded half up.
    let digits = format!("{int}{frac}");
    let shift = exp - frac.len() as i32 + 6;
    let digits = digits.trim_start_matches('0');
    if digits.len() as i32 + shift > 18 {
        return Err(format!("`{text}` is too large"));
    }
    let mut v: i128 = 0;
    let keep = (digits.len() as i32 + shift.min(0)).max(0) as usize;
    for c in digits[..keep.min(digits.len())].bytes() {
        v = v * 10 + (c - b'0') as i128;
    }
    if shift > 0 {
        v *= 10i128.pow(shift as u32);
    } else if keep < digits.len() && digits.as_bytes()[keep] >= b'5' {
        v += 1;
    }
    Ok(if neg { -(v as i64) } else { v as i64 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_to_micro_units() {
        for (text, want) in [
            ("6.0", 6_000_000),
            ("0.09", 90_000),
            ("4.6022044647", 4_602_204),
            ("1893.4784083333334", 1_893_478_408),
            ("1.5e-5", 15),
            ("2.5E-7", 0),
            ("5e-7", 1),
            ("12e2", 1_200_000_000),
            ("-0.0000015", -2),
            ("0", 0),
        ] {
            assert_eq!(parse_decimal_micro(text), Ok(want), "{text}");
        }
        for bad in ["", ".5", "1.2.3", "abc", "1e", "1e999", "99999999999999"] {
            assert!(parse_decimal_micro(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn money_and_percent_formatting() {
        assert_eq!(format_usd(1_005_000), "1.01");
        assert_eq!(format_usd(1_004_999), "1.00");
        assert_eq!(format_usd(3_015_000), "3.02");
        assert_eq!(format_usd(5_000), "0.01");
        assert_eq!(format_usd(4_999), "0.00");
        assert_eq!(format_usd(0), "0.00");
        assert_eq!(format_pct(1, 3), "33.33");
        assert_eq!(format_pct(2, 3), "66.67");
        assert_eq!(format_pct(1, 1), "100.00");
        assert_eq!(format_pct(0, 0), "");
        assert_eq!(format_pct(1, 8), "12.50");
    }
}
