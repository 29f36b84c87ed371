//! Text from a file made safe to show: control characters, which a terminal would obey
//! (an escape sequence clearing the screen, a carriage return overwriting a line), are
//! shown as symbols instead. Owns only that mapping; callers decide what text to show.
//!
//! Each control character becomes one character, so a caret under a quoted line still
//! points where it did. Line feeds and tabs are kept: they lay text out, and nothing
//! queuelab prints is harmed by them.

use std::borrow::Cow;

/// `text` with every control character but line feed and tab shown as a symbol: C0
/// controls and DEL as the Unicode control pictures (ESC as `␛`), C1 controls as `�`.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(shown).collect())
}

fn is_hidden(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
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
        let text = "a\u{1b}[2Jb\rc\u{7}d\u{7f}e\u{9b}f\tg\nh";
        let shown = visible(text);
        assert_eq!(shown, "a␛[2Jb␍c␇d␡e\u{fffd}f\tg\nh");
        assert_eq!(shown.chars().count(), text.chars().count());
        assert!(!shown.chars().any(is_hidden));
    }

    #[test]
    fn plain_text_is_not_copied() {
        assert!(matches!(visible("plain, µs and ✓\n"), Cow::Borrowed(_)));
    }
}
