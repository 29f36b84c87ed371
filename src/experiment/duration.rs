//! Durations as people write them in experiment files (`"250ms"`, `"1.5s"`).
//!
//! Owns parsing and canonical formatting of durations; it knows nothing of TOML or of
//! distributions. Parsing is exact decimal arithmetic, so `"0.2s"` is exactly 200 ms.

use std::time::Duration;

/// The longest single duration accepted: longer values are almost certainly typos, and
/// a run built from them would not finish in a working day.
pub const MAX_DURATION: Duration = Duration::from_secs(3600);

/// Units accepted after the number, with their length in nanoseconds.
const UNITS: [(&str, u128); 7] = [
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("min", 60_000_000_000),
    ("m", 60_000_000_000),
];

/// What a duration may look like, for error messages.
pub const DURATION_HELP: &str =
    "a non-negative number with a unit ns, us, ms, s or min, such as \"250ms\" or \"1.5s\"";

/// Parses `"250ms"`-style text into an exact duration of at most [`MAX_DURATION`].
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = (&text[..split], text[split..].trim());
    if number.is_empty() {
        return Err(format!(
            "`{text}` is not a duration: expected {DURATION_HELP}"
        ));
    }
    let Some(&(_, unit_ns)) = UNITS.iter().find(|(name, _)| *name == unit) else {
        return Err(format!(
            "`{text}` has no known unit: expected {DURATION_HELP}"
        ));
    };
    let nanos = decimal_times(number, unit_ns)
        .ok_or_else(|| format!("`{text}` is not a duration: expected {DURATION_HELP}"))?;
    if nanos > MAX_DURATION.as_nanos() {
        return Err(format!(
            "`{text}` is longer than the 1 hour allowed for one duration"
        ));
    }
    Ok(Duration::from_nanos(nanos as u64))
}

/// `number × unit_ns` for a plain decimal like `1.25`, rounded to whole nanoseconds;
/// `None` for anything that is not digits with at most one point, or that overflows.
fn decimal_times(number: &str, unit_ns: u128) -> Option<u128> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() || fraction.contains('.') {
        return None;
    }
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut nanos = whole.checked_mul(unit_ns)?;
    let mut place = unit_ns;
    for digit in fraction.chars().take(30) {
        let digit = u128::from(digit.to_digit(10)?);
        nanos = nanos.checked_add(digit * place / 10)?;
        place /= 10;
    }
    Some(nanos)
}

/// Writes a duration the way a person would, in the largest unit that keeps it whole:
/// `200ms`, `3s`, `250us`, `17ns`. Stable text matters: it lands in CSV files under git.
pub fn format_duration(duration: Duration) -> String {
    let nanos = duration.as_nanos();
    for (unit, size) in [("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000)] {
        if nanos.is_multiple_of(size) && nanos > 0 {
            return format!("{}{unit}", nanos / size);
        }
    }
    if nanos == 0 {
        "0ms".to_string()
    } else {
        format!("{nanos}ns")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_unit_exactly() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("0.2s"), Ok(Duration::from_millis(200)));
        assert_eq!(parse_duration("200us"), Ok(Duration::from_micros(200)));
        assert_eq!(parse_duration("200µs"), Ok(Duration::from_micros(200)));
        assert_eq!(parse_duration("17ns"), Ok(Duration::from_nanos(17)));
        assert_eq!(parse_duration("2min"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration(".5ms"), Ok(Duration::from_micros(500)));
        assert_eq!(parse_duration(" 3 s "), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("0ms"), Ok(Duration::ZERO));
    }

    #[test]
    fn rejects_what_is_not_a_duration() {
        for bad in [
            "", "ms", "250", "250 sec", "-1s", "1..2s", "1.2.3s", "abc", "1e3ms", ".s",
        ] {
            let err = parse_duration(bad).expect_err(bad);
            assert!(err.contains("ns, us, ms, s or min"), "{bad}: {err}");
        }
    }

    #[test]
    fn rejects_absurd_and_overflowing_durations() {
        assert!(parse_duration("2h").is_err());
        assert!(parse_duration("3601s").unwrap_err().contains("1 hour"));
        assert!(parse_duration("99999999999999999999999999999999999999999s").is_err());
        assert_eq!(parse_duration("3600s"), Ok(MAX_DURATION));
    }

    #[test]
    fn formats_in_the_largest_whole_unit() {
        assert_eq!(format_duration(Duration::from_millis(200)), "200ms");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1500ms");
        assert_eq!(format_duration(Duration::from_secs(3)), "3s");
        assert_eq!(format_duration(Duration::from_micros(250)), "250us");
        assert_eq!(format_duration(Duration::from_nanos(17)), "17ns");
        assert_eq!(format_duration(Duration::ZERO), "0ms");
        for text in ["250ms", "1500ms", "3s", "17ns"] {
            let parsed = parse_duration(text).unwrap();
            assert_eq!(format_duration(parsed), text);
        }
    }
}
