//! Throwaway network namespaces for tests that talk to the kernel.
//!
//! Each call runs its commands under `unshare --net`: a new, empty network
//! namespace that exists only as long as that process, so it is gone when the
//! commands end, whether they succeed, fail or are killed. Nothing here ever
//! touches the host's own namespace.

use std::io::Write;
use std::process::{Command, Stdio};

/// Whether throwaway namespaces can be made here. When not: panics if
/// `NFLENS_KERNEL_TESTS=required`, else prints a visible skip message.
pub fn available(test: &str, tools: &[&str]) -> bool {
    let ok = Command::new("unshare")
        .args(["--net", "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|t| {
            !Command::new("sh")
                .args(["-c", &format!("command -v {t}")])
                .stdout(Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false)
        })
        .collect();
    if ok && missing.is_empty() {
        return true;
    }
    let why = if ok {
        format!("missing tools: {}", missing.join(", "))
    } else {
        "cannot create a network namespace (`unshare --net` failed; need root or CAP_SYS_ADMIN)"
            .to_owned()
    };
    if crate::corpus::required("NFLENS_KERNEL_TESTS") {
        panic!("kernel test {test}: {why}, and NFLENS_KERNEL_TESTS=required");
    }
    eprintln!("SKIPPED: kernel test {test}: {why}");
    false
}

/// The result of a script run in a throwaway namespace.
#[derive(Debug)]
pub struct Run {
    /// Exit status code (-1 if killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `script` with `sh -e` in a new network namespace, `stdin` on its
/// standard input. The namespace dies with the process.
pub fn run(script: &str, stdin: &[u8]) -> Run {
    let mut child = Command::new("unshare")
        .args(["--net", "--", "sh", "-ec", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn unshare");
    if let Some(mut i) = child.stdin.take() {
        // A script that does not read its input closes the pipe early.
        let _ = i.write_all(stdin);
    }
    let out = child.wait_with_output().expect("wait for unshare");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
