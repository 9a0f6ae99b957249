//! Semantic comparison of two rulesets: which rules are on one side only,
//! which differ, and which moved.
//!
//! Rules are compared with [`Rule::same_meaning`], so spelling, option order,
//! the module that wrote a match (xt blob or native expressions) and counters
//! do not count; with [`Options::counters`] counter values do (of rules, and
//! of named counter and quota objects).

use crate::*;

/// What to compare.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Also compare counter values: rules', named counters' and what
    /// named quotas used.
    pub counters: bool,
}

/// Where a difference is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The table's family.
    pub family: Family,
    /// Table.
    pub table: Box<str>,
    /// Chain, when the difference is in one.
    pub chain: Option<Box<str>>,
}

/// One difference between side A and side B.
#[derive(Debug, Clone, PartialEq)]
pub enum Difference {
    /// A table only one side has (`in_a` tells which).
    Table {
        /// Where.
        place: Place,
        /// It is on side A (else on side B).
        in_a: bool,
    },
    /// A chain only one side has.
    Chain {
        /// Where.
        place: Place,
        /// It is on side A.
        in_a: bool,
    },
    /// A named set or map only one side has (one of `a`, `b`), or one
    /// whose declaration or elements differ (both).
    Set {
        /// The table.
        place: Place,
        /// The set's name.
        name: Box<str>,
        /// Side A's set.
        a: Option<Box<NamedSet>>,
        /// Side B's set.
        b: Option<Box<NamedSet>>,
    },
    /// A named stateful object only one side has (one of `a`, `b`), or
    /// one whose settings differ (both): objects are told apart by name
    /// and type, as nft does (a counter and a quota may share a name).
    Object {
        /// The table.
        place: Place,
        /// The object's name.
        name: Box<str>,
        /// Side A's object.
        a: Option<Box<NamedObject>>,
        /// Side B's object.
        b: Option<Box<NamedObject>>,
    },
    /// The chains' hooks or policies differ.
    Policy {
        /// Where.
        place: Place,
        /// Side A's policy.
        a: Option<Policy>,
        /// Side B's policy.
        b: Option<Policy>,
    },
    /// A rule only one side has: its position (0-based) and the rule.
    Rule {
        /// Where.
        place: Place,
        /// It is on side A.
        in_a: bool,
        /// Position in its chain.
        index: usize,
        /// The rule.
        rule: Box<Rule>,
    },
    /// Rules at the same place that mean different things.
    Changed {
        /// Where.
        place: Place,
        /// Side A's position and rule.
        a: (usize, Box<Rule>),
        /// Side B's position and rule.
        b: (usize, Box<Rule>),
    },
    /// The same rule at another place in the order.
    Moved {
        /// Where.
        place: Place,
        /// Position on side A.
        a: usize,
        /// Position on side B.
        b: usize,
        /// The rule (side A's).
        rule: Box<Rule>,
    },
}

fn same(a: &Rule, b: &Rule, o: Options) -> bool {
    a.same_meaning(b) && (!o.counters || values(a.counters) == values(b.counters))
}

/// Compares two rulesets. When exactly one side was read from iptables text
/// (which holds one family), the other side's tables of other families are
/// left out.
pub fn diff(a: &Ruleset, b: &Ruleset, o: Options) -> Vec<Difference> {
    let keep = |r: &Ruleset, other: &Ruleset, t: &Table| {
        other.backend != Backend::XtablesText
            || r.backend == Backend::XtablesText
            || t.family == other.family
    };
    let ta: Vec<&Table> = a.tables.iter().filter(|t| keep(a, b, t)).collect();
    let tb: Vec<&Table> = b.tables.iter().filter(|t| keep(b, a, t)).collect();
    let mut out = Vec::new();
    let key = |t: &Table| (t.family, t.name.clone());
    for t in &ta {
        match tb.iter().find(|x| key(x) == key(t)) {
            Some(u) => tables(t, u, o, &mut out),
            None => out.push(Difference::Table {
                place: place(t, None),
                in_a: true,
            }),
        }
    }
    for t in &tb {
        if !ta.iter().any(|x| key(x) == key(t)) {
            out.push(Difference::Table {
                place: place(t, None),
                in_a: false,
            });
        }
    }
    out
}

fn place(t: &Table, chain: Option<&str>) -> Place {
    Place {
        family: t.family,
        table: t.name.clone(),
        chain: chain.map(Box::from),
    }
}

fn tables(a: &Table, b: &Table, o: Options, out: &mut Vec<Difference>) {
    for s in &a.sets {
        let other = b.sets.iter().find(|x| x.name == s.name);
        if !other.is_some_and(|x| x.same_meaning(s)) {
            out.push(Difference::Set {
                place: place(a, None),
                name: s.name.clone(),
                a: Some(Box::new(s.clone())),
                b: other.map(|x| Box::new(x.clone())),
            });
        }
    }
    for s in b
        .sets
        .iter()
        .filter(|s| !a.sets.iter().any(|x| x.name == s.name))
    {
        out.push(Difference::Set {
            place: place(b, None),
            name: s.name.clone(),
            a: None,
            b: Some(Box::new(s.clone())),
        });
    }
    let id = |x: &NamedObject| (x.name.clone(), x.kind.type_number());
    for ob in &a.objects {
        let other = b.objects.iter().find(|x| id(x) == id(ob));
        if !other.is_some_and(|x| x.same_meaning(ob, o.counters)) {
            out.push(Difference::Object {
                place: place(a, None),
                name: ob.name.clone(),
                a: Some(Box::new(ob.clone())),
                b: other.map(|x| Box::new(x.clone())),
            });
        }
    }
    for ob in b
        .objects
        .iter()
        .filter(|x| !a.objects.iter().any(|y| id(y) == id(x)))
    {
        out.push(Difference::Object {
            place: place(b, None),
            name: ob.name.clone(),
            a: None,
            b: Some(Box::new(ob.clone())),
        });
    }
    for c in &a.chains {
        let p = place(a, Some(&c.name));
        match b.chains.iter().find(|x| x.name == c.name) {
            None => out.push(Difference::Chain {
                place: p,
                in_a: true,
            }),
            Some(d) => {
                if c.policy != d.policy {
                    out.push(Difference::Policy {
                        place: p.clone(),
                        a: c.policy,
                        b: d.policy,
                    });
                }
                rules(&p, &c.rules, &d.rules, o, out);
            }
        }
    }
    for d in &b.chains {
        if !a.chains.iter().any(|x| x.name == d.name) {
            out.push(Difference::Chain {
                place: place(b, Some(&d.name)),
                in_a: false,
            });
        }
    }
}

/// Pairs equal rules (each B rule used once), keeps the longest run of pairs
/// in the same order as anchors, reports other pairs as moved, and between
/// anchors pairs leftover rules as changed, the rest as one side only.
fn rules(p: &Place, ra: &[Rule], rb: &[Rule], o: Options, out: &mut Vec<Difference>) {
    let mut used = vec![false; rb.len()];
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for (i, r) in ra.iter().enumerate() {
        // Prefer the same position, then the first unused equal rule.
        let j = (rb.get(i).is_some_and(|x| !used[i] && same(r, x, o)))
            .then_some(i)
            .or_else(|| (0..rb.len()).find(|&j| !used[j] && same(r, &rb[j], o)));
        if let Some(j) = j {
            used[j] = true;
            pairs.push((i, j));
        }
    }
    let anchors = longest_increasing(&pairs);
    let mut is_anchor = vec![false; pairs.len()];
    for &k in &anchors {
        is_anchor[k] = true;
    }
    for (k, &(i, j)) in pairs.iter().enumerate() {
        if !is_anchor[k] {
            out.push(Difference::Moved {
                place: p.clone(),
                a: i,
                b: j,
                rule: Box::new(ra[i].clone()),
            });
        }
    }
    let mut paired_a = vec![false; ra.len()];
    let mut paired_b = vec![false; rb.len()];
    for &(i, j) in &pairs {
        paired_a[i] = true;
        paired_b[j] = true;
    }
    // Walk the gaps between anchors.
    let mut bounds: Vec<(usize, usize)> = anchors.iter().map(|&k| pairs[k]).collect();
    bounds.push((ra.len(), rb.len()));
    let (mut ia, mut ib) = (0, 0);
    for (ea, eb) in bounds {
        let la: Vec<usize> = (ia..ea).filter(|&i| !paired_a[i]).collect();
        let lb: Vec<usize> = (ib..eb).filter(|&j| !paired_b[j]).collect();
        for k in 0..la.len().max(lb.len()) {
            match (la.get(k), lb.get(k)) {
                (Some(&i), Some(&j)) => out.push(Difference::Changed {
                    place: p.clone(),
                    a: (i, Box::new(ra[i].clone())),
                    b: (j, Box::new(rb[j].clone())),
                }),
                (Some(&i), None) => out.push(Difference::Rule {
                    place: p.clone(),
                    in_a: true,
                    index: i,
                    rule: Box::new(ra[i].clone()),
                }),
                (None, Some(&j)) => out.push(Difference::Rule {
                    place: p.clone(),
                    in_a: false,
                    index: j,
                    rule: Box::new(rb[j].clone()),
                }),
                (None, None) => {}
            }
        }
        ia = ea + 1;
        ib = eb + 1;
    }
}

/// Indices into `pairs` (sorted by A position) of a longest run whose B
/// positions increase: the rules that kept their order.
fn longest_increasing(pairs: &[(usize, usize)]) -> Vec<usize> {
    // Patience sorting, O(n log n).
    let mut tails: Vec<usize> = Vec::new();
    let mut prev: Vec<Option<usize>> = vec![None; pairs.len()];
    for (k, &(_, j)) in pairs.iter().enumerate() {
        let pos = tails.partition_point(|&t| pairs[t].1 < j);
        prev[k] = pos.checked_sub(1).map(|p| tails[p]);
        if pos == tails.len() {
            tails.push(k);
        } else {
            tails[pos] = k;
        }
    }
    let mut out = Vec::with_capacity(tails.len());
    let mut cur = tails.last().copied();
    while let Some(k) = cur {
        out.push(k);
        cur = prev[k];
    }
    out.reverse();
    out
}

/// A rule's counter values, without where nft counts.
fn values(c: Option<Counters>) -> Option<(u64, u64)> {
    c.map(|c| (c.packets, c.bytes))
}
