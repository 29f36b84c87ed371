//! Errors in files a person wrote, told the way rustc tells them: file, line, column,
//! the key, what is allowed, and the offending line with a caret under it.
//!
//! Owns locating a byte span in a source text and rendering it; it does not decide what
//! is an error (see `experiment`).

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One problem in one input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    /// 1-based line and column of the start of the problem.
    pub line: usize,
    pub column: usize,
    /// The dotted key the problem is about, such as `scenario.consume_time`; empty when
    /// the file as a whole is at fault.
    pub key: String,
    pub message: String,
    /// The source line, for the excerpt under the message.
    pub source_line: String,
    /// How many characters of `source_line` to underline.
    pub width: usize,
}

impl Diagnostic {
    /// A problem at byte range `span` of `source`.
    pub fn at(file: &Path, source: &str, span: Range<usize>, key: &str, message: String) -> Self {
        let start = floor_char_boundary(source, span.start.min(source.len()));
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[start..]
            .find('\n')
            .map_or(source.len(), |i| start + i);
        let source_line = source[line_start..line_end]
            .trim_end_matches('\r')
            .to_string();
        let column = source[line_start..start].chars().count() + 1;
        let end = floor_char_boundary(source, span.end.clamp(start, line_end));
        Diagnostic {
            file: file.to_path_buf(),
            line: source[..start].matches('\n').count() + 1,
            column,
            key: key.to_string(),
            message,
            width: source[start..end].chars().count().max(1),
            source_line,
        }
    }

    /// A problem with the file as a whole (unreadable, not UTF-8), placed at line 1.
    pub fn whole_file(file: &Path, message: String) -> Self {
        Diagnostic {
            file: file.to_path_buf(),
            line: 1,
            column: 1,
            key: String::new(),
            message,
            source_line: String::new(),
            width: 0,
        }
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = format!("{}:{}:{}", self.file.display(), self.line, self.column);
        if self.key.is_empty() {
            writeln!(f, "error: {place}: {}", self.message)?;
        } else {
            writeln!(f, "error: {place}: `{}`: {}", self.key, self.message)?;
        }
        if self.width == 0 {
            return Ok(());
        }
        let gutter = " ".repeat(self.line.to_string().len());
        let indent: String = self
            .source_line
            .chars()
            .take(self.column - 1)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        writeln!(f, "{gutter} |")?;
        writeln!(f, "{} | {}", self.line, self.source_line)?;
        writeln!(f, "{gutter} | {indent}{}", "^".repeat(self.width))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_line_and_column_and_underlines_the_span() {
        let source = "name = \"x\"\nrepeats = -1\n";
        let d = Diagnostic::at(Path::new("a.toml"), source, 21..23, "repeats", "bad".into());
        assert_eq!((d.line, d.column, d.width), (2, 11, 2));
        let text = d.to_string();
        assert!(
            text.starts_with("error: a.toml:2:11: `repeats`: bad\n"),
            "{text}"
        );
        assert!(
            text.contains("2 | repeats = -1\n  |           ^^\n"),
            "{text}"
        );
    }

    #[test]
    fn a_span_past_the_end_points_at_the_last_line() {
        let d = Diagnostic::at(Path::new("a.toml"), "a = 1", 10..12, "", "eof".into());
        assert_eq!((d.line, d.column), (1, 6));
    }
}
