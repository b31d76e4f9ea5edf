//! Money in integer micro-USD, and the fixed-point percentages of the daily rows.

/// Micro-USD rounded half up to the cent, printed with 2 decimals (SPEC §7).
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

/// `100 × num / den` with 2 decimals computed in integers (SPEC §8); empty when den = 0.
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

#[cfg(test)]
mod tests {
    use super::*;

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
