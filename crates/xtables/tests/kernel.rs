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
    inputs.push(("kube-proxy 1000 services (generated)".into(), kube::generate(1000, 7).0));
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
        assert!(saved.contains("COMMIT"), "{name}: {tool}-save printed no table:\n{saved}");
        let dump = nflens_xtables::parse(&saved)
            .unwrap_or_else(|e| panic!("{name}: parsing {tool}-save output: {}\n{e}", e.short()));
        assert_eq!(dump.to_string(), saved, "{name}: {tool}-save output does not round-trip");
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
