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
    /// 1-based line and column of the start of the problem; 0 for a problem with the
    /// file as a whole, which has no place in it.
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

    /// A problem with the file as a whole (missing, unreadable, not a file), at no line.
    pub fn whole_file(file: &Path, message: String) -> Self {
        Diagnostic {
            file: file.to_path_buf(),
            line: 0,
            column: 0,
            key: String::new(),
            message,
            source_line: String::new(),
            width: 0,
        }
    }
}

/// Why a file was refused: the problems shown, in file order, and how many more there
/// were beyond `Rejected::SHOWN` (a file with thousands of errors is told in a screenful).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    pub diagnostics: Vec<Diagnostic>,
    pub not_shown: usize,
}

impl Rejected {
    /// Problems reported in full; the rest are counted.
    pub const SHOWN: usize = 50;

    /// One problem.
    pub fn one(diagnostic: Diagnostic) -> Self {
        Rejected {
            diagnostics: vec![diagnostic],
            not_shown: 0,
        }
    }

    /// Every problem found, shown or not.
    pub fn count(&self) -> usize {
        self.diagnostics.len() + self.not_shown
    }
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for diagnostic in &self.diagnostics {
            write!(f, "{diagnostic}")?;
        }
        if let (Some(first), true) = (self.diagnostics.first(), self.not_shown > 0) {
            writeln!(
                f,
                "error: {}: {} more error(s) not shown; mend those above first",
                first.file.display(),
                self.not_shown
            )?;
        }
        Ok(())
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
        let place = if self.line == 0 {
            self.file.display().to_string()
        } else {
            format!("{}:{}:{}", self.file.display(), self.line, self.column)
        };
        if self.key.is_empty() {
            writeln!(f, "error: {place}: {}", self.message)?;
        } else {
            writeln!(f, "error: {place}: `{}`: {}", self.key, self.message)?;
        }
        if self.width == 0 {
            return Ok(());
        }
        let gutter = " ".repeat(self.line.to_string().len());
        let (shown, column, width) = excerpt(&self.source_line, self.column - 1, self.width);
        let indent: String = shown
            .chars()
            .take(column)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        writeln!(f, "{gutter} |")?;
        writeln!(f, "{} | {shown}", self.line)?;
        writeln!(f, "{gutter} | {indent}{}", "^".repeat(width))
    }
}

/// Characters of a source line an error quotes at most: a line of 300 KB would otherwise
/// be printed whole under every error on it.
const QUOTED: usize = 200;

/// At most `QUOTED` characters of `line` around the span at `column` (in characters) of
/// `width`, with `…` where it was cut; the column and width within what is shown.
fn excerpt(line: &str, column: usize, width: usize) -> (String, usize, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= QUOTED {
        return (line.to_string(), column, width);
    }
    let width = width.min(QUOTED / 2);
    let start = column.saturating_sub(QUOTED / 4);
    let end = (start + QUOTED).min(chars.len());
    let mut shown: String = chars[start..end].iter().collect();
    let mut column = column - start;
    if start > 0 {
        shown.insert(0, '…');
        column += 1;
    }
    if end < chars.len() {
        shown.push('…');
    }
    (shown, column, width)
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
    fn a_long_line_is_quoted_around_the_problem_only() {
        let source = format!("producers = \"{}\" # end", "x".repeat(300_000));
        let at = source.find('#').expect("a comment");
        let d = Diagnostic::at(Path::new("a.toml"), &source, at..at + 1, "k", "bad".into());
        let text = d.to_string();
        assert!(text.len() < 1_000, "{} bytes", text.len());
        let quoted = text.lines().nth(2).expect("the quoted line");
        let caret = text.lines().nth(3).expect("the caret line");
        let under = caret.find('^').expect("a caret");
        assert_eq!(quoted.chars().nth(under), Some('#'), "{quoted}\n{caret}");
    }

    #[test]
    fn a_problem_with_the_whole_file_has_no_line() {
        let d = Diagnostic::whole_file(Path::new("no/such.toml"), "cannot read".into());
        assert_eq!(d.to_string(), "error: no/such.toml: cannot read\n");
    }

    #[test]
    fn a_span_past_the_end_points_at_the_last_line() {
        let d = Diagnostic::at(Path::new("a.toml"), "a = 1", 10..12, "", "eof".into());
        assert_eq!((d.line, d.column), (1, 6));
    }
}
