//! Text from a file made safe to show: control characters, which a terminal would obey
//! (an escape sequence clearing the screen, a carriage return overwriting a line), and
//! the marks that reorder text from right to left (which make a line read otherwise
//! than it is) are shown as symbols instead. Owns only that mapping; callers decide
//! what text to show.
//!
//! Each such character becomes one character, so a caret under a quoted line still
//! points where it did. Line feeds, tabs and a carriage return ending a line are kept:
//! they lay text out, and nothing queuelab prints is harmed by them.

use std::borrow::Cow;

/// `text` with every control character but line feed, tab and a line's closing carriage
/// return shown as a symbol: C0 controls and DEL as the Unicode control pictures (ESC as
/// `␛`), C1 controls and bidirectional marks as `�`.
pub fn visible(text: &str) -> Cow<'_, str> {
    let hidden = |(i, c): (usize, char)| is_hidden(c) && !ends_line(text, i, c);
    if !text.char_indices().any(hidden) {
        return Cow::Borrowed(text);
    }
    let shown_at = |(i, c): (usize, char)| if hidden((i, c)) { shown(c) } else { c };
    Cow::Owned(text.char_indices().map(shown_at).collect())
}

/// Whether `c`, at byte `i` of `text`, is the carriage return of a CRLF line ending.
fn ends_line(text: &str, i: usize, c: char) -> bool {
    c == '\r' && text[i + 1..].starts_with('\n')
}

/// Marks that reorder the text around them (U+202E makes what follows read backwards).
const BIDI_MARKS: [char; 12] = [
    '\u{061c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}',
    '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
];

fn is_hidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || BIDI_MARKS.contains(&c)
}

fn shown(c: char) -> char {
    if !is_hidden(c) {
        return c;
    }
    match u32::from(c) {
        code @ 0..=0x1f => char::from_u32(0x2400 + code).unwrap_or('\u{fffd}'),
        0x7f => '\u{2421}',
        _ => '\u{fffd}',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_shown_one_symbol_each_and_layout_is_kept() {
        let text = "a\u{1b}[2Jb\rc\u{7}d\u{7f}e\u{9b}f\tg\nh\u{202e}i\r\n";
        let shown = visible(text);
        assert_eq!(shown, "a␛[2Jb␍c␇d␡e\u{fffd}f\tg\nh\u{fffd}i\r\n");
        assert_eq!(shown.chars().count(), text.chars().count());
        assert!(!shown.trim_end_matches("\r\n").chars().any(is_hidden));
    }

    #[test]
    fn plain_text_is_not_copied() {
        assert!(matches!(visible("plain, µs and ✓\r\n"), Cow::Borrowed(_)));
    }
}
