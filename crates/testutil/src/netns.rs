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

/// A throwaway network namespace kept alive while the value lives, so that
/// a test can read it through `/proc/PID/ns/net` with the library itself.
///
/// It is held by `sh` waiting on its standard input: dropping the value
/// (also while unwinding from a failed assertion) or the test process dying
/// closes that pipe, the shell exits and the namespace is gone.
#[derive(Debug)]
pub struct Held {
    child: std::process::Child,
    pid: u32,
    setup_stdout: String,
}

impl Held {
    /// Makes a namespace and runs `setup` in it with `sh -e`. Returns the
    /// setup's output as the error if it fails.
    pub fn new(setup: &str) -> Result<Held, Run> {
        use std::io::{BufRead, BufReader, Read};
        let script = format!("{setup}\necho nflens-held-ready\nexec cat >/dev/null");
        let mut child = Command::new("unshare")
            .args(["--net", "--", "sh", "-ec", &script])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn unshare");
        let pid = child.id();
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let mut stdout = String::new();
        let mut line = String::new();
        loop {
            line.clear();
            if out.read_line(&mut line).unwrap_or(0) == 0 {
                let mut stderr = String::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = e.read_to_string(&mut stderr);
                }
                let code = child.wait().ok().and_then(|s| s.code()).unwrap_or(-1);
                return Err(Run {
                    code,
                    stdout,
                    stderr,
                });
            }
            if line.trim_end() == "nflens-held-ready" {
                break;
            }
            stdout.push_str(&line);
        }
        Ok(Held {
            child,
            pid,
            setup_stdout: stdout,
        })
    }

    /// What the setup script printed on standard output.
    pub fn setup_output(&self) -> &str {
        &self.setup_stdout
    }

    /// `/proc/PID/ns/net` of the namespace.
    pub fn path(&self) -> std::path::PathBuf {
        format!("/proc/{}/ns/net", self.pid).into()
    }

    /// Runs `script` with `sh -e` inside the namespace (`nsenter`).
    pub fn run(&self, script: &str) -> Run {
        let out = Command::new("nsenter")
            .arg(format!("--net={}", self.path().display()))
            .args(["--", "sh", "-ec", script])
            .stdin(Stdio::null())
            .output()
            .expect("spawn nsenter");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
