//! A generation-consistent snapshot of the whole nf_tables ruleset.
//!
//! # Dump strategy (measured, see docs/ARCHITECTURE.md)
//! Tables, chains, sets, objects and flowtables are dumped once each, for all
//! families. Rules are dumped one chain at a time, filtered by the table's
//! real family, table and chain: the kernel's unfiltered rule dump re-walks
//! every earlier rule on each continuation (quadratic), and filtering with
//! `NFPROTO_UNSPEC` plus a table name loses rules when two families share a
//! table name. Set elements are dumped one set at a time, with the real
//! family, before the rules ([`Snapshot::read_working`] works on the
//! rules with the sets already in). A socket runs one dump at a time, so
//! from 512 chains up ([`Snapshot::read`] only) the chains' rule dumps are
//! split over two sockets on two threads; the result is the same as one
//! socket reading them in order (tested).
//!
//! # Consistency
//! `NFT_MSG_GETGEN` is read before and after; every dump reply carries the
//! low 16 bits of the generation it saw (`res_id`) and `NLM_F_DUMP_INTR` if
//! the ruleset changed under it. If anything moved, the whole snapshot is
//! read again (bounded by [`Options::max_attempts`]).

use core::fmt;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};

use nflens_wire::sys::*;
use nflens_wire::{Chain, DecodeError, Flowtable, Msg, MsgIter, Obj, Rule, Set, SetElems, Table};

use crate::error::Error;
use crate::netns::Netns;
use crate::sock::{DumpInfo, Socket};

/// How to read a snapshot.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    /// The network namespace to read.
    pub netns: Netns<'a>,
    /// How many times to try before giving up on a ruleset that keeps
    /// changing.
    pub max_attempts: u32,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            netns: Netns::Current,
            max_attempts: 10,
        }
    }
}

type Span = (u32, u32);

/// Counters of how a snapshot was read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Snapshots started (1 when nothing changed meanwhile).
    pub attempts: u32,
    /// Dump requests sent in the successful attempt.
    pub dumps: u32,
}

/// The whole ruleset of one namespace at one generation: the kernel's reply
/// messages, kept as they came, with indexes. Accessors decode on the fly;
/// every message was decoded once when the snapshot was made, so they never
/// fail.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    buf: Vec<u8>,
    generation: u32,
    tables: Vec<Span>,
    chains: Vec<Span>,
    rules: Vec<Span>,
    chain_rules: Vec<Range<u32>>,
    sets: Vec<Span>,
    elems: Vec<Span>,
    set_elems: Vec<Range<u32>>,
    objs: Vec<Span>,
    flowtables: Vec<Span>,
    stats: Stats,
}

fn msg_at(buf: &[u8], (start, len): Span) -> Option<Msg<'_>> {
    let b = buf.get(start as usize..(start as usize).checked_add(len as usize)?)?;
    Msg::new_checked(b).ok()
}

enum Step<T> {
    /// Read, with the outputs of the work on the rules in chain order.
    Done(Vec<T>),
    Retry,
}

/// How much of a snapshot is decoded before [`Snapshot::read`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    /// Every message and expression.
    All,
    /// All but rule expression lists (the caller decodes those).
    NotRuleExprs,
    /// Nothing (the bytes-only floor).
    Nothing,
}

fn cstr(s: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(s.len() + 1);
    v.extend_from_slice(s.as_bytes());
    v.push(0);
    v
}

impl Snapshot {
    /// Reads the ruleset of the namespace `opts` names.
    pub fn read(opts: &Options<'_>) -> Result<Snapshot, Error> {
        Self::read_opts(opts, Check::All)
    }

    /// [`Snapshot::read`] for a caller that decodes every rule's
    /// expressions itself (as `nflens check` does): all the rest is decoded
    /// and checked as `read` does, but rule expression lists are not, so
    /// the decoding is not done twice. Their iterators may then yield a
    /// [`DecodeError`]; [`Snapshot::check_rule_exprs`] decodes the ones the
    /// caller does not read.
    pub fn read_deferred(opts: &Options<'_>) -> Result<Snapshot, Error> {
        Self::read_opts(opts, Check::NotRuleExprs)
    }

    /// Decodes the expressions of every rule in the chains `which` selects
    /// (for a snapshot from [`Snapshot::read_deferred`]; one from
    /// [`Snapshot::read`] never fails here).
    pub fn check_rule_exprs(&self, which: impl Fn(&Chain<'_>) -> bool) -> Result<(), DecodeError> {
        for (&span, r) in self.chains.iter().zip(&self.chain_rules) {
            if which(&Chain::parse(&self.msg(span)?)?) {
                let spans = self
                    .rules
                    .get(r.start as usize..r.end as usize)
                    .unwrap_or(&[]);
                check_rules(&self.buf, spans, Check::All)?;
            }
        }
        Ok(())
    }

    /// Reads the ruleset through an open socket.
    pub fn read_with(sock: &mut Socket, max_attempts: u32) -> Result<Snapshot, Error> {
        Self::read_inner(
            sock,
            max_attempts,
            Check::All,
            None,
            None::<(&mut NoWork, usize)>,
        )
        .map(|(snap, _)| snap)
    }

    /// Receives the same bytes as [`Snapshot::read`] without decoding them:
    /// the floor the benches compare decoding against. Accessors of the
    /// result may skip messages that do not decode.
    #[doc(hidden)]
    pub fn read_bytes_only(opts: &Options<'_>) -> Result<Snapshot, Error> {
        Self::read_opts(opts, Check::Nothing)
    }

    /// Opens the socket of `opts`' namespace and reads through it.
    fn read_opts(opts: &Options<'_>, check: Check) -> Result<Snapshot, Error> {
        Self::read_opts_working(opts, check, None::<(&mut NoWork, usize)>).map(|(snap, _)| snap)
    }

    /// [`Snapshot::read_opts`], with `work` done while the rules are read.
    fn read_opts_working<W: RuleWork>(
        opts: &Options<'_>,
        check: Check,
        work: Option<(&mut W, usize)>,
    ) -> Result<(Snapshot, Vec<W::Out>), Error> {
        let mut sock = opts
            .netns
            .open_socket()
            .map_err(|e| with_netns(e, &opts.netns))?;
        Self::read_inner(&mut sock, opts.max_attempts, check, Some(&opts.netns), work)
            .map_err(|e| with_netns(e, &opts.netns))
    }

    /// [`Snapshot::read_deferred`], with `work` done on the rules while
    /// they are read, on the threads that dump them and on up to `threads`
    /// in all: once the tables, chains, sets with their elements, objects
    /// and flowtables are in, [`RuleWork::prepare`] sees them; each thread
    /// that dumps rules then works on its own chains, in batches, as soon
    /// as its dumps are done, and then helps with the other thread's. On a
    /// large ruleset one dump thread finishes well before the other, so the
    /// work runs on a core that would otherwise wait.
    ///
    /// The outputs are in chain order ([`Snapshot::chains`]): each batch's
    /// [`RuleBatch::first_chain`] says where it starts. If the ruleset
    /// changed meanwhile, the snapshot is read again and the work done
    /// again; only the last attempt's outputs are returned.
    pub fn read_working<W: RuleWork>(
        opts: &Options<'_>,
        work: &mut W,
        threads: usize,
    ) -> Result<(Snapshot, Vec<W::Out>), Error> {
        Self::read_opts_working(opts, Check::NotRuleExprs, Some((work, threads)))
    }

    fn read_inner<W: RuleWork>(
        sock: &mut Socket,
        max_attempts: u32,
        validate: Check,
        netns: Option<&Netns<'_>>,
        mut work: Option<(&mut W, usize)>,
    ) -> Result<(Snapshot, Vec<W::Out>), Error> {
        let mut snap = Snapshot::default();
        // A second socket for the per-chain rule dumps, opened once: a
        // netlink socket runs one dump at a time, so two sockets on two
        // threads halve the wall time of large rulesets.
        let mut helper = match netns {
            Some(ns) => ns.open_socket().ok(),
            None => None,
        };
        for attempt in 1..=max_attempts.max(1) {
            snap.clear();
            snap.stats.attempts = attempt;
            let work = work.as_mut().map(|(w, n)| (&mut **w, *n));
            match snap.try_read(sock, helper.as_mut(), validate, work) {
                Ok(Step::Done(outs)) => return Ok((snap, outs)),
                Ok(Step::Retry) | Err(Error::NoBufs) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(Error::Unstable {
            attempts: max_attempts.max(1),
        })
    }

    fn clear(&mut self) {
        let stats = self.stats;
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        *self = Snapshot {
            buf,
            stats,
            ..Snapshot::default()
        };
    }

    fn try_read<W: RuleWork>(
        &mut self,
        sock: &mut Socket,
        helper: Option<&mut Socket>,
        validate: Check,
        work: Option<(&mut W, usize)>,
    ) -> Result<Step<W::Out>, Error> {
        let gen = sock.generation()?;
        self.generation = gen;
        let mut dumps = 0;
        let mut moved = false;
        let mut run = |sock: &mut Socket,
                       buf: &mut Vec<u8>,
                       spans: &mut Vec<Span>,
                       msg: u32,
                       family: u8,
                       attrs: &[(u16, &[u8])]|
         -> Result<bool, Error> {
            dumps += 1;
            match sock.dump(msg, family, attrs, buf, spans) {
                Ok(Some(info)) => {
                    moved |= info.moved(gen);
                    Ok(true)
                }
                Ok(None) => Ok(false),
                // Kernels without flowtables or objects answer EOPNOTSUPP.
                Err(Error::Kernel { errno, .. })
                    if matches!(msg, NFT_MSG_GETOBJ | NFT_MSG_GETFLOWTABLE)
                        && errno == rustix::io::Errno::OPNOTSUPP.raw_os_error() =>
                {
                    Ok(true)
                }
                Err(e) => Err(e),
            }
        };
        for (msg, spans) in [
            (NFT_MSG_GETTABLE, &mut self.tables),
            (NFT_MSG_GETCHAIN, &mut self.chains),
            (NFT_MSG_GETSET, &mut self.sets),
            (NFT_MSG_GETOBJ, &mut self.objs),
            (NFT_MSG_GETFLOWTABLE, &mut self.flowtables),
        ] {
            if !run(sock, &mut self.buf, spans, msg, NFPROTO_UNSPEC, &[])? {
                return Ok(Step::Retry);
            }
        }
        // Set elements, one set at a time, before the rules: work on the
        // rules may read them. The names are copied out because the dumps
        // below grow `buf`.
        let mut keys = Vec::with_capacity(self.sets.len());
        for &span in &self.sets {
            let s = Set::parse(&self.msg(span)?)?;
            keys.push((s.family, cstr(s.table), cstr(s.name)));
        }
        for (family, table, set) in &keys {
            let start = self.elems.len() as u32;
            let attrs = [
                (NFTA_SET_ELEM_LIST_TABLE, &table[..]),
                (NFTA_SET_ELEM_LIST_SET, &set[..]),
            ];
            if !run(
                sock,
                &mut self.buf,
                &mut self.elems,
                NFT_MSG_GETSETELEM,
                *family,
                &attrs,
            )? {
                return Ok(Step::Retry);
            }
            self.set_elems.push(start..self.elems.len() as u32);
        }
        keys.clear();
        for &span in &self.chains {
            let c = Chain::parse(&self.msg(span)?)?;
            keys.push((c.family, cstr(c.table), cstr(c.name)));
        }
        let (work, threads) = match work {
            Some((w, threads)) => {
                w.prepare(self);
                (Some(&*w), threads)
            }
            None => (None, 0),
        };
        // Rules: the chains in two halves, the second on the helper socket
        // and thread when there is one and enough chains to pay for it.
        let split = match helper {
            Some(_) if keys.len() >= PARALLEL_CHAINS => keys.len() / 2,
            _ => keys.len(),
        };
        let (first, second) = keys.split_at(split);
        // Where the helper's dumps are kept, so that work on them can be
        // shared between threads before they are appended to `buf`.
        let helper_dumps: OnceLock<ChainDumps> = OnceLock::new();
        let board = work.map(Board::new);
        let dumpers = if second.is_empty() { 1 } else { 2 };
        let theirs = std::thread::scope(|s| {
            let (helper_dumps, board) = (&helper_dumps, board.as_ref());
            // Publishes its part (or none) however this thread ends, so
            // that no thread waits for it for ever.
            let _no_part = board.map(|b| b.publish_on_drop(0));
            let other = match helper {
                Some(h) if !second.is_empty() => Some(s.spawn(move || {
                    let _no_part = board.map(|b| b.publish_on_drop(1));
                    let dumped = ChainDumps::run(h, second, gen, validate)?;
                    let Some(d) = dumped else {
                        return Ok(None);
                    };
                    let d = helper_dumps.get_or_init(|| d);
                    if let Some(b) = board {
                        b.share(1, d.bad_rule.is_none().then(|| d.batch(first.len())));
                    }
                    Ok(Some(()))
                })),
                _ => None,
            };
            if let Some(b) = board {
                if other.is_none() {
                    b.publish(1, None);
                }
                for _ in dumpers..threads {
                    s.spawn(move || b.work_from(0));
                }
            }
            let mine = ChainDumps::run_into(
                sock,
                first,
                gen,
                validate,
                &mut self.buf,
                &mut self.rules,
                &mut self.chain_rules,
            );
            if let Some(b) = board {
                let part = match &mine {
                    Ok(Some(m)) if m.bad_rule.is_none() => Some(RuleBatch {
                        buf: &self.buf,
                        rules: &self.rules,
                        chain_rules: &self.chain_rules,
                        first_chain: 0,
                    }),
                    _ => None,
                };
                b.share(0, part);
            }
            let other = other.map(|t| {
                t.join().unwrap_or(Err(Error::io(
                    "rule dump thread",
                    std::io::Error::other("panicked"),
                )))
            });
            (mine, other)
        });
        let outs = board.map(Board::into_outs).unwrap_or_default();
        let (mut rule_dumps, mut rules_moved) = (0, false);
        let mut bad_rule: Option<DecodeError>;
        match theirs {
            (Err(e), _) | (_, Some(Err(e))) => return Err(e),
            (Ok(None), _) | (_, Some(Ok(None))) => return Ok(Step::Retry),
            (Ok(Some(m)), other) => {
                rule_dumps += m.dumps;
                rules_moved |= m.moved;
                bad_rule = m.bad_rule;
                if let (Some(Ok(Some(()))), Some(o)) = (other, helper_dumps.into_inner()) {
                    rule_dumps += o.dumps;
                    rules_moved |= o.moved;
                    let shift = self.buf.len();
                    bad_rule = bad_rule.or(o.bad_rule.map(|e| e.shifted(shift)));
                    self.append_rules(o);
                }
            }
        }
        let after = sock.generation()?;
        self.stats.dumps = dumps + rule_dumps;
        if moved || rules_moved || after != gen {
            return Ok(Step::Retry);
        }
        // A generation that held: the rules were checked on the dump threads,
        // the rest is checked here.
        if let Some(e) = bad_rule {
            return Err(e.into());
        }
        if validate != Check::Nothing {
            self.validate(None)?;
        }
        Ok(Step::Done(outs))
    }

    /// Appends rule dumps made in another buffer, moving their offsets.
    fn append_rules(&mut self, o: ChainDumps) {
        let shift = self.buf.len() as u32;
        let first = self.rules.len() as u32;
        self.buf.extend_from_slice(&o.buf);
        self.rules
            .extend(o.rules.iter().map(|&(s, l)| (s + shift, l)));
        self.chain_rules
            .extend(o.chain_rules.iter().map(|r| r.start + first..r.end + first));
    }

    fn msg(&self, span: Span) -> Result<Msg<'_>, DecodeError> {
        let b = self.buf.get(span.0 as usize..).unwrap_or(&[]);
        Msg::new_checked(b).map_err(|e| e.shifted(span.0 as usize))
    }

    /// Decodes everything once, so that accessors cannot fail later; the
    /// rules too when `rules` says how (a read checks them on the threads
    /// that dump them).
    fn validate(&self, rules: Option<Check>) -> Result<(), DecodeError> {
        for &s in &self.tables {
            Table::parse(&self.msg(s)?)?;
        }
        for &s in &self.chains {
            Chain::parse(&self.msg(s)?)?;
        }
        if let Some(check) = rules {
            check_rules(&self.buf, &self.rules, check)?;
        }
        for &s in &self.sets {
            let set = Set::parse(&self.msg(s)?)?;
            for e in set.exprs.iter() {
                e?;
            }
        }
        for &s in &self.elems {
            for e in SetElems::parse(&self.msg(s)?)?.iter() {
                for x in e?.exprs.iter() {
                    x?;
                }
            }
        }
        for &s in &self.objs {
            Obj::parse(&self.msg(s)?)?;
        }
        for &s in &self.flowtables {
            let f = Flowtable::parse(&self.msg(s)?)?;
            for d in f.devs.iter() {
                d?;
            }
        }
        Ok(())
    }

    /// Builds a snapshot from captured reply messages (the bytes of
    /// [`Snapshot::bytes`], or any concatenation of nf_tables `NEW*`
    /// messages, each 4-byte aligned). Rules are grouped under their chains
    /// and elements under their sets by name.
    pub fn from_bytes(buf: Vec<u8>) -> Result<Snapshot, DecodeError> {
        let mut s = Snapshot {
            buf,
            ..Snapshot::default()
        };
        let mut rules = Vec::new();
        let mut elems = Vec::new();
        for m in MsgIter::new(&s.buf, 0) {
            let m = m?;
            let span = (m.offset() as u32, m.len() as u32);
            match m.nft_msg() {
                Some(NFT_MSG_NEWTABLE) => s.tables.push(span),
                Some(NFT_MSG_NEWCHAIN) => s.chains.push(span),
                Some(NFT_MSG_NEWRULE) => rules.push(span),
                Some(NFT_MSG_NEWSET) => s.sets.push(span),
                Some(NFT_MSG_NEWSETELEM) => elems.push(span),
                Some(NFT_MSG_NEWOBJ) => s.objs.push(span),
                Some(NFT_MSG_NEWFLOWTABLE) => s.flowtables.push(span),
                Some(NFT_MSG_NEWGEN) => s.generation = nflens_wire::Gen::parse(&m)?.id,
                _ => {}
            }
        }
        let mut chain_ix = HashMap::new();
        for (i, &span) in s.chains.iter().enumerate() {
            let c = Chain::parse(&s.msg(span)?)?;
            chain_ix.insert((c.family, c.table, c.name), i);
        }
        let mut by_chain = vec![Vec::new(); s.chains.len()];
        for span in rules {
            let r = Rule::parse(&s.msg(span)?)?;
            if let Some(&i) = chain_ix.get(&(r.family, r.table, r.chain)) {
                by_chain[i].push(span);
            }
        }
        let mut set_ix = HashMap::new();
        for (i, &span) in s.sets.iter().enumerate() {
            let x = Set::parse(&s.msg(span)?)?;
            set_ix.insert((x.family, x.table, x.name), i);
        }
        let mut by_set = vec![Vec::new(); s.sets.len()];
        for span in elems {
            let e = SetElems::parse(&s.msg(span)?)?;
            if let Some(&i) = set_ix.get(&(e.family, e.table, e.set)) {
                by_set[i].push(span);
            }
        }
        drop((chain_ix, set_ix));
        for v in by_chain {
            let start = s.rules.len() as u32;
            s.rules.extend(v);
            s.chain_rules.push(start..s.rules.len() as u32);
        }
        for v in by_set {
            let start = s.elems.len() as u32;
            s.elems.extend(v);
            s.set_elems.push(start..s.elems.len() as u32);
        }
        s.validate(Some(Check::All))?;
        Ok(s)
    }

    /// The generation the snapshot holds (`NFTA_GEN_ID`).
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// How the snapshot was read.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// All reply bytes as received (the messages, plus `NLMSG_DONE` trailers).
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The messages of the snapshot in order (tables, chains, sets, objects,
    /// flowtables, rules per chain, elements per set), concatenated: what
    /// [`Snapshot::from_bytes`] reads back.
    pub fn messages(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.buf.len());
        for spans in [
            &self.tables,
            &self.chains,
            &self.sets,
            &self.objs,
            &self.flowtables,
            &self.rules,
            &self.elems,
        ] {
            for &(start, len) in spans {
                if let Some(b) = self.buf.get(start as usize..(start + len) as usize) {
                    out.extend_from_slice(b);
                    while out.len() % 4 != 0 {
                        out.push(0);
                    }
                }
            }
        }
        out
    }

    fn iter<'a, T: 'a>(
        &'a self,
        spans: &'a [Span],
        parse: fn(&Msg<'a>) -> Result<T, DecodeError>,
    ) -> impl Iterator<Item = T> + 'a {
        spans
            .iter()
            .filter_map(move |&s| msg_at(&self.buf, s).and_then(|m| parse(&m).ok()))
    }

    /// Tables, in dump order.
    pub fn tables(&self) -> impl Iterator<Item = Table<'_>> {
        self.iter(&self.tables, Table::parse)
    }
    /// Chains, in dump order.
    pub fn chains(&self) -> impl Iterator<Item = Chain<'_>> {
        self.iter(&self.chains, Chain::parse)
    }
    /// Chains with their rules, in order.
    pub fn chains_with_rules(
        &self,
    ) -> impl Iterator<Item = (Chain<'_>, impl Iterator<Item = Rule<'_>>)> {
        self.grouped(
            &self.chains,
            &self.chain_rules,
            &self.rules,
            Chain::parse,
            Rule::parse,
        )
    }
    /// Every rule, chain by chain.
    pub fn rules(&self) -> impl Iterator<Item = Rule<'_>> {
        self.iter(&self.rules, Rule::parse)
    }
    /// The rule messages: (offset, length) in [`Snapshot::bytes`].
    #[doc(hidden)]
    pub fn rule_spans(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.rules.iter().map(|&(s, l)| (s as usize, l as usize))
    }

    /// The number of rules.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }
    /// Sets, in dump order.
    pub fn sets(&self) -> impl Iterator<Item = Set<'_>> {
        self.iter(&self.sets, Set::parse)
    }
    /// Sets with their element messages.
    pub fn sets_with_elems(
        &self,
    ) -> impl Iterator<Item = (Set<'_>, impl Iterator<Item = SetElems<'_>>)> {
        self.grouped(
            &self.sets,
            &self.set_elems,
            &self.elems,
            Set::parse,
            SetElems::parse,
        )
    }

    /// Each head (chain, set) with its members (rules, element messages).
    fn grouped<'a, H: 'a, M: 'a>(
        &'a self,
        heads: &'a [Span],
        ranges: &'a [Range<u32>],
        members: &'a [Span],
        head: fn(&Msg<'a>) -> Result<H, DecodeError>,
        member: fn(&Msg<'a>) -> Result<M, DecodeError>,
    ) -> impl Iterator<Item = (H, impl Iterator<Item = M> + 'a)> + 'a {
        heads.iter().zip(ranges).filter_map(move |(&h, r)| {
            let h = head(&msg_at(&self.buf, h)?).ok()?;
            let spans = members.get(r.start as usize..r.end as usize).unwrap_or(&[]);
            Some((h, self.iter(spans, member)))
        })
    }
    /// Stateful objects.
    pub fn objs(&self) -> impl Iterator<Item = Obj<'_>> {
        self.iter(&self.objs, Obj::parse)
    }
    /// Flowtables.
    pub fn flowtables(&self) -> impl Iterator<Item = Flowtable<'_>> {
        self.iter(&self.flowtables, Flowtable::parse)
    }

    /// Writes what `nft --debug=netlink list ruleset` prints for the
    /// elements and rules: per set `FAMILY TABLE @SET` and a tab-indented
    /// line per element, then per rule its header and expression lines
    /// followed by an empty line.
    pub fn write_debug(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        for (set, elems) in self.sets_with_elems() {
            writeln!(
                f,
                "{} {} @{}",
                nflens_wire::msg::family_name(set.family).unwrap_or("unknown"),
                set.table,
                set.name
            )?;
            for batch in elems {
                for e in batch.iter().flatten() {
                    f.write_str("\t")?;
                    e.write_debug(f)?;
                    f.write_str("\n")?;
                }
            }
        }
        for r in self.rules() {
            r.write_debug(f)?;
            f.write_str("\n")?;
        }
        Ok(())
    }
}

/// Chains with at least this many chains are dumped on two sockets.
const PARALLEL_CHAINS: usize = 512;

/// The rule dumps of some chains: their own buffer and indexes.
struct ChainDumps {
    buf: Vec<u8>,
    rules: Vec<Span>,
    chain_rules: Vec<Range<u32>>,
    dumps: u32,
    moved: bool,
    /// The first rule that did not decode (offset in `buf`).
    bad_rule: Option<DecodeError>,
}

type ChainKey = (u8, Vec<u8>, Vec<u8>);

impl ChainDumps {
    fn run(
        sock: &mut Socket,
        keys: &[ChainKey],
        gen: u32,
        check: Check,
    ) -> Result<Option<ChainDumps>, Error> {
        let (mut buf, mut rules, mut chain_rules) = (Vec::new(), Vec::new(), Vec::new());
        let r = Self::run_into(
            sock,
            keys,
            gen,
            check,
            &mut buf,
            &mut rules,
            &mut chain_rules,
        )?;
        Ok(r.map(|r| ChainDumps {
            buf,
            rules,
            chain_rules,
            ..r
        }))
    }

    /// Dumps the rules of `keys` into the given buffer and indexes, checking
    /// each chain's rules as `check` says once they are in; the returned
    /// value carries only the counters and the first bad rule (its own
    /// vectors are empty).
    fn run_into(
        sock: &mut Socket,
        keys: &[ChainKey],
        gen: u32,
        check: Check,
        buf: &mut Vec<u8>,
        rules: &mut Vec<Span>,
        chain_rules: &mut Vec<Range<u32>>,
    ) -> Result<Option<ChainDumps>, Error> {
        let mut out = ChainDumps {
            buf: Vec::new(),
            rules: Vec::new(),
            chain_rules: Vec::new(),
            dumps: 0,
            moved: false,
            bad_rule: None,
        };
        for (family, table, chain) in keys {
            let start = rules.len() as u32;
            let attrs = [(NFTA_RULE_TABLE, &table[..]), (NFTA_RULE_CHAIN, &chain[..])];
            out.dumps += 1;
            match sock.dump(NFT_MSG_GETRULE, *family, &attrs, buf, rules)? {
                Some(DumpInfo {
                    interrupted,
                    res_id,
                    ..
                }) => {
                    out.moved |= interrupted || res_id.is_some_and(|r| r != gen as u16);
                }
                None => return Ok(None),
            }
            let new = rules.get(start as usize..).unwrap_or(&[]);
            if out.bad_rule.is_none() {
                out.bad_rule = check_rules(buf, new, check).err();
            }
            chain_rules.push(start..rules.len() as u32);
        }
        Ok(Some(out))
    }
}

impl ChainDumps {
    /// Its chains as one batch, the first being chain `first_chain` of the
    /// snapshot.
    fn batch(&self, first_chain: usize) -> RuleBatch<'_> {
        RuleBatch {
            buf: &self.buf,
            rules: &self.rules,
            chain_rules: &self.chain_rules,
            first_chain,
        }
    }
}

/// Work done on the rules while a snapshot is read
/// ([`Snapshot::read_working`]), on several threads at once.
pub trait RuleWork: Sync {
    /// What the work on one batch gives.
    type Out: Send;
    /// Called once per attempt, before any rule is dumped, with the
    /// snapshot so far: its tables, chains, sets with their elements,
    /// objects and flowtables (no rules yet).
    fn prepare(&mut self, snap: &Snapshot);
    /// Works on one batch of chains with their rules.
    fn batch(&self, batch: RuleBatch<'_>) -> Self::Out;
}

/// No work: a plain read.
struct NoWork;

impl RuleWork for NoWork {
    type Out = ();
    fn prepare(&mut self, _: &Snapshot) {}
    fn batch(&self, _: RuleBatch<'_>) {}
}

/// A run of consecutive chains with their rules, handed to
/// [`RuleWork::batch`].
#[derive(Debug, Clone, Copy)]
pub struct RuleBatch<'s> {
    buf: &'s [u8],
    /// Rule spans in `buf`, which `chain_rules` indexes.
    rules: &'s [Span],
    chain_rules: &'s [Range<u32>],
    first_chain: usize,
}

impl<'s> RuleBatch<'s> {
    /// Where the batch's first chain is in [`Snapshot::chains`].
    pub fn first_chain(&self) -> usize {
        self.first_chain
    }
    /// How many chains the batch holds.
    pub fn len(&self) -> usize {
        self.chain_rules.len()
    }
    /// Whether the batch holds no chain.
    pub fn is_empty(&self) -> bool {
        self.chain_rules.is_empty()
    }
    /// Each chain's rules, in order, as [`Snapshot::chains_with_rules`]
    /// gives them (the upper bound of each iterator's size is its length).
    pub fn chains(&self) -> impl Iterator<Item = impl Iterator<Item = Rule<'s>> + 's> + 's {
        let (buf, rules) = (self.buf, self.rules);
        self.chain_rules.iter().map(move |r| {
            let spans = rules.get(r.start as usize..r.end as usize).unwrap_or(&[]);
            spans
                .iter()
                .filter_map(move |&s| msg_at(buf, s).and_then(|m| Rule::parse(&m).ok()))
        })
    }
    /// Chains `at` of this batch, as a batch.
    fn sub(&self, at: Range<usize>) -> RuleBatch<'s> {
        RuleBatch {
            first_chain: self.first_chain + at.start,
            chain_rules: self.chain_rules.get(at).unwrap_or(&[]),
            ..*self
        }
    }
}

/// About this many rules make one batch of work: small enough that the
/// threads finish together, large enough that handing them out costs
/// nothing to speak of.
const BATCH_RULES: u32 = 1024;

/// One dump thread's chains, cut into batches that any thread takes.
struct Part<'s> {
    whole: RuleBatch<'s>,
    /// Where each batch starts, in chains of `whole`, and its end.
    cuts: Vec<usize>,
    next: AtomicUsize,
}

impl<'s> Part<'s> {
    fn new(whole: RuleBatch<'s>) -> Self {
        let mut cuts = vec![0];
        let mut filled = 0;
        for (i, r) in whole.chain_rules.iter().enumerate() {
            if filled >= BATCH_RULES {
                cuts.push(i);
                filled = 0;
            }
            filled += r.end.saturating_sub(r.start);
        }
        cuts.push(whole.chain_rules.len());
        Part {
            whole,
            cuts,
            next: AtomicUsize::new(0),
        }
    }
}

/// Where the dump threads put their parts and the workers their outputs.
struct Board<'s, W: RuleWork> {
    work: &'s W,
    /// The main thread's part (first chains), then the helper's; `None`
    /// when a thread has none (no chains, a failed dump, a bad rule).
    parts: [OnceLock<Option<Part<'s>>>; 2],
    published: Mutex<()>,
    ready: Condvar,
    /// (part, batch, output).
    outs: Mutex<Vec<(usize, usize, W::Out)>>,
}

impl<'s, W: RuleWork> Board<'s, W> {
    fn new(work: &'s W) -> Self {
        Board {
            work,
            parts: [OnceLock::new(), OnceLock::new()],
            published: Mutex::new(()),
            ready: Condvar::new(),
            outs: Mutex::new(Vec::new()),
        }
    }

    /// Puts part `i` up (the first time only) and wakes the waiting.
    fn publish(&self, i: usize, part: Option<RuleBatch<'s>>) {
        if let Some(slot) = self.parts.get(i) {
            let _ = slot.set(part.map(Part::new));
        }
        let _held = self.published.lock().unwrap_or_else(|p| p.into_inner());
        self.ready.notify_all();
    }

    /// Publishes part `i` and, if there is one (a read that will fail
    /// needs no work), works on it and then on the other.
    fn share(&self, i: usize, part: Option<RuleBatch<'s>>) {
        let some = part.is_some();
        self.publish(i, part);
        if some {
            self.work_from(i);
        }
    }

    /// A guard that publishes no part `i` when dropped, if none was.
    fn publish_on_drop(&self, i: usize) -> NoPart<'_, 's, W> {
        NoPart(self, i)
    }

    /// Part `i` once its thread has published it.
    fn wait(&self, i: usize) -> Option<&Part<'s>> {
        let slot = self.parts.get(i)?;
        let mut held = self.published.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(part) = slot.get() {
                return part.as_ref();
            }
            held = self.ready.wait(held).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Works on batches of part `first`, then of the other part, until
    /// none is left.
    fn work_from(&self, first: usize) {
        for i in [first, first ^ 1] {
            let Some(part) = self.wait(i) else {
                continue;
            };
            loop {
                let b = part.next.fetch_add(1, Ordering::Relaxed);
                let (Some(&start), Some(&end)) = (part.cuts.get(b), part.cuts.get(b + 1)) else {
                    break;
                };
                let out = self.work.batch(part.whole.sub(start..end));
                self.outs
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((i, b, out));
            }
        }
    }

    /// The outputs in chain order.
    fn into_outs(self) -> Vec<W::Out> {
        let mut outs = self.outs.into_inner().unwrap_or_else(|p| p.into_inner());
        outs.sort_unstable_by_key(|&(part, batch, _)| (part, batch));
        outs.into_iter().map(|(_, _, out)| out).collect()
    }
}

/// Publishes no part for its thread when dropped (by a return or a panic)
/// if the thread did not publish one.
struct NoPart<'b, 's, W: RuleWork>(&'b Board<'s, W>, usize);

impl<W: RuleWork> Drop for NoPart<'_, '_, W> {
    fn drop(&mut self) {
        self.0.publish(self.1, None);
    }
}

/// Decodes the rule messages at `spans` of `buf` as `check` says.
fn check_rules(buf: &[u8], spans: &[Span], check: Check) -> Result<(), DecodeError> {
    if check == Check::Nothing {
        return Ok(());
    }
    for &(start, _) in spans {
        let b = buf.get(start as usize..).unwrap_or(&[]);
        let one = || -> Result<(), DecodeError> {
            let r = Rule::parse(&Msg::new_checked(b)?)?;
            if check == Check::All {
                for e in r.exprs.iter() {
                    check_expr(&e?)?;
                }
            }
            Ok(())
        };
        // Offsets in the message, made offsets in `buf`.
        one().map_err(|e| e.shifted(start as usize))?;
    }
    Ok(())
}

fn check_expr(e: &nflens_wire::Expr<'_>) -> Result<(), DecodeError> {
    use nflens_wire::Expr;
    match e {
        Expr::Dynset(d) => d.exprs.iter().try_for_each(|x| check_expr(&x?)),
        Expr::Inner(i) => i.expr.iter().try_for_each(|x| check_expr(&x?)),
        _ => Ok(()),
    }
}

fn with_netns(e: Error, ns: &Netns<'_>) -> Error {
    match e {
        Error::PermissionDenied { .. } => Error::PermissionDenied {
            netns: ns.describe(),
        },
        e => e,
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Snapshot {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Seq<I>(std::cell::RefCell<Option<I>>);
        impl<I: Iterator<Item = T>, T: serde::Serialize> serde::Serialize for Seq<I> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.borrow_mut().take().into_iter().flatten())
            }
        }
        fn seq<I>(i: I) -> Seq<I> {
            Seq(std::cell::RefCell::new(Some(i)))
        }
        #[derive(serde::Serialize)]
        struct SetOut<'a> {
            #[serde(flatten)]
            set: Set<'a>,
            elements: Vec<nflens_wire::Elem<'a>>,
        }
        let mut st = s.serialize_struct("Snapshot", 7)?;
        st.serialize_field("generation", &self.generation)?;
        st.serialize_field("tables", &seq(self.tables()))?;
        st.serialize_field("chains", &seq(self.chains()))?;
        st.serialize_field("rules", &seq(self.rules()))?;
        st.serialize_field(
            "sets",
            &seq(self.sets_with_elems().map(|(set, elems)| SetOut {
                set,
                elements: elems
                    .flat_map(|b| b.iter().flatten().collect::<Vec<_>>())
                    .collect(),
            })),
        )?;
        st.serialize_field("objects", &seq(self.objs()))?;
        st.serialize_field("flowtables", &seq(self.flowtables()))?;
        st.end()
    }
}
