//! Rendering the model as text: [`nft`] syntax as `nft list ruleset` prints
//! it, and [`iptables`]-save syntax as `iptables-nft-save` prints it.
//!
//! Both print the canonical spelling of the meaning (the model keeps no
//! spelling). A rule that has no spelling in the target syntax is never
//! guessed at: it appears as a `#` comment line with the reason, and in
//! [`Output::unrepresentable`].
//!
//! ```
//! use nflens_model::{lower, render, Family};
//! let dump = nflens_xtables::parse(
//!     "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -m state --state NEW -j ACCEPT\nCOMMIT\n",
//! ).unwrap();
//! let rs = lower::from_xtables(&dump, None).unwrap();
//! let ipt = render::iptables::ruleset(&rs, Family::Ipv4, Default::default());
//! assert!(ipt.text.contains("-A INPUT -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT\n"));
//! let nft = render::nft::ruleset(&rs, Default::default());
//! assert!(nft.text.contains("\t\ttcp dport 22 ct state new accept\n"));
//! assert!(nft.unrepresentable.is_empty());
//! ```

mod field;
pub mod iptables;
pub mod nft;

use crate::types::Origin;

/// A rule (or table) that has no spelling in the chosen syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrepresentable {
    /// Table.
    pub table: Box<str>,
    /// Chain (empty for a whole table).
    pub chain: Box<str>,
    /// Index of the rule in its chain (0-based); `None` for a whole table.
    pub index: Option<usize>,
    /// Where the rule came from.
    pub origin: Option<Origin>,
    /// Why.
    pub reason: Box<str>,
}

/// Rendered text and what could not be written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    /// The text.
    pub text: String,
    /// Rules and tables left out, with the reason.
    pub unrepresentable: Vec<Unrepresentable>,
}

/// Expressions on one line, cut at 200 characters (a reason, not a dump).
fn one_line(exprs: &str) -> String {
    let mut s = exprs.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    if let Some((i, _)) = s.char_indices().nth(200) {
        s.truncate(i);
        s.push_str(" ...");
    }
    s
}

/// A port range as both syntaxes print a NAT port range: `N` or `A-B`.
fn ports_text(p: (u16, u16)) -> String {
    if p.0 == p.1 {
        p.0.to_string()
    } else {
        format!("{}-{}", p.0, p.1)
    }
}

/// `! ` before a negated option or bit test, in both syntaxes.
fn neg(negated: bool) -> &'static str {
    if negated {
        "! "
    } else {
        ""
    }
}
