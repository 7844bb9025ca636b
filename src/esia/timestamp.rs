//! ESIA's request timestamp, `yyyy.MM.dd HH:mm:ss +HHMM`: local time with its UTC offset, any
//! offset (portals send Moscow time, UTC or their server's zone). The signed string holds it
//! exactly as sent; here it becomes an instant to compare with the clock.

/// Seconds since the Unix epoch, or None when `s` is not in ESIA's form. A `+` turned into a space
/// by a form decoder (an unencoded query) is read as `+`.
pub fn parse(s: &str) -> Option<i64> {
    let mut parts = s.split(' ').filter(|p| !p.is_empty());
    let (date, time, offset) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let num = |t: &str| -> Option<i64> {
        t.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| t.parse().ok())
            .flatten()
    };
    let d: Vec<&str> = date.split('.').collect();
    let t: Vec<&str> = time.split(':').collect();
    let ([y, mo, da], [h, mi, se]) = (d.as_slice(), t.as_slice()) else {
        return None;
    };
    if y.len() != 4 || [mo, da, h, mi, se].iter().any(|p| p.len() != 2) {
        return None;
    }
    let (y, mo, da, h, mi, se) = (num(y)?, num(mo)?, num(da)?, num(h)?, num(mi)?, num(se)?);
    if !(1..=12).contains(&mo) || da < 1 || da > days_in_month(y, mo) || h > 23 || mi > 59 {
        return None;
    }
    if se > 59 {
        return None;
    }
    let (sign, digits) = match offset.as_bytes().first()? {
        b'+' => (1, &offset[1..]),
        b'-' => (-1, &offset[1..]),
        _ => (1, offset),
    };
    let digits = digits.replace(':', "");
    // ASCII only: four bytes of a multi-byte character must not be sliced as four digits
    // (found by fuzzing: `… +\u{FFFD}0` panicked).
    if digits.len() != 4 || !digits.is_ascii() {
        return None;
    }
    let (oh, om) = (num(&digits[..2])?, num(&digits[2..])?);
    if oh > 14 || om > 59 {
        return None;
    }
    let local = days_from_civil(y, mo, da) * 86_400 + h * 3600 + mi * 60 + se;
    Some(local - sign * (oh * 3600 + om * 60))
}

/// `ts` in ESIA's form at UTC offset `offset_minutes` (for tests and the portal side).
pub fn format(ts: i64, offset_minutes: i64) -> String {
    let local = ts + offset_minutes * 60;
    let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let off = offset_minutes.abs();
    format!(
        "{y:04}.{m:02}.{d:02} {:02}:{:02}:{:02} {sign}{:02}{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
        off / 60,
        off % 60
    )
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moscow_and_utc_forms_name_the_same_instant() {
        let utc = parse("2024.03.01 09:00:00 +0000").unwrap();
        assert_eq!(utc, 1_709_283_600);
        assert_eq!(parse("2024.03.01 12:00:00 +0300"), Some(utc));
        assert_eq!(parse("2024.03.01 12:00:00  0300"), Some(utc));
        assert_eq!(parse("2024.02.29 23:00:00 -1000"), Some(utc));
        assert_eq!(format(utc, 180), "2024.03.01 12:00:00 +0300");
        assert_eq!(parse(&format(utc, -570)), Some(utc));
    }

    #[test]
    fn a_non_ascii_offset_is_refused_not_a_panic() {
        // Regression of fuzz/corpus/esia_secret_timestamp/crash-*: a multi-byte character in
        // the offset once made `parse` slice inside it.
        for bad in [
            "2022.12.04 21:53:08 \u{FFFD}0",
            "2026.12.04 21:53:08 +0\u{FFFD}",
            "2026.12.04 21:53:08 0\u{FFFD}",
            "2026.12.04 21:53:08 +Ёё",
            "2026.12.04 21:53:08 -𝕏",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn malformed_timestamps_are_refused() {
        for bad in [
            "",
            "2024-03-01 12:00:00 +0300",
            "2024.03.01 12:00:00",
            "2024.02.30 12:00:00 +0300",
            "2024.03.01 24:00:00 +0300",
            "2024.03.01 12:00:00 +03",
            "2024.03.01 12:00:00 +0300 x",
            "２０２4.03.01 12:00:00 +0300",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
