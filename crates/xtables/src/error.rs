//! Located parse errors.
//!
//! Every error carries a [`Span`] (byte offset, line and column, both
//! 1-based) and a typed [`ErrorKind`]. `Display` prints the message, then the
//! offending line with `^` under the span, like regex-syntax's formatter.
//! Nothing here is built on the success path.

use std::fmt;

/// A place in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Position {
    /// Byte offset from the start of the input.
    pub offset: usize,
    /// Line number, starting at 1.
    pub line: u32,
    /// Column (in bytes), starting at 1.
    pub column: u32,
}

/// A half-open range of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// First byte.
    pub start: Position,
    /// One past the last byte.
    pub end: Position,
}

impl Span {
    /// A span within line `line` that starts at byte `line_start` of the
    /// input; `start..end` are offsets into that line.
    pub(crate) fn in_line(line: u32, line_start: usize, start: usize, end: usize) -> Span {
        let pos = |col: usize| Position {
            offset: line_start + col,
            line,
            column: u32::try_from(col + 1).unwrap_or(u32::MAX),
        };
        Span {
            start: pos(start),
            end: pos(end),
        }
    }
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A line that is none of: comment, `*table`, `:chain`, command, `COMMIT`.
    UnknownLine,
    /// A command or rule outside a `*table` section.
    OutsideTable,
    /// `*table` while the previous table has no `COMMIT`.
    MissingCommit,
    /// A quoted word with no closing quote.
    UnterminatedQuote,
    /// A `\` at the end of the line.
    DanglingEscape,
    /// A token that is not an option where an option was expected.
    ExpectedOption {
        /// The token found.
        found: String,
    },
    /// An option that takes a value came last on the line.
    MissingValue {
        /// The option, with its dashes.
        option: String,
        /// What value was expected.
        expected: &'static str,
    },
    /// An option value that does not parse.
    BadValue {
        /// The option, with its dashes.
        option: String,
        /// The value found.
        value: String,
        /// What value was expected.
        expected: &'static str,
    },
    /// An option no loaded module knows.
    UnknownOption {
        /// The option, with its dashes.
        option: String,
    },
    /// `!` before something that cannot be inverted, or twice.
    BadNegation,
    /// The same basic option (`-s`, `-p`, ...) given twice.
    DuplicateOption {
        /// The option, with its dashes.
        option: String,
    },
    /// A chain declaration `:NAME POLICY [p:b]` that does not parse.
    BadChainLine {
        /// What was expected.
        expected: &'static str,
    },
    /// A counters field `[packets:bytes]` that does not parse.
    BadCounters,
    /// A line longer than the parser accepts, or more tokens than it accepts.
    TooLong,
    /// Bytes that are not UTF-8 (iptables-save prints UTF-8 text only).
    InvalidUtf8,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ErrorKind::*;
        match self {
            UnknownLine => f.write_str(
                "expected a comment, `*table`, `:CHAIN POLICY [p:b]`, a command or `COMMIT`",
            ),
            OutsideTable => f.write_str("command outside a `*table` section"),
            MissingCommit => f.write_str("`*table` before the previous table's `COMMIT`"),
            UnterminatedQuote => f.write_str("unterminated quoted string: expected a closing `\"`"),
            DanglingEscape => f.write_str("`\\` at end of line: expected a character to escape"),
            ExpectedOption { found } => write!(f, "expected an option, found {found:?}"),
            MissingValue { option, expected } => {
                write!(f, "{option} needs a value: expected {expected}")
            }
            BadValue {
                option,
                value,
                expected,
            } => write!(f, "bad {option} {value:?}: expected {expected}"),
            UnknownOption { option } => write!(f, "unknown option {option:?}"),
            BadNegation => f.write_str("`!` here: expected it before an invertible option"),
            DuplicateOption { option } => write!(f, "{option} given twice"),
            BadChainLine { expected } => write!(f, "bad chain line: expected {expected}"),
            BadCounters => f.write_str("bad counters: expected `[packets:bytes]`"),
            TooLong => f.write_str("line too long"),
            InvalidUtf8 => f.write_str("invalid UTF-8: expected text"),
        }
    }
}

/// A parse error with its place and the line it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What went wrong.
    pub kind: ErrorKind,
    /// Where.
    pub span: Span,
    /// The whole line the error is on (without its newline), for display.
    pub line_text: String,
}

impl ParseError {
    #[cold]
    pub(crate) fn new(kind: ErrorKind, span: Span, line_text: &str) -> ParseError {
        ParseError {
            kind,
            span,
            line_text: line_text.to_owned(),
        }
    }

    /// The message and the place, without the line: `3:17: bad --dport ...`.
    pub fn short(&self) -> String {
        format!(
            "{}:{}: {}",
            self.span.start.line, self.span.start.column, self.kind
        )
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}:{}: {}",
            self.span.start.line, self.span.start.column, self.kind
        )?;
        writeln!(f, "{}", self.line_text)?;
        let start = self.span.start.column.saturating_sub(1) as usize;
        let width = if self.span.end.line == self.span.start.line {
            (self.span.end.column.saturating_sub(self.span.start.column) as usize).max(1)
        } else {
            1
        };
        // Carets line up with bytes; tabs in the line are kept so they line up too.
        let pad: String = self
            .line_text
            .bytes()
            .take(start)
            .map(|b| if b == b'\t' { '\t' } else { ' ' })
            .collect();
        write!(f, "{pad}{}", "^".repeat(width))
    }
}

impl std::error::Error for ParseError {}
