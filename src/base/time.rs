//! Instants: integer seconds since the Unix epoch, UTC.
//!
//! Parsing is by hand on bytes: a trace has millions of timestamps and the common form
//! `2026-01-01T10:00:00Z` must cost a few nanoseconds.

use std::fmt::Write as _;

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// What the accepted forms look like, for error messages.
pub const INSTANT_FORMS: &str = "an RFC 3339 date-time with an offset (2026-01-01T00:00:00Z, \
2024-05-14T21:16:20.237000+00:00), a date YYYY-MM-DD, or epoch seconds (1767225600 or 1767225600.0)";

pub fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of a day number since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `YYYY-MM-DD` of the day containing instant `t`.
pub fn format_date(t: i64) -> String {
    let mut s = String::with_capacity(10);
    push_date(&mut s, t);
    s
}

/// Appends `YYYY-MM-DD` of the day containing instant `t`.
pub fn push_date(out: &mut String, t: i64) {
    let (y, m, d) = civil_from_days(t.div_euclid(DAY));
    let _ = write!(out, "{y:04}-{m:02}-{d:02}");
}

/// `YYYY-MM-DDTHH:MM:SSZ` of instant `t`.
pub fn format_instant(t: i64) -> String {
    let mut v = Vec::with_capacity(20);
    push_instant(&mut v, t);
    String::from_utf8(v).unwrap_or_default()
}

/// Appends `YYYY-MM-DDTHH:MM:SSZ` of instant `t` (the one instant formatter: traces,
/// messages, reports).
pub fn push_instant(out: &mut Vec<u8>, t: i64) {
    use std::io::Write as _;
    let (y, m, d) = civil_from_days(t.div_euclid(DAY));
    let s = t.rem_euclid(DAY);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        (s / 60) % 60,
        s % 60
    );
}

#[inline]
fn digits(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (c - b'0') as u32;
    }
    Some(v)
}

/// Parses `YYYY-MM-DD` into a day number.
pub fn parse_date(text: &str) -> Result<i64, String> {
    parse_date_bytes(text.as_bytes())
}

fn parse_date_bytes(b: &[u8]) -> Result<i64, String> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err("expected a date YYYY-MM-DD".into());
    }
    let (Some(y), Some(m), Some(d)) = (digits(&b[0..4]), digits(&b[5..7]), digits(&b[8..10]))
    else {
        return Err("expected a date YYYY-MM-DD".into());
    };
    check_date(y as i64, m, d)?;
    Ok(days_from_civil(y as i64, m, d))
}

fn check_date(y: i64, m: u32, d: u32) -> Result<(), String> {
    if !(1..=12).contains(&m) {
        return Err(format!("month {m} is not 01..12"));
    }
    let dim = days_in_month(y, m);
    if d < 1 || d > dim {
        return Err(format!("day {d} is not a day of {y:04}-{m:02} (01..{dim})"));
    }
    Ok(())
}

/// Checks a time of day and gives its seconds.
pub fn check_time(h: u32, mi: u32, s: u32) -> Result<i64, String> {
    if h > 23 {
        return Err(format!("hour {h} is not 00..23"));
    }
    if mi > 59 {
        return Err(format!("minute {mi} is not 00..59"));
    }
    if s == 60 {
        return Err("second 60 (a leap second) is not accepted".into());
    }
    if s > 59 {
        return Err(format!("second {s} is not 00..59"));
    }
    Ok((h * 3600 + mi * 60 + s) as i64)
}

/// Parses an RFC 3339 date-time: `T`, `t` or space between date and time,
/// fractional seconds floored, offset `Z`, `z` or `±HH:MM` required.
pub fn parse_rfc3339(text: &str) -> Result<i64, String> {
    rfc3339(text.as_bytes())
}

fn rfc3339(b: &[u8]) -> Result<i64, String> {
    rfc3339_with(b, parse_date_bytes)
}

/// RFC 3339 with `date` reading the `YYYY-MM-DD` part.
#[inline]
fn rfc3339_with(b: &[u8], date: impl FnOnce(&[u8]) -> Result<i64, String>) -> Result<i64, String> {
    if b.len() < 19 {
        return Err("too short for a date-time".into());
    }
    let day = date(&b[..10])?;
    if !matches!(b[10], b'T' | b't' | b' ') {
        return Err("expected `T` between date and time".into());
    }
    if b[13] != b':' || b[16] != b':' {
        return Err("expected a time HH:MM:SS".into());
    }
    let (Some(h), Some(mi), Some(s)) = (digits(&b[11..13]), digits(&b[14..16]), digits(&b[17..19]))
    else {
        return Err("expected a time HH:MM:SS".into());
    };
    let sod = check_time(h, mi, s)?;
    let mut i = 19;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return Err("expected digits after the decimal point".into());
        }
    }
    let rest = &b[i..];
    let offset = match rest {
        [] => return Err("the offset is missing (add Z for UTC)".into()),
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (Some(oh), Some(om)) = (digits(&[*h1, *h2]), digits(&[*m1, *m2])) else {
                return Err("expected an offset ±HH:MM".into());
            };
            if oh > 23 || om > 59 {
                return Err(format!("offset {oh:02}:{om:02} is out of range"));
            }
            let v = (oh * 3600 + om * 60) as i64;
            if *sign == b'+' { v } else { -v }
        }
        _ => return Err("expected an offset Z or ±HH:MM after the time".into()),
    };
    in_range(day * DAY + sod - offset)
}

/// An instant in the years 0000 to 9999 (UTC), after any offset is applied.
pub fn in_range(t: i64) -> Result<i64, String> {
    if (MIN_INSTANT..=MAX_INSTANT).contains(&t) {
        Ok(t)
    } else {
        Err("with its offset, the instant falls outside the years 0000 to 9999 (UTC)".into())
    }
}

/// Parses epoch seconds given as decimal text, floored from the text (never via a float).
pub fn parse_epoch_decimal(text: &str) -> Result<i64, String> {
    epoch_decimal(text.as_bytes())
}

fn epoch_decimal(b: &[u8]) -> Result<i64, String> {
    let (neg, body) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    let (int, frac) = match body.iter().position(|&c| c == b'.') {
        Some(p) => (&body[..p], &body[p + 1..]),
        None => (body, &body[body.len()..]),
    };
    let has_dot = int.len() != body.len();
    if int.is_empty() || !int.iter().all(u8::is_ascii_digit) {
        return Err("expected epoch seconds".into());
    }
    if has_dot && (frac.is_empty() || !frac.iter().all(u8::is_ascii_digit)) {
        return Err("expected digits after the decimal point".into());
    }
    if int.len() > 15 {
        return Err("epoch seconds out of range".into());
    }
    let mut v: i64 = 0;
    for &c in int {
        v = v * 10 + (c - b'0') as i64;
    }
    if neg {
        let frac_nonzero = frac.iter().any(|&c| c != b'0');
        v = -v - frac_nonzero as i64;
    }
    if !(MIN_INSTANT..=MAX_INSTANT).contains(&v) {
        return Err("epoch seconds outside the years 0000 to 9999".into());
    }
    Ok(v)
}

/// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the instants RFC 3339 can write, and
/// the range every input instant must be in.
pub const MIN_INSTANT: i64 = -62_167_219_200;
pub const MAX_INSTANT: i64 = 253_402_300_799;

/// Parses any instant form: RFC 3339, a bare date, or decimal epoch seconds.
pub fn parse_instant(text: &str) -> Result<i64, String> {
    parse_instant_bytes(text.as_bytes())
}

/// [`parse_instant`] on bytes (a trace field): no UTF-8 check needed, the forms are ASCII.
pub fn parse_instant_bytes(b: &[u8]) -> Result<i64, String> {
    instant_bytes(b, parse_date_bytes)
}

/// Parses trace instants as [`parse_instant_bytes`] does, remembering the last date it
/// read: rows in time order mostly share it.
#[derive(Debug, Default)]
pub struct InstantParser {
    date: [u8; 10],
    day: Option<i64>,
}

impl InstantParser {
    pub fn parse(&mut self, b: &[u8]) -> Result<i64, String> {
        instant_bytes(b, |d| match self.day {
            Some(day) if d == self.date => Ok(day),
            _ => {
                let day = parse_date_bytes(d)?;
                self.date.copy_from_slice(d);
                self.day = Some(day);
                Ok(day)
            }
        })
    }
}

/// Any instant form, with `date` reading a `YYYY-MM-DD` part (only called on 10 bytes).
#[inline]
fn instant_bytes(b: &[u8], date: impl FnOnce(&[u8]) -> Result<i64, String>) -> Result<i64, String> {
    // Fast path for the most common trace form `YYYY-MM-DDTHH:MM:SSZ`.
    let r = if b.len() > 10 && b[4] == b'-' && b[7] == b'-' {
        rfc3339_with(b, date)
    } else if b.len() == 10 && b[4] == b'-' {
        date(b).map(|d| d * DAY)
    } else if b.first().is_some_and(|c| c.is_ascii_digit() || *c == b'-') {
        epoch_decimal(b)
    } else {
        Err("not an instant".into())
    };
    r.map_err(|why| {
        format!(
            "invalid instant `{}`: {why}; expected {INSTANT_FORMS}",
            String::from_utf8_lossy(b)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

    #[test]
    fn civil_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2026, 1, 1) * DAY, S);
        for z in -800_000..800_000 {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(format_date(S + 399 * DAY), "2027-02-04");
        assert_eq!(format_instant(S + 3661), "2026-01-01T01:01:01Z");
    }

    #[test]
    fn rfc3339_forms() {
        assert_eq!(parse_instant("2026-01-01T00:00:00Z"), Ok(S));
        assert_eq!(parse_instant("2026-01-01t00:00:00z"), Ok(S));
        assert_eq!(parse_instant("2026-01-01 00:00:00Z"), Ok(S));
        assert_eq!(parse_instant("2026-01-01T01:00:00+01:00"), Ok(S));
        assert_eq!(parse_instant("2025-12-31T19:00:00-05:00"), Ok(S));
        assert_eq!(parse_instant("2026-01-01T00:00:00.999999Z"), Ok(S));
        assert_eq!(parse_instant("2026-01-01"), Ok(S));
        assert_eq!(
            parse_instant("2024-05-14T21:16:20.237000+00:00"),
            Ok(days_from_civil(2024, 5, 14) * DAY + 21 * 3600 + 16 * 60 + 20)
        );
    }

    #[test]
    fn the_instant_parser_reads_like_parse_instant() {
        let mut p = InstantParser::default();
        for t in [
            "2026-01-01T10:00:00Z",
            "2026-01-01T11:00:00+01:00",
            "2026-01-01",
            "2026-01-01T1",
            "2026-01-01X00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-01-02t00:00:00.5z",
            "1767225600",
            "yesterday",
            "2026-01-02 23:59:59Z",
        ] {
            assert_eq!(p.parse(t.as_bytes()), parse_instant(t), "{t}");
        }
    }

    #[test]
    fn rfc3339_errors() {
        for bad in [
            "2026-01-01T00:00:60Z",
            "2026-01-01T00:00:00",
            "2026-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:00:00.Z",
            "2026-01-01T00:00:00+0100",
            "2026-01-01X00:00:00Z",
            "2026-1-1",
            "yesterday",
            "",
            "1.5e9",
        ] {
            assert!(parse_instant(bad).is_err(), "{bad} should be rejected");
        }
        assert!(
            parse_instant("2026-01-01T00:00:60Z")
                .unwrap_err()
                .contains("second 60")
        );
        assert!(
            parse_instant("2026-01-01T00:00:00")
                .unwrap_err()
                .contains("offset is missing")
        );
        assert_eq!(
            parse_instant("2024-02-29"),
            Ok(days_from_civil(2024, 2, 29) * DAY)
        );
    }

    #[test]
    fn epoch_is_floored_from_text() {
        assert_eq!(parse_instant("1565128275.0"), Ok(1_565_128_275));
        assert_eq!(parse_instant("1767311999.9999999"), Ok(1_767_311_999));
        assert_eq!(parse_instant("1767265200"), Ok(1_767_265_200));
        assert_eq!(parse_instant("-1.5"), Ok(-2));
        assert_eq!(parse_instant("-1.0"), Ok(-1));
        assert!(parse_instant("12.").is_err());
        assert!(parse_instant("1 2").is_err());
    }

    #[test]
    fn offsets_cannot_leave_the_years_0000_to_9999() {
        assert_eq!(parse_instant("0000-01-01T00:00:00Z"), Ok(MIN_INSTANT));
        assert_eq!(parse_instant("9999-12-31T23:59:59Z"), Ok(MAX_INSTANT));
        for bad in ["0000-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01"] {
            let e = parse_instant(bad).unwrap_err();
            assert!(e.contains("outside the years 0000 to 9999"), "{bad}: {e}");
        }
    }
}
