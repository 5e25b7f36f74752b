//! Age windows written in policies: `90d`, `12h`, `2w`, `30m`, `45s`.
//!
//! Kept as whole seconds with days of exactly 24 hours, so an age is a plain subtraction of two
//! timestamps and evidence is reproducible regardless of time zones or calendars.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    pub seconds: i64,
}

const UNITS: [(char, i64); 5] = [
    ('w', 604_800),
    ('d', 86_400),
    ('h', 3_600),
    ('m', 60),
    ('s', 1),
];

impl Duration {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let Some(unit) = text.chars().last() else {
            return Err("empty duration".into());
        };
        let Some(&(_, factor)) = UNITS.iter().find(|(u, _)| *u == unit) else {
            return Err(format!(
                "`{text}` has no unit: write a whole number followed by w, d, h, m or s (e.g. `90d`)"
            ));
        };
        let number = &text[..text.len() - 1];
        let count: i64 = number
            .parse()
            .map_err(|_| format!("`{text}` is not a whole number of units (e.g. `90d`)"))?;
        if count < 0 {
            return Err(format!("`{text}` is negative"));
        }
        count
            .checked_mul(factor)
            .map(|seconds| Duration { seconds })
            .ok_or_else(|| format!("`{text}` is too large"))
    }
}

impl fmt::Display for Duration {
    /// The largest unit that divides the duration exactly: 7776000 s prints as `90d`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (unit, factor) in UNITS {
            if self.seconds % factor == 0 && (self.seconds != 0 || unit == 's') {
                return write!(f, "{}{unit}", self.seconds / factor);
            }
        }
        write!(f, "{}s", self.seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(Duration::parse("90d").unwrap().seconds, 90 * 86_400);
        assert_eq!(Duration::parse("2w").unwrap().seconds, 14 * 86_400);
        assert_eq!(Duration::parse("36h").unwrap().to_string(), "36h");
        assert_eq!(Duration::parse("48h").unwrap().to_string(), "2d");
        assert_eq!(Duration::parse("0s").unwrap().to_string(), "0s");
    }

    #[test]
    fn rejects_bad_input() {
        assert!(Duration::parse("90").unwrap_err().contains("no unit"));
        assert!(Duration::parse("ninety d").is_err());
        assert!(Duration::parse("-5d").is_err());
        assert!(Duration::parse("").is_err());
        assert!(
            Duration::parse("99999999999999999w")
                .unwrap_err()
                .contains("too large")
        );
    }
}
