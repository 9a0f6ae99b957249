//! The parser: lines to [`Line`]s, one at a time.

use crate::ast::*;
use crate::error::{ErrorKind, ParseError, Span};
use crate::lex::{self, LexError, Word};
use crate::names;
use crate::spec::{self, Kind, ModuleSpec, OptSpec};
use crate::value::{self, Counters, Masked, NatRange, Net, Probability, Quote, Range, Rate};

/// Lines longer than this are refused rather than parsed (iptables' own
/// restore buffer is 1 KiB-ish per parameter; this bound only keeps hostile
/// input from costing quadratic time anywhere).
const MAX_LINE: usize = 1 << 20;

/// Parses a whole file into a [`Dump`].
///
/// ```
/// let text = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n";
/// let dump = nflens_xtables::parse(text).unwrap();
/// assert_eq!(dump.to_string(), text);
/// ```
pub fn parse(input: &str) -> Result<Dump<'_>, ParseError> {
    let mut lines = Vec::with_capacity(input.len() / 64 + 1);
    for line in Parser::new(input) {
        lines.push(line?);
    }
    Ok(Dump { lines })
}

/// `bytes` as text, or an error at the line and column of the first byte
/// that is not UTF-8, with that line shown. `bytes` starts at byte `offset`
/// of a larger input, after its first `line` lines (0 and 0 for a whole
/// input), as [`Parser::resume`] takes them.
///
/// ```
/// let e = nflens_xtables::utf8(b"*filter\n-A IN\xffPUT\n", 0, 0).unwrap_err();
/// assert_eq!((e.span.start.line, e.span.start.column, e.span.start.offset), (2, 6, 13));
/// ```
pub fn utf8(bytes: &[u8], offset: usize, line: u32) -> Result<&str, ParseError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let bad = e.valid_up_to();
        let head = bytes.get(..bad).unwrap_or_default();
        let line_start = memchr::memrchr(b'\n', head).map_or(0, |i| i + 1);
        let line_end = bytes
            .get(bad..)
            .and_then(memchr_newline)
            .map_or(bytes.len(), |i| bad + i);
        let line_no = line
            .saturating_add(
                u32::try_from(memchr::memchr_iter(b'\n', head).count()).unwrap_or(u32::MAX),
            )
            .saturating_add(1);
        let width = e.error_len().unwrap_or(1);
        let text = String::from_utf8_lossy(bytes.get(line_start..line_end).unwrap_or_default());
        ParseError::new(
            ErrorKind::InvalidUtf8,
            Span::in_line(
                line_no,
                offset + line_start,
                bad - line_start,
                bad - line_start + width,
            ),
            &text,
        )
    })
}

/// A streaming parser: yields one [`Line`] at a time, so a file of any size
/// is parsed in constant memory (beyond the current line). After the first
/// error it yields nothing more.
#[derive(Debug)]
pub struct Parser<'a> {
    input: &'a str,
    /// Byte offset of `input` in the text it was cut from (0 unless made by
    /// [`Parser::resume`]); spans are reported from there.
    base: usize,
    pos: usize,
    /// Where this parser stops (the input's length, or the end of a chunk).
    end: usize,
    line_no: u32,
    words: Vec<Word<'a>>,
    /// Options of the match or target being read; moved out at exact size.
    opts: Vec<Opt<'a>>,
    in_table: bool,
    failed: bool,
}

impl<'a> Parser<'a> {
    /// A parser over `input`.
    pub fn new(input: &'a str) -> Parser<'a> {
        Parser {
            input,
            base: 0,
            pos: 0,
            end: input.len(),
            line_no: 0,
            words: Vec::with_capacity(64),
            opts: Vec::with_capacity(16),
            in_table: false,
            failed: false,
        }
    }

    /// A parser over `chunk`, a run of whole lines cut from a larger text:
    /// it starts at byte `offset` of that text, after its first `line`
    /// lines, inside a table section (`*table` read and not yet committed)
    /// or not. Spans, line numbers and errors are those of the whole text's
    /// parser, provided the three are true of it.
    ///
    /// This is how a caller that holds a text in pieces (read by several
    /// threads, each checking its own piece is UTF-8) parses it without
    /// first making one `&str` of all of it.
    ///
    /// ```
    /// use nflens_xtables::{LineKind, Parser};
    /// let rest = "-A INPUT -j DROP\nCOMMIT\n";
    /// let mut p = Parser::resume(rest, 28, 2, true);
    /// let line = p.next().unwrap().unwrap();
    /// assert!(matches!(line.kind, LineKind::Command(_)));
    /// assert_eq!((line.span.start.line, line.span.start.offset), (3, 28));
    /// assert!(p.next().unwrap().is_ok());
    /// assert!(!p.in_table());
    /// ```
    pub fn resume(chunk: &'a str, offset: usize, line: u32, in_table: bool) -> Parser<'a> {
        let mut p = Parser::new(chunk);
        p.base = offset;
        p.line_no = line;
        p.in_table = in_table;
        p
    }

    /// Byte offset of the next line, in the whole text.
    pub fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// The text this parser reads [`Parser::range`] of: the whole input,
    /// or for [`Parser::resume`] the chunk it was given.
    pub fn input(&self) -> &'a str {
        self.input
    }

    /// The byte range of [`Parser::input`] this parser reads (all of it, or
    /// a chunk from [`Parser::split`]).
    pub fn range(&self) -> (usize, usize) {
        (self.pos, self.end)
    }

    /// Byte offset of [`Parser::input`] in the whole text (0 unless made by
    /// [`Parser::resume`]).
    pub fn base(&self) -> usize {
        self.base
    }

    /// Whether a table section is open after the lines read so far.
    pub fn in_table(&self) -> bool {
        self.in_table
    }

    /// The number of the last line read (0 before the first), counted in
    /// the whole text.
    pub fn line(&self) -> u32 {
        self.line_no
    }

    /// Splits `input` into at most `n` parsers over consecutive runs of whole
    /// lines, of about equal size, to run on separate threads. Each reports
    /// spans, line numbers and errors as the whole-input parser would, and
    /// starts inside or outside a table as that parser would be at its first
    /// line (the last `*table` or `COMMIT` line before it decides).
    ///
    /// Chained in order, their lines are the whole-input parser's lines. A
    /// chunk's errors are the whole input's only when every earlier chunk
    /// parsed without error: report the first error in chunk order.
    pub fn split(input: &'a str, n: usize) -> Vec<Parser<'a>> {
        let bytes = input.as_bytes();
        let found: Result<_, std::convert::Infallible> = cut(input.len(), n.clamp(1, 64), |at| {
            Ok(bytes.get(at..).and_then(memchr_newline).map(|i| at + i))
        });
        let ranges = match found {
            Ok(r) => r,
            Err(never) => match never {},
        };
        let mut line_no = 0u32;
        let mut parsers = Vec::with_capacity(ranges.len());
        for (start, end) in ranges {
            let mut p = Parser::new(input);
            p.pos = start;
            p.end = end;
            p.line_no = line_no;
            p.in_table = table_open_before(input, start);
            parsers.push(p);
            let lines = bytes
                .get(start..end)
                .map_or(0, |b| memchr::memchr_iter(b'\n', b).count());
            line_no = line_no.saturating_add(u32::try_from(lines).unwrap_or(u32::MAX));
        }
        parsers
    }
}

/// Cuts a text of `len` bytes into at most `n` consecutive runs of whole
/// lines, of about equal size: each run but the last ends just after the
/// first newline at or after its share of the text, which
/// `newline_at_or_after(offset)` finds (the text may be in memory or in a
/// file, so the caller looks).
pub fn cut<E>(
    len: usize,
    n: usize,
    mut newline_at_or_after: impl FnMut(usize) -> Result<Option<usize>, E>,
) -> Result<Vec<(usize, usize)>, E> {
    let n = n.max(1);
    let mut ranges = Vec::with_capacity(n);
    let mut start = 0;
    for i in 1..=n {
        let end = if i == n {
            len
        } else {
            let target = (len / n * i).max(start);
            newline_at_or_after(target)?.map_or(len, |nl| nl + 1)
        };
        ranges.push((start, end));
        start = end;
        if end >= len {
            break;
        }
    }
    Ok(ranges)
}

/// Whether a table section is open at byte `at` (a line start): the last line
/// before it that opens (`*table`) or closes (`COMMIT`) one decides.
fn table_open_before(input: &str, at: usize) -> bool {
    let mut end = at.min(input.len());
    while end > 0 {
        let Some(head) = input.get(..end - 1) else {
            return false;
        };
        let start = memchr::memrchr(b'\n', head.as_bytes()).map_or(0, |i| i + 1);
        let line = head.get(start..).unwrap_or_default();
        if line.starts_with('*') {
            return true;
        }
        if is_commit(line) {
            return false;
        }
        end = start;
    }
    false
}

/// A `COMMIT` line, with the blanks iptables-restore allows around it.
fn is_commit(line: &str) -> bool {
    line.trim_start_matches([' ', '\t']).trim_end() == "COMMIT"
}

impl<'a> Iterator for Parser<'a> {
    type Item = Result<Line<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.end {
            return None;
        }
        let rest = self.input.get(self.pos..self.end)?;
        let (line, advance) = match memchr_newline(rest.as_bytes()) {
            Some(i) => (rest.get(..i)?, i + 1),
            None => (rest, rest.len()),
        };
        let start = self.base + self.pos;
        self.pos += advance;
        self.line_no = self.line_no.saturating_add(1);
        let mut ctx = LineCtx {
            line,
            line_no: self.line_no,
            start,
        };
        let r = parse_line(
            &mut ctx,
            &mut self.words,
            &mut self.opts,
            &mut self.in_table,
        );
        if r.is_err() {
            self.failed = true;
        }
        Some(r)
    }
}

fn memchr_newline(b: &[u8]) -> Option<usize> {
    memchr::memchr(b'\n', b)
}

/// Parses one command line (`-A INPUT -p tcp -j ACCEPT`) on its own, outside
/// any table section.
pub fn parse_command(line: &str) -> Result<Command<'_>, ParseError> {
    let mut ctx = LineCtx {
        line,
        line_no: 1,
        start: 0,
    };
    let mut words = Vec::new();
    let mut opts = Vec::new();
    let mut in_table = true;
    match parse_line(&mut ctx, &mut words, &mut opts, &mut in_table)?.kind {
        LineKind::Command(c) => Ok(c),
        _ => Err(ctx.err(ErrorKind::UnknownLine, 0, line.len())),
    }
}

struct LineCtx<'a> {
    line: &'a str,
    line_no: u32,
    start: usize,
}

impl<'a> LineCtx<'a> {
    fn span(&self, from: usize, to: usize) -> Span {
        Span::in_line(self.line_no, self.start, from, to)
    }

    #[cold]
    fn err(&self, kind: ErrorKind, from: usize, to: usize) -> ParseError {
        ParseError::new(kind, self.span(from, to), self.line)
    }
}

fn parse_line<'a>(
    ctx: &mut LineCtx<'a>,
    words: &mut Vec<Word<'a>>,
    opts: &mut Vec<Opt<'a>>,
    in_table: &mut bool,
) -> Result<Line<'a>, ParseError> {
    let line = ctx.line;
    let span = ctx.span(0, line.len());
    if line.len() > MAX_LINE {
        return Err(ctx.err(ErrorKind::TooLong, 0, 1));
    }
    let trimmed = line.trim_start_matches([' ', '\t']);
    let kind = if trimmed.trim_end_matches([' ', '\t', '\r']).is_empty() {
        LineKind::Blank
    } else if let Some(c) = line.strip_prefix('#') {
        match diagnostic(line) {
            Some(d) => LineKind::Diagnostic(d),
            None => LineKind::Comment(c),
        }
    } else if let Some(t) = line.strip_prefix('*') {
        if *in_table {
            return Err(ctx.err(ErrorKind::MissingCommit, 0, line.len()));
        }
        let t = t.trim_end();
        if t.is_empty() || !value::is_word(t) {
            return Err(ctx.err(ErrorKind::UnknownLine, 0, line.len()));
        }
        *in_table = true;
        LineKind::Table(t)
    } else if let Some(c) = line.strip_prefix(':') {
        if !*in_table {
            return Err(ctx.err(ErrorKind::OutsideTable, 0, line.len()));
        }
        LineKind::Chain(chain_decl(ctx, c)?)
    } else if is_commit(line) {
        if !*in_table {
            return Err(ctx.err(ErrorKind::OutsideTable, 0, line.len()));
        }
        *in_table = false;
        LineKind::Commit
    } else if trimmed.starts_with('-') || trimmed.starts_with('[') {
        if !*in_table {
            return Err(ctx.err(ErrorKind::OutsideTable, 0, line.len()));
        }
        lex::split(line, words).map_err(|e| match e {
            LexError::UnterminatedQuote(at) => {
                ctx.err(ErrorKind::UnterminatedQuote, at, line.len())
            }
            LexError::DanglingEscape(at) => ctx.err(ErrorKind::DanglingEscape, at, at + 1),
        })?;
        LineKind::Command(command(ctx, words, opts)?)
    } else {
        return Err(ctx.err(ErrorKind::UnknownLine, 0, line.len()));
    };
    Ok(Line { kind, span })
}

fn diagnostic(line: &str) -> Option<Diagnostic<'_>> {
    if line == "# Warning: iptables-legacy tables present, use iptables-legacy-save to see them" {
        return Some(Diagnostic::LegacyTablesPresent);
    }
    let rest = line.strip_prefix("# Table `")?;
    let (table, tail) = rest.split_once('\'')?;
    match tail {
        " is incompatible, use 'nft' tool." => Some(Diagnostic::TableIncompatible { table }),
        " contains incompatible base-chains, use 'nft' tool to list them." => {
            Some(Diagnostic::IncompatibleBaseChains { table })
        }
        _ => None,
    }
}

fn chain_decl<'a>(ctx: &LineCtx<'a>, rest: &'a str) -> Result<ChainDecl<'a>, ParseError> {
    let bad = |expected| ctx.err(ErrorKind::BadChainLine { expected }, 0, ctx.line.len());
    let mut it = rest.split([' ', '\t']).filter(|s| !s.is_empty());
    let name = it.next().ok_or_else(|| bad("a chain name after `:`"))?;
    let policy = it
        .next()
        .ok_or_else(|| bad("a policy or `-` after the chain name"))?;
    let counters = match it.next() {
        None => None,
        Some(c) => Some(Counters::parse(c).ok_or_else(|| {
            let at = offset_in(ctx.line, c);
            ctx.err(ErrorKind::BadCounters, at, at + c.len())
        })?),
    };
    if it.next().is_some() {
        return Err(bad("nothing after the counters"));
    }
    Ok(ChainDecl {
        name,
        policy: if policy == "-" { None } else { Some(policy) },
        counters,
    })
}

fn offset_in(line: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(line.as_ptr() as usize)
}

/// The words of a command line, with a cursor.
struct Words<'w, 'a> {
    ctx: &'w LineCtx<'a>,
    words: &'w [Word<'a>],
    i: usize,
    /// Scratch for the options of the current match or target.
    opts: &'w mut Vec<Opt<'a>>,
}

impl<'w, 'a> Words<'w, 'a> {
    fn peek(&self) -> Option<Word<'a>> {
        self.words.get(self.i).copied()
    }
    fn next(&mut self) -> Option<Word<'a>> {
        let w = self.peek();
        if w.is_some() {
            self.i += 1;
        }
        w
    }
    fn end(&self) -> usize {
        self.ctx.line.len()
    }
    fn err(&self, kind: ErrorKind, w: Word<'a>) -> ParseError {
        self.ctx.err(kind, w.start, w.end())
    }
    /// The value word of `opt`, which needs `expected`.
    fn value(&mut self, opt: Word<'a>, expected: &'static str) -> Result<Word<'a>, ParseError> {
        self.next().ok_or_else(|| {
            self.ctx.err(
                ErrorKind::MissingValue {
                    option: opt.raw.to_owned(),
                    expected,
                },
                opt.start,
                opt.end(),
            )
        })
    }
    fn chain(&mut self, cmd: Word<'a>) -> Result<&'a str, ParseError> {
        Ok(self.value(cmd, "a chain name")?.raw)
    }
}

fn command<'a>(
    ctx: &LineCtx<'a>,
    words: &[Word<'a>],
    opts: &mut Vec<Opt<'a>>,
) -> Result<Command<'a>, ParseError> {
    opts.clear();
    let mut w = Words {
        ctx,
        words,
        i: 0,
        opts,
    };
    let mut counters = None;
    let first = w
        .next()
        .ok_or_else(|| ctx.err(ErrorKind::UnknownLine, 0, ctx.line.len()))?;
    let cmd = if first.raw.starts_with('[') {
        counters =
            Some(Counters::parse(first.raw).ok_or_else(|| w.err(ErrorKind::BadCounters, first))?);
        w.next().ok_or_else(|| {
            ctx.err(
                ErrorKind::MissingValue {
                    option: first.raw.to_owned(),
                    expected: "a command after the counters",
                },
                first.start,
                first.end(),
            )
        })?
    } else {
        first
    };
    let index = |w: &mut Words<'_, 'a>| -> Option<u32> {
        let n = w.peek()?.raw.parse::<u32>().ok()?;
        w.i += 1;
        Some(n)
    };
    let c = match cmd.raw {
        "-A" | "--append" => {
            let chain = w.chain(cmd)?;
            Command::Append {
                chain,
                rule: Box::new(rule(&mut w, counters)?),
            }
        }
        "-I" | "--insert" => {
            let chain = w.chain(cmd)?;
            let index = index(&mut w);
            Command::Insert {
                chain,
                index,
                rule: Box::new(rule(&mut w, counters)?),
            }
        }
        "-R" | "--replace" => {
            let chain = w.chain(cmd)?;
            let iw = w.value(cmd, "a rule number")?;
            let index = iw.raw.parse::<u32>().map_err(|_| {
                w.err(
                    ErrorKind::BadValue {
                        option: cmd.raw.to_owned(),
                        value: iw.raw.to_owned(),
                        expected: "a rule number",
                    },
                    iw,
                )
            })?;
            Command::Replace {
                chain,
                index,
                rule: Box::new(rule(&mut w, counters)?),
            }
        }
        "-D" | "--delete" => {
            let chain = w.chain(cmd)?;
            let what = match w.words.get(w.i..) {
                Some([only]) if only.raw.parse::<u32>().is_ok() => {
                    w.i += 1;
                    DeleteBy::Index(only.raw.parse::<u32>().unwrap_or(0))
                }
                _ => DeleteBy::Rule(Box::new(rule(&mut w, counters)?)),
            };
            Command::Delete { chain, what }
        }
        "-N" | "--new-chain" => Command::NewChain(w.chain(cmd)?),
        "-X" | "--delete-chain" => Command::DeleteChain(w.next().map(|c| c.raw)),
        "-F" | "--flush" => Command::Flush(w.next().map(|c| c.raw)),
        "-Z" | "--zero" => Command::Zero(w.next().map(|c| c.raw)),
        "-P" | "--policy" => {
            let chain = w.chain(cmd)?;
            let policy = w.value(cmd, "a policy (ACCEPT or DROP)")?.raw;
            Command::Policy { chain, policy }
        }
        _ => {
            return Err(w.err(
                ErrorKind::ExpectedOption {
                    found: cmd.raw.to_owned(),
                },
                cmd,
            ))
        }
    };
    if let Some(extra) = w.peek() {
        return Err(w.err(
            ErrorKind::ExpectedOption {
                found: extra.raw.to_owned(),
            },
            extra,
        ));
    }
    Ok(c)
}

/// Where the options that follow belong.
#[derive(Clone, Copy)]
enum Ctx {
    Basic,
    /// The last match, and its spec when known.
    Match(Option<&'static ModuleSpec>),
    /// The target, and its spec when known.
    Target(Option<&'static ModuleSpec>),
}

fn rule<'a>(w: &mut Words<'_, 'a>, counters: Option<Counters>) -> Result<Rule<'a>, ParseError> {
    let first = w.peek().map(|x| x.start).unwrap_or(w.end());
    let mut r = Rule {
        counters,
        ..Rule::default()
    };
    let mut ctx = Ctx::Basic;
    // The target's spec, kept for the option ordering at the end.
    let mut target_spec: Option<&'static ModuleSpec> = None;
    // The `!` waiting for its option: where it was.
    let mut pending_neg: Option<Word<'a>> = None;
    while let Some(word) = w.next() {
        if word.raw == "!" {
            if pending_neg.is_some() {
                return Err(w.err(ErrorKind::BadNegation, word));
            }
            pending_neg = Some(word);
            continue;
        }
        let Some(stripped) = word.raw.strip_prefix('-') else {
            return Err(w.err(
                ErrorKind::ExpectedOption {
                    found: word.raw.to_owned(),
                },
                word,
            ));
        };
        let negated = pending_neg.is_some();
        let opt_start = pending_neg.map(|n| n.start).unwrap_or(word.start);
        pending_neg = None;
        let long = stripped.strip_prefix('-');

        // 1. An exact option of the current module wins over the basic options.
        if let (Some(name), Ctx::Match(Some(spec)) | Ctx::Target(Some(spec))) = (long, ctx) {
            if let Some(os) = spec.find_exact(name) {
                let o = module_opt(w, word, os, negated, opt_start)?;
                w.opts.push(o);
                continue;
            }
        }
        // 2. Basic options.
        if let Some(b) = basic(word.raw) {
            match b {
                Basic::Match => {
                    if negated {
                        return Err(w.err(ErrorKind::BadNegation, word));
                    }
                    let nw = w.value(word, "a match module name")?;
                    let spec = spec::find_match(nw.raw);
                    flush(&mut r, ctx, w.opts);
                    r.matches.push(Match {
                        name: nw.raw,
                        known: spec.is_some(),
                        options: Vec::new(),
                        span: w.ctx.span(word.start, nw.end()),
                    });
                    ctx = Ctx::Match(spec);
                }
                Basic::Jump | Basic::Goto => {
                    if negated {
                        return Err(w.err(ErrorKind::BadNegation, word));
                    }
                    let nw = w.value(word, "a target or chain name")?;
                    let spec = spec::find_target(nw.raw);
                    target_spec = spec;
                    if r.target.is_some() {
                        return Err(w.err(
                            ErrorKind::DuplicateOption {
                                option: word.raw.to_owned(),
                            },
                            word,
                        ));
                    }
                    flush(&mut r, ctx, w.opts);
                    r.target = Some(Target {
                        goto: matches!(b, Basic::Goto),
                        name: nw.raw,
                        known: spec.is_some() || spec::VERDICTS.contains(&nw.raw),
                        options: Vec::new(),
                        span: w.ctx.span(word.start, nw.end()),
                    });
                    ctx = Ctx::Target(spec);
                }
                _ => basic_opt(w, &mut r, b, word, negated)?,
            }
            continue;
        }
        // 3. A prefix of an option of the current module (getopt_long does this).
        if let (Some(name), Ctx::Match(Some(spec)) | Ctx::Target(Some(spec))) = (long, ctx) {
            if let Some(os) = spec.find(name) {
                let o = module_opt(w, word, os, negated, opt_start)?;
                w.opts.push(o);
                continue;
            }
        }
        // 4. The options of an unknown module, or options a known module
        //    does not list (a newer iptables may add some): kept verbatim.
        if let (Some(name), Ctx::Match(_) | Ctx::Target(_)) = (long, ctx) {
            let mut args = Vec::new();
            while let Some(a) = w.peek() {
                if a.raw == "!" || (a.raw.starts_with('-') && a.raw.len() > 1 && !a.cooked) {
                    break;
                }
                args.push(a);
                w.i += 1;
            }
            let end = args.last().map(|a| a.end()).unwrap_or(word.end());
            w.opts.push(Opt {
                negated,
                name,
                value: Value::Raw(args),
                span: w.ctx.span(opt_start, end),
            });
            continue;
        }
        // 5. `-p tcp --dport 22` without `-m tcp`: iptables loads the protocol's match.
        if let (Some(name), Some(p)) = (long, r.protocol) {
            if let Some(spec) = spec::implicit_match(p.value.0) {
                if let Some(os) = spec.find(name) {
                    flush(&mut r, ctx, w.opts);
                    r.matches.push(Match {
                        name: spec.name,
                        known: true,
                        options: Vec::new(),
                        span: w.ctx.span(word.start, word.start),
                    });
                    ctx = Ctx::Match(Some(spec));
                    let o = module_opt(w, word, os, negated, opt_start)?;
                    w.opts.push(o);
                    continue;
                }
            }
        }
        return Err(w.err(
            ErrorKind::UnknownOption {
                option: word.raw.to_owned(),
            },
            word,
        ));
    }
    if let Some(n) = pending_neg {
        return Err(w.err(ErrorKind::BadNegation, n));
    }
    flush(&mut r, ctx, w.opts);
    // Targets whose options iptables-save prints in a fixed order.
    if let (Some(t), Some(spec)) = (r.target.as_mut(), target_spec.filter(|s| s.ordered)) {
        let rank = |o: &Opt<'_>| {
            spec.opts
                .iter()
                .position(|s| s.name == o.name)
                .unwrap_or(usize::MAX)
        };
        t.options.sort_by_key(rank);
    }
    r.span = w.ctx.span(first, w.end());
    Ok(r)
}

/// Moves the options read so far to the match or target they belong to,
/// in a vector of exactly their number (a `Vec` grown by `push` would hold
/// room for four, and a 10k-Service ruleset has 300k option lists).
fn flush<'a>(r: &mut Rule<'a>, ctx: Ctx, opts: &mut Vec<Opt<'a>>) {
    if opts.is_empty() {
        return;
    }
    // Not `mem::take`: that would keep the scratch's large capacity. Not
    // `drain(..).collect()`: that moves one option at a time.
    let mut exact = Vec::with_capacity(opts.len());
    exact.append(opts);
    match ctx {
        Ctx::Match(_) => {
            if let Some(m) = r.matches.last_mut() {
                m.options = exact;
            }
        }
        Ctx::Target(_) => {
            if let Some(t) = r.target.as_mut() {
                t.options = exact;
            }
        }
        Ctx::Basic => {}
    }
}

#[derive(Clone, Copy)]
enum Basic {
    Source,
    Destination,
    InIface,
    OutIface,
    Protocol,
    Fragment,
    Match,
    Jump,
    Goto,
    Counters,
}

fn basic(w: &str) -> Option<Basic> {
    Some(match w {
        "-s" | "--source" | "--src" => Basic::Source,
        "-d" | "--destination" | "--dst" => Basic::Destination,
        "-i" | "--in-interface" => Basic::InIface,
        "-o" | "--out-interface" => Basic::OutIface,
        "-p" | "--protocol" => Basic::Protocol,
        "-f" | "--fragment" => Basic::Fragment,
        "-m" | "--match" => Basic::Match,
        "-j" | "--jump" => Basic::Jump,
        "-g" | "--goto" => Basic::Goto,
        "-c" | "--set-counters" => Basic::Counters,
        _ => return None,
    })
}

/// Reads an option's value word, accepting the old `-s ! X` form of negation.
fn value_word<'a>(
    w: &mut Words<'_, 'a>,
    opt: Word<'a>,
    negated: &mut bool,
    expected: &'static str,
) -> Result<Word<'a>, ParseError> {
    let v = w.value(opt, expected)?;
    if v.raw == "!" {
        if *negated {
            return Err(w.err(ErrorKind::BadNegation, v));
        }
        *negated = true;
        return w.value(opt, expected);
    }
    Ok(v)
}

fn bad_value<'a>(
    w: &Words<'_, 'a>,
    opt: Word<'a>,
    v: Word<'a>,
    expected: &'static str,
) -> ParseError {
    w.err(
        ErrorKind::BadValue {
            option: opt.raw.to_owned(),
            value: v.text().into_owned(),
            expected,
        },
        v,
    )
}

fn basic_opt<'a>(
    w: &mut Words<'_, 'a>,
    r: &mut Rule<'a>,
    b: Basic,
    word: Word<'a>,
    mut negated: bool,
) -> Result<(), ParseError> {
    let dup = |w: &Words<'_, 'a>| {
        w.err(
            ErrorKind::DuplicateOption {
                option: word.raw.to_owned(),
            },
            word,
        )
    };
    match b {
        Basic::Source | Basic::Destination => {
            const EXP: &str = "an address with optional /mask";
            let v = value_word(w, word, &mut negated, EXP)?;
            let net = Net::parse(&v.text()).ok_or_else(|| bad_value(w, word, v, EXP))?;
            let slot = if matches!(b, Basic::Source) {
                &mut r.source
            } else {
                &mut r.destination
            };
            if slot.is_some() {
                return Err(dup(w));
            }
            *slot = Some(Neg {
                negated,
                value: net,
            });
        }
        Basic::InIface | Basic::OutIface => {
            const EXP: &str = "an interface name (up to 15 characters, `+` wildcard)";
            let v = value_word(w, word, &mut negated, EXP)?;
            if v.cooked || v.raw.is_empty() || v.raw.len() > 15 {
                return Err(bad_value(w, word, v, EXP));
            }
            let slot = if matches!(b, Basic::InIface) {
                &mut r.in_iface
            } else {
                &mut r.out_iface
            };
            if slot.is_some() {
                return Err(dup(w));
            }
            *slot = Some(Neg {
                negated,
                value: v.raw,
            });
        }
        Basic::Protocol => {
            const EXP: &str = "a protocol name or number";
            let v = value_word(w, word, &mut negated, EXP)?;
            let p = names::proto_number(&v.text()).ok_or_else(|| bad_value(w, word, v, EXP))?;
            if r.protocol.is_some() {
                return Err(dup(w));
            }
            // `-p all` is no protocol match; iptables-save leaves it out.
            if p != 0 || negated {
                r.protocol = Some(Neg {
                    negated,
                    value: Proto(p),
                });
            }
        }
        Basic::Fragment => {
            if r.fragment.is_some() {
                return Err(dup(w));
            }
            r.fragment = Some(negated);
        }
        Basic::Counters => {
            const EXP: &str = "packet and byte counts";
            let p = w.value(word, EXP)?;
            let b2 = w.value(word, EXP)?;
            let (Ok(packets), Ok(bytes)) = (p.raw.parse::<u64>(), b2.raw.parse::<u64>()) else {
                return Err(bad_value(w, word, p, EXP));
            };
            r.counters = Some(Counters { packets, bytes });
        }
        Basic::Match | Basic::Jump | Basic::Goto => {}
    }
    Ok(())
}

fn expected(kind: Kind) -> &'static str {
    match kind {
        Kind::Flag => "no value",
        Kind::Uint(_) | Kind::Hex(..) => "a number",
        Kind::Range(..) => "a number or range",
        Kind::Port => "a port or range",
        Kind::PortList => "a comma list of up to 15 ports or ranges",
        Kind::Net | Kind::NetHost => "an address with optional /mask",
        Kind::Addr => "an address",
        Kind::AddrRange => "an address range FROM-TO",
        Kind::Mark | Kind::XMark | Kind::Tos => "a value with optional /mask",
        Kind::States => "a comma list of INVALID, NEW, RELATED, ESTABLISHED, UNTRACKED, SNAT, DNAT",
        Kind::CtStatus => "a comma list of NONE, EXPECTED, SEEN_REPLY, ASSURED, CONFIRMED",
        Kind::WordList(_) => "a comma list of known names",
        Kind::Word(_) => "a known name",
        Kind::Str(_) => "a string",
        Kind::Rate(_) => "a rate N/sec|min|hour|day",
        Kind::HashRate => "a rate N/sec|min|hour|day or Nb/s, Nkb/s, Nmb/s",
        Kind::Probability => "a probability from 0 to 1",
        Kind::Nat => "an address range and/or port range",
        Kind::TcpFlags => "two comma lists of TCP flags",
        Kind::SetRef => "a set name and direction flags",
        Kind::IcmpType | Kind::Icmp6Type => "an ICMP type name or TYPE[/CODE]",
        Kind::Proto | Kind::ProtoNum => "a protocol name or number",
        Kind::Mac => "a MAC address XX:XX:XX:XX:XX:XX",
        Kind::Class => "a class MAJOR:MINOR in hex",
    }
}

fn module_opt<'a>(
    w: &mut Words<'_, 'a>,
    word: Word<'a>,
    os: &'static OptSpec,
    mut negated: bool,
    opt_start: usize,
) -> Result<Opt<'a>, ParseError> {
    let exp = expected(os.kind);
    let mut name: &'a str = os.name;
    let value = match os.kind {
        Kind::Flag => {
            if os.name == "syn" {
                // `--syn` is `--tcp-flags FIN,SYN,RST,ACK SYN`, and prints so.
                name = "tcp-flags";
                Value::TcpFlags {
                    mask: 0x17,
                    comp: 0x02,
                }
            } else {
                Value::Flag
            }
        }
        Kind::TcpFlags => {
            let a = value_word(w, word, &mut negated, exp)?;
            let b = w.value(word, exp)?;
            let mask = names::tcp_flags(a.raw).ok_or_else(|| bad_value(w, word, a, exp))?;
            let comp = names::tcp_flags(b.raw).ok_or_else(|| bad_value(w, word, b, exp))?;
            Value::TcpFlags { mask, comp }
        }
        Kind::SetRef => {
            let a = value_word(w, word, &mut negated, exp)?;
            let b = w.value(word, exp)?;
            let ok = !b.cooked
                && b.raw.split(',').count() <= 6
                && b.raw.split(',').all(|d| d == "src" || d == "dst");
            if !ok {
                return Err(bad_value(w, word, b, exp));
            }
            Value::SetRef {
                name: a.text(),
                flags: b.raw,
            }
        }
        kind => {
            let v = value_word(w, word, &mut negated, exp)?;
            typed(kind, v).ok_or_else(|| bad_value(w, word, v, exp))?
        }
    };
    let end = w
        .words
        .get(w.i.wrapping_sub(1))
        .map(|x| x.end())
        .unwrap_or(word.end());
    Ok(Opt {
        negated,
        name,
        value,
        span: w.ctx.span(opt_start, end),
    })
}

/// Parses one value word of a single-word kind.
fn typed<'a>(kind: Kind, v: Word<'a>) -> Option<Value<'a>> {
    let text = v.text();
    let t: &str = &text;
    Some(match kind {
        Kind::Uint(max) => Value::Uint(value::parse_uint(t, max)?),
        Kind::Hex(max, width) => Value::Hex {
            value: value::parse_uint(t, max)?,
            width,
        },
        Kind::Range(sep, max) => Value::Range(Range::parse(t, sep, max, value::no_names)?),
        Kind::Port => Value::Range(Range::parse(t, ':', 65535, value::service_port)?),
        Kind::PortList => {
            let mut list = Vec::new();
            for p in t.split(',') {
                list.push(Range::parse(p, ':', 65535, value::service_port)?);
            }
            // The kernel's multiport holds at most 15 ports (a range counts two).
            let slots: usize = list.iter().map(|r| if r.lo == r.hi { 1 } else { 2 }).sum();
            if slots > 15 {
                return None;
            }
            Value::Ports(list)
        }
        Kind::Net => Value::Net {
            net: Net::parse(t)?,
            bare_host: false,
        },
        Kind::NetHost => Value::Net {
            net: Net::parse(t)?,
            bare_host: true,
        },
        Kind::Addr => Value::Addr(value::parse_ip(t)?),
        Kind::AddrRange => {
            let (a, b) = t.split_once('-')?;
            let a = value::parse_ip(a)?;
            let b = value::parse_ip(b)?;
            if a.is_ipv4() != b.is_ipv4() {
                return None;
            }
            Value::AddrRange(a, b)
        }
        Kind::Mark => Value::Masked(Masked::parse(t)?, MaskStyle::Mark),
        Kind::XMark => Value::Masked(Masked::parse(t)?, MaskStyle::XMark),
        Kind::Tos => {
            // libxt_TOS / libxt_tos (revision 1): a symbolic name keeps the
            // ECN bits (mask 0x3f).
            const SYMBOLS: [(&str, u32); 5] = [
                ("Minimize-Delay", 0x10),
                ("Maximize-Throughput", 0x08),
                ("Maximize-Reliability", 0x04),
                ("Minimize-Cost", 0x02),
                ("Normal-Service", 0x00),
            ];
            let symbol = SYMBOLS.iter().find(|(n, _)| n.eq_ignore_ascii_case(t));
            let m = match symbol {
                Some(&(_, value)) => Masked {
                    value,
                    mask: Some(0x3f),
                },
                None => Masked::parse(t)?,
            };
            if m.value > 0xff || m.mask.is_some_and(|x| x > 0xff) {
                return None;
            }
            Value::Masked(m, MaskStyle::Tos)
        }
        Kind::States => Value::States(names::bit_list(t, names::CT_STATES, false)?),
        Kind::CtStatus => Value::CtStatus(names::bit_list(t, names::CT_STATUS, true)?),
        Kind::WordList(set) => {
            if v.cooked
                || !t
                    .split(',')
                    .all(|x| set.iter().any(|s| s.eq_ignore_ascii_case(x)))
            {
                return None;
            }
            Value::Word(v.raw)
        }
        Kind::Word(set) => {
            if v.cooked || t.is_empty() || !(set.is_empty() || set.contains(&t)) {
                return None;
            }
            Value::Word(v.raw)
        }
        Kind::Str(Quote::Never) if t.is_empty() || t.contains([' ', '\t']) => return None,
        Kind::Str(q) => Value::Str(text, q),
        Kind::Rate(scale) => Value::Rate(Rate::parse(t, scale)?),
        Kind::HashRate => {
            if let Some(n) = t
                .strip_suffix("kb/s")
                .or_else(|| t.strip_suffix("mb/s"))
                .or_else(|| t.strip_suffix("b/s"))
            {
                if v.cooked || n.is_empty() || !n.bytes().all(|c| c.is_ascii_digit()) {
                    return None;
                }
                Value::ByteRate(v.raw)
            } else {
                Value::Rate(Rate::parse(t, 1_000_000)?)
            }
        }
        Kind::Probability => Value::Probability(Probability::parse(t)?),
        Kind::Nat => Value::Nat(NatRange::parse(t)?),
        Kind::IcmpType | Kind::Icmp6Type => icmp(t, matches!(kind, Kind::Icmp6Type))?,
        Kind::Proto => Value::Proto(Proto(names::proto_number(t)?)),
        Kind::ProtoNum => Value::Uint(u64::from(names::proto_number(t)?)),
        Kind::Mac => {
            let mut mac = [0u8; 6];
            let mut parts = t.split(':');
            for b in mac.iter_mut() {
                let p = parts.next()?;
                if p.len() != 2 {
                    return None;
                }
                *b = u8::from_str_radix(p, 16).ok()?;
            }
            if parts.next().is_some() {
                return None;
            }
            Value::Mac(mac)
        }
        Kind::Class => {
            let (a, b) = t.split_once(':')?;
            let hex = |x: &str| {
                u16::from_str_radix(x, 16)
                    .ok()
                    .filter(|_| !x.is_empty() && x.len() <= 4)
            };
            Value::Class(hex(a)?, hex(b)?)
        }
        Kind::Flag | Kind::TcpFlags | Kind::SetRef => return None,
    })
}

fn icmp(t: &str, v6: bool) -> Option<Value<'static>> {
    let table = if v6 {
        names::ICMP6_TYPES
    } else {
        names::ICMP_TYPES
    };
    if let Some(e) = table.iter().find(|e| e.0.eq_ignore_ascii_case(t)) {
        return Some(Value::Icmp {
            ty: e.1,
            code_lo: e.2,
            code_hi: e.3,
            v6,
        });
    }
    let (ty, code) = match t.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (t, None),
    };
    let ty = u8::try_from(value::parse_uint(ty, 255)?).ok()?;
    let (code_lo, code_hi) = match code {
        None => (0, 0xff),
        Some(c) => {
            let r = Range::parse(c, ':', 255, value::no_names)?;
            (r.lo as u8, r.hi as u8)
        }
    };
    Some(Value::Icmp {
        ty,
        code_lo,
        code_hi,
        v6,
    })
}
