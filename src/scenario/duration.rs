//! The one duration grammar of experiment files (`"250ms"`, `"1.5s"`): parsing,
//! canonical formatting, and the same grammar as a regular expression for the JSON Schema.
//!
//! The grammar, exactly: a number, then a unit, nothing else (no spaces, no sign, no
//! exponent). The number is digits with an optional fraction (`250`, `1.5`) or a bare
//! fraction (`.5`); a point needs a digit after it. The units are `ns`, `us` (or `µs`,
//! `μs`), `ms`, `s` and `min`; `m` is refused, since it reads as milli as often as minute.
//! The value is at most one hour. Parsing is exact decimal arithmetic, so `"0.2s"` is
//! exactly 200 ms; digits below a nanosecond are dropped.
//!
//! It knows nothing of TOML or of distributions. Beside the grammar, `seconds_text`
//! writes a measured time for people to read (`412.0 µs`), in the same units.

use std::time::Duration;

/// The longest single duration accepted: longer values are almost certainly typos, and
/// a run built from them would not finish in a working day.
pub const MAX_DURATION: Duration = Duration::from_secs(3600);

/// Units accepted after the number, with their length in nanoseconds.
const UNITS: [(&str, u64); 7] = [
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("μs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("min", 60_000_000_000),
];

/// `MAX_DURATION` in words, as a literal: the help and the error both say it (a test
/// holds it to `MAX_DURATION`).
macro_rules! longest {
    () => {
        "1 hour"
    };
}

/// What a duration may look like, for error messages.
pub const DURATION_HELP: &str = concat!(
    "a number and a unit with no space between, the unit one of ns, us, ms, s or min, at \
     most ",
    longest!(),
    ", such as \"250ms\" or \"1.5s\""
);

/// Parses `"250ms"`-style text into an exact duration of at most [`MAX_DURATION`].
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    // Says what is wrong, then the rule, once.
    let not_one = |why: &str| format!("`{text}` is not a duration ({why}); write {DURATION_HELP}");
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    if text.contains(char::is_whitespace) {
        return Err(not_one("no spaces"));
    }
    if unit == "m" {
        return Err(not_one("`m` could be milli or minute: write ms or min"));
    }
    let Some(&(_, unit_ns)) = UNITS.iter().find(|(name, _)| *name == unit) else {
        return Err(not_one(&format!("`{unit}` is not a unit")));
    };
    let Some((nanos, below_ns)) = decimal_times(number, unit_ns) else {
        return Err(not_one(&format!(
            "`{number}` is not a plain decimal number"
        )));
    };
    let max = MAX_DURATION.as_nanos();
    if nanos > max || (nanos == max && below_ns) {
        return Err(format!(
            "`{text}` is longer than the {} allowed for one duration",
            longest!()
        ));
    }
    Ok(Duration::from_nanos(nanos as u64))
}

/// `number × unit_ns` in whole nanoseconds, and whether nonzero digits below a nanosecond
/// were dropped; `None` unless `number` is `digits[.digits]` or `.digits`, or on overflow.
fn decimal_times(number: &str, unit_ns: u64) -> Option<(u128, bool)> {
    let (whole, fraction) = match number.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (number, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let well_formed = match fraction {
        None => digits(whole),
        Some(fraction) => (whole.is_empty() || digits(whole)) && digits(fraction),
    };
    if !well_formed {
        return None;
    }
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut nanos = whole.checked_mul(u128::from(unit_ns))?;
    let mut place = u128::from(unit_ns);
    let mut below_ns = false;
    for digit in fraction.unwrap_or("").bytes().map(|b| u128::from(b - b'0')) {
        if place >= 10 {
            place /= 10;
            nanos = nanos.checked_add(digit * place)?;
        } else {
            below_ns |= digit > 0;
        }
    }
    Some((nanos, below_ns))
}

/// Writes a duration the way a person would, in the largest unit that keeps it whole:
/// `200ms`, `3s`, `250us`, `17ns`. Stable text matters: it lands in CSV files under git.
pub fn format_duration(duration: Duration) -> String {
    let nanos = duration.as_nanos();
    // The units the parser takes, largest first, but minutes (a file says `60s`, not
    // `1min`) and the non-ASCII spellings of microseconds.
    let written = UNITS
        .iter()
        .rev()
        .filter(|(unit, size)| unit.is_ascii() && *unit != "min" && *size > 1);
    for &(unit, size) in written {
        let size = u128::from(size);
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

/// A measured time in seconds as a person reads it: in whole ns below a microsecond, in µs
/// below a millisecond, in ms below a second, else in s, so that `0.0004 s` beside
/// `0.0004 s` does not hide a difference of a tenth.
pub fn seconds_text(seconds: f64) -> String {
    in_unit(seconds, |unit, _| match unit {
        "s" => 3,
        "ms" => 2,
        "µs" => 1,
        // Clocks and histograms give whole nanoseconds.
        _ => 0,
    })
}

/// As `seconds_text`, to five significant digits whatever the unit (`2.1274 µs`,
/// `123.59 ms`, `1.0001 s`): for times set side by side, where a model's +0.01% must not
/// print as the same number.
pub fn seconds_text_precise(seconds: f64) -> String {
    in_unit(seconds, |_, value| decimals_for(value, 5))
}

/// The decimals that print `value` to `digits` significant digits (whole numbers from
/// `digits` whole digits up): 5 digits give `2.1274`, `123.59`, `12346`.
pub fn decimals_for(value: f64, digits: usize) -> usize {
    let whole_digits = match value.abs() {
        v if v.is_finite() && v >= 1.0 => (v.log10().floor() as usize).saturating_add(1),
        _ => 1,
    };
    digits.saturating_sub(whole_digits)
}

/// `seconds` in the unit that reads them, ns, µs, ms or s, to the decimals `decimals`
/// gives for the unit and the value in it; `0` for no time at all, which is 0 in any
/// unit. A value that rounds up to 1000 of a unit is written in the next (`1.0000 ms`,
/// not `1000.00 µs`).
fn in_unit(seconds: f64, decimals: impl Fn(&str, f64) -> usize) -> String {
    const UNITS: [(f64, &str); 4] = [(1e-9, "ns"), (1e-6, "µs"), (1e-3, "ms"), (1.0, "s")];
    if seconds == 0.0 {
        return "0".to_string();
    }
    // No time known (a scenario too large to model has no prediction): a dash, as the
    // tables' other empty cells.
    if !seconds.is_finite() {
        return "–".to_string();
    }
    // By size, whatever the sign; NaN and infinities in seconds, as Rust writes them.
    let mut at = UNITS
        .iter()
        .position(|(size, _)| seconds.abs() < size * 1e3)
        .unwrap_or(UNITS.len() - 1);
    loop {
        let (size, unit) = UNITS[at];
        let value = seconds / size;
        let places = decimals(unit, value);
        let text = format!("{value:.places$}");
        // Rounded into the next decade (9.99996 to 10.0000), the digits are counted
        // again from what is printed.
        let places = text
            .parse::<f64>()
            .map_or(places, |rounded| decimals(unit, rounded).min(places));
        let text = format!("{value:.places$}");
        let rounds_up = text.parse::<f64>().is_ok_and(|v| v.abs() >= 1e3);
        if rounds_up && at + 1 < UNITS.len() {
            at += 1;
            continue;
        }
        return format!("{text} {unit}");
    }
}

/// The grammar as an ECMAScript regular expression, for the JSON Schema: the same units
/// and the same one-hour limit, so an editor accepts exactly what the parser accepts.
pub fn duration_pattern() -> String {
    let units: Vec<String> = UNITS
        .iter()
        .map(|(unit, ns)| {
            let limit = MAX_DURATION.as_nanos() / u128::from(*ns);
            let below = below_pattern(&limit.to_string());
            format!("(?:(?:{below})(?:\\.[0-9]+)?|0*{limit}(?:\\.0+)?|\\.[0-9]+){unit}")
        })
        .collect();
    format!("^(?:{})$", units.join("|"))
}

/// A pattern for the whole numbers below `limit` (given as decimal digits), leading zeros
/// allowed: shorter numbers, or as long with a smaller digit after a common prefix.
fn below_pattern(limit: &str) -> String {
    let n = limit.len();
    let mut alternatives = Vec::new();
    if n > 1 {
        alternatives.push(format!("0*[0-9]{{1,{}}}", n - 1));
    }
    for (i, digit) in limit.bytes().enumerate() {
        if digit > b'0' {
            let rest = n - i - 1;
            alternatives.push(format!(
                "0*{}[0-{}][0-9]{{{rest}}}",
                &limit[..i],
                char::from(digit - 1)
            ));
        }
    }
    alternatives.join("|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_help_says_every_unit_and_the_longest_duration() {
        for (unit, _) in UNITS.iter().filter(|(unit, _)| unit.is_ascii()) {
            assert!(DURATION_HELP.contains(&format!(" {unit}")), "{unit}");
        }
        assert_eq!(MAX_DURATION, Duration::from_secs(3600), "{}", longest!());
        assert!(parse_duration("61min").unwrap_err().contains(longest!()));
    }

    #[test]
    fn times_read_in_their_unit() {
        assert_eq!(seconds_text(4.43e-8), "44 ns");
        assert_eq!(seconds_text(0.0), "0");
        assert_eq!(seconds_text_precise(0.0), "0");
        assert_eq!(seconds_text(0.0004), "400.0 µs");
        assert_eq!(seconds_text(0.1236), "123.60 ms");
        assert_eq!(seconds_text(24.75), "24.750 s");
        assert_eq!(seconds_text_precise(2.1274e-6), "2.1274 µs");
        assert_eq!(seconds_text_precise(0.12359), "123.59 ms");
        assert_eq!(seconds_text_precise(0.063), "63.000 ms");
        assert_eq!(seconds_text_precise(4.43e-8), "44.300 ns");
        assert_eq!(seconds_text_precise(1.0001), "1.0001 s");
        assert_eq!(seconds_text_precise(24.75), "24.750 s");
        assert_eq!(seconds_text_precise(12345.6), "12346 s");
        // Rounded up to 1000 of a unit, a time is told in the next.
        assert_eq!(seconds_text_precise(999_999e-9), "1.0000 ms");
        assert_eq!(seconds_text_precise(0.999_999_999), "1.0000 s");
        assert_eq!(seconds_text(999.99e-6), "1.00 ms");
        assert_eq!(seconds_text(999.4e-9), "999 ns");
        // Never a panic, whatever a damaged file holds.
        assert_eq!(seconds_text_precise(-0.0025), "-2.5000 ms");
        assert_eq!(seconds_text_precise(f64::NAN), "–");
        assert_eq!(seconds_text_precise(f64::INFINITY), "–");
        assert!(seconds_text_precise(1e300).ends_with(" s"));
        // Five digits still where rounding reaches the next decade.
        assert_eq!(seconds_text_precise(9.99996e-6), "10.000 µs");
        assert_eq!(seconds_text_precise(99.9996e-3), "100.00 ms");
    }

    #[test]
    fn parses_each_unit_exactly() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("0.2s"), Ok(Duration::from_millis(200)));
        assert_eq!(parse_duration("200us"), Ok(Duration::from_micros(200)));
        assert_eq!(parse_duration("200µs"), Ok(Duration::from_micros(200)));
        assert_eq!(parse_duration("200μs"), Ok(Duration::from_micros(200)));
        assert_eq!(parse_duration("17ns"), Ok(Duration::from_nanos(17)));
        assert_eq!(parse_duration("2min"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration(".5ms"), Ok(Duration::from_micros(500)));
        assert_eq!(parse_duration("0ms"), Ok(Duration::ZERO));
        assert_eq!(
            parse_duration("1.0000000009s"),
            Ok(Duration::from_nanos(1_000_000_000))
        );
    }

    #[test]
    fn rejects_what_is_not_a_duration() {
        for bad in [
            "", "ms", "250", "250 sec", "-1s", "1..2s", "1.2.3s", "abc", "1e3ms", ".s", "1.s",
            " 3s", "3 s", "5m", "+1s", "1_000ms",
        ] {
            let err = parse_duration(bad).expect_err(bad);
            assert!(err.contains("is not a duration"), "{bad}: {err}");
        }
    }

    #[test]
    fn rejects_absurd_and_overflowing_durations() {
        assert!(parse_duration("2h").is_err());
        assert!(parse_duration("3601s").unwrap_err().contains("1 hour"));
        assert!(parse_duration("90min").unwrap_err().contains("1 hour"));
        assert!(parse_duration("3600.0000000001s").is_err(), "a hair above");
        assert!(parse_duration("99999999999999999999999999999999999999999s").is_err());
        assert_eq!(parse_duration("3600s"), Ok(MAX_DURATION));
        assert_eq!(parse_duration("60.000min"), Ok(MAX_DURATION));
    }

    #[test]
    fn the_pattern_of_numbers_below_a_limit_is_exact() {
        let below = |limit: &str, n: u32| {
            let pattern = format!("^(?:{})$", below_pattern(limit));
            regex::Regex::new(&pattern)
                .unwrap()
                .is_match(&n.to_string())
        };
        for n in 0..5000 {
            assert_eq!(below("3600", n), n < 3600, "{n}");
            assert_eq!(below("60", n), n < 60, "{n}");
        }
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
