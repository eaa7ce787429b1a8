//! The worker binary as an operator runs it: it starts, reports ready, and exits cleanly on
//! SIGTERM; it refuses to start when Redis does not answer.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    sync::mpsc,
    time::Duration,
};

/// The worker binary with its own queue prefix, database name and media directory: with the
/// defaults it would take the jobs of a development setup on this machine and run its sweep
/// against that database.
fn worker(isolated: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_spacecloud-worker"));
    command
        .env("APP_ENV", "test")
        .env("QUEUE_PREFIX", isolated)
        .env(
            "DATABASE_URL",
            format!("mysql://root@127.0.0.1:3306/{isolated}"),
        )
        .env("MEDIA_DIR", std::env::temp_dir().join(isolated))
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// A name no other run uses; the worker's registrations under it are removed when dropped.
struct Isolated(String);

impl Isolated {
    fn new() -> Self {
        Self(spacecloud_testkit::unique_name("wproc"))
    }
}

impl Drop for Isolated {
    fn drop(&mut self) {
        let prefix = self.0.clone();
        spacecloud_testkit::block_on_cleanup(async move {
            spacecloud_testkit::forget_redis_keys(&prefix).await;
        });
    }
}

#[test]
fn starts_and_stops_cleanly_on_sigterm() {
    let isolated = Isolated::new();
    let mut child = worker(&isolated.0).spawn().expect("spawning the worker");
    let stdout = child.stdout.take().unwrap();
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let ready = std::iter::from_fn(|| received.recv_timeout(Duration::from_secs(30)).ok())
        .any(|line| line.contains("worker ready"));
    assert!(ready, "the worker never reported ready");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(exit) = child.try_wait().unwrap() {
            assert!(exit.success(), "worker exited with {exit}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "worker ignored SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn refuses_to_start_without_redis() {
    let output = worker(&Isolated::new().0)
        .env("REDIS_URL", "redis://127.0.0.1:1")
        .output()
        .expect("running the worker");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Redis"), "{stderr}");
}
