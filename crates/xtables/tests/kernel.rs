//! Real kernel: load dumps into a throwaway network namespace with
//! `iptables-{legacy,nft}-restore`, read them back with the matching
//! `-save`, and parse + round-trip what the kernel's tools print.

use nflens_testutil::{corpus, kube, netns};

/// Loads `text` with `<tool>-restore` and returns what `<tool>-save` prints,
/// or the restore's error.
fn load_and_save(tool: &str, text: &str) -> Result<String, String> {
    let run = netns::run(&format!("{tool}-restore; {tool}-save"), text.as_bytes());
    if run.code != 0 {
        return Err(run.stderr.trim().to_owned());
    }
    Ok(run.stdout)
}

fn check_backend(backend: &str) {
    let test = format!("kernel_round_trip_{backend}");
    let tools = [
        format!("iptables-{backend}-restore"),
        format!("ip6tables-{backend}-restore"),
    ];
    if !netns::available(&test, &[&tools[0], &tools[1]]) {
        return;
    }
    let mut inputs: Vec<(String, String)> = Vec::new();
    inputs.push((
        "kube-proxy 1000 services (generated)".into(),
        kube::generate(1000, 7).0,
    ));
    if let Some(dir) = corpus::dir(&test) {
        for e in std::fs::read_dir(dir.join("dumps/canonical-iptables-1.8.9-nft")).expect("dir") {
            let p = e.expect("entry").path();
            inputs.push((
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).expect("read"),
            ));
        }
    }
    let mut loaded = 0;
    let mut refused = Vec::new();
    for (name, text) in &inputs {
        let tool = if name.contains("ip6tables") {
            format!("ip6tables-{backend}")
        } else {
            format!("iptables-{backend}")
        };
        let saved = match load_and_save(&tool, text) {
            Ok(s) => s,
            Err(e) => {
                // The kernel or the tool refused the input (a match this
                // kernel lacks): not ours to parse, but listed.
                refused.push(format!("{name}: {e}"));
                continue;
            }
        };
        assert!(
            saved.contains("COMMIT"),
            "{name}: {tool}-save printed no table:\n{saved}"
        );
        let dump = nflens_xtables::parse(&saved)
            .unwrap_or_else(|e| panic!("{name}: parsing {tool}-save output: {}\n{e}", e.short()));
        assert_eq!(
            dump.to_string(),
            saved,
            "{name}: {tool}-save output does not round-trip"
        );
        loaded += 1;
    }
    eprintln!(
        "kernel {backend}: {loaded}/{} inputs loaded, read back, parsed and round-tripped; refused by the tools: {:?}",
        inputs.len(),
        refused
    );
    // The generated kube-proxy ruleset uses only core matches: it must load.
    assert!(
        !refused.iter().any(|r| r.starts_with("kube-proxy")),
        "the kube-proxy ruleset was refused: {refused:?}"
    );
    assert!(loaded >= 1);
}

#[test]
fn kernel_round_trip_legacy() {
    check_backend("legacy");
}

#[test]
fn kernel_round_trip_nft() {
    check_backend("nft");
}

/// `testdata/xtables/kernel-probe.rules`: each rule is added on its own
/// (its own chain, `--noflush`) with the real tool, the tool's `-save`
/// output must round-trip, and the line it prints for each rule must be
/// exactly what nflens prints for the input rule: the tool is the oracle for
/// canonical form.
fn probe_backend(backend: &str) {
    let tool = format!("iptables-{backend}");
    if !netns::available(
        &format!("kernel_probe_{backend}"),
        &[&format!("{tool}-restore")],
    ) {
        return;
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/xtables/kernel-probe.rules");
    let text = std::fs::read_to_string(path).expect("kernel-probe.rules");
    let dir = std::env::temp_dir().join(format!("nflens-probe-{backend}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let mut ours = Vec::new();
    for (i, line) in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .enumerate()
    {
        let (table, rule) = line.split_once('\t').expect("TABLE<TAB>rule");
        let chain = format!("PROBE{i:03}");
        let cmd = format!("-A {chain} {rule}");
        let canonical = nflens_xtables::parse_command(&cmd)
            .unwrap_or_else(|e| panic!("probe rule {i} does not parse: {e}"))
            .to_string();
        ours.push((chain.clone(), canonical));
        std::fs::write(
            dir.join(format!("{i:03}.rules")),
            format!("*{table}\n:{chain} - [0:0]\n{cmd}\nCOMMIT\n"),
        )
        .expect("write probe");
    }
    let script = format!(
        "for f in {dir}/*.rules; do {tool}-restore --noflush < $f 2>/dev/null || echo \"$f\" >&2; done; {tool}-save",
        dir = dir.display()
    );
    let run = netns::run(&script, b"");
    std::fs::remove_dir_all(&dir).expect("remove tmp dir");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let dump = nflens_xtables::parse(&run.stdout)
        .unwrap_or_else(|e| panic!("{tool}-save output: {}\n{e}", e.short()));
    let printed = dump.to_string();
    if printed != run.stdout {
        let (ours, theirs) = printed
            .lines()
            .zip(run.stdout.lines())
            .find(|(a, b)| a != b)
            .unwrap_or(("<length differs>", ""));
        panic!("{tool}-save output does not round-trip:\n  tool:   {theirs}\n  nflens: {ours}");
    }
    let (mut same, mut refused, mut differ) = (0, Vec::new(), Vec::new());
    for (chain, canonical) in &ours {
        let prefix = format!("-A {chain} ");
        match run.stdout.lines().find(|l| l.starts_with(&prefix)) {
            None => refused.push(canonical.clone()),
            Some(l) if l == canonical => same += 1,
            Some(l) => differ.push(format!("  tool:   {l}\n  nflens: {canonical}")),
        }
    }
    eprintln!(
        "kernel probe {backend}: {same}/{} rules print exactly as {tool}-save prints them; {} refused by this kernel/tool: {:?}",
        ours.len(),
        refused.len(),
        refused
    );
    assert!(
        differ.is_empty(),
        "{} rules print differently from {tool}-save:\n{}",
        differ.len(),
        differ.join("\n")
    );
    assert!(
        same * 10 >= ours.len() * 8,
        "fewer than 80% of the probe rules were accepted"
    );
}

#[test]
fn kernel_probe_legacy() {
    probe_backend("legacy");
}

#[test]
fn kernel_probe_nft() {
    probe_backend("nft");
}
