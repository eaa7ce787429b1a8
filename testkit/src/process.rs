//! Child processes of the workspace's binaries, killed when the test lets go of them.

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command},
};

/// A running binary; dropping it kills and reaps it.
pub struct ChildProcess(pub Child);

impl ChildProcess {
    pub fn spawn(command: &mut Command) -> Self {
        Self(command.spawn().expect("starting a binary of the workspace"))
    }

    /// Sends SIGKILL now, as a crash would.
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }

    pub fn id(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for ChildProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A TCP port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

/// The path of a binary of this workspace in the target directory the tests run from
/// (built by `cargo test` along with the tests that need it).
pub fn workspace_binary(name: &str) -> PathBuf {
    let test_binary = std::env::current_exe().expect("the test binary's path");
    // target/<profile>/deps/<test binary>
    let profile_dir = test_binary
        .parent()
        .and_then(|deps| deps.parent())
        .expect("a target directory");
    profile_dir.join(name)
}

/// A `redis-server` of one test's own on a free port, without persistence, so the test can
/// stop and restart it as a failover or an upgrade would.
pub struct RedisServer {
    port: u16,
    process: Option<ChildProcess>,
}

impl RedisServer {
    pub async fn start() -> Self {
        let mut server = Self {
            port: free_port(),
            process: None,
        };
        server.run().await;
        server
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server (its data is gone, as after a failover to an empty replica).
    pub fn stop(&mut self) {
        self.process = None;
    }

    /// Starts it again on the same port and waits until it answers.
    pub async fn run(&mut self) {
        self.process = Some(ChildProcess::spawn(
            Command::new("redis-server")
                .args(["--port", &self.port.to_string()])
                .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
                .stdout(std::process::Stdio::null()),
        ));
        let url = self.url();
        crate::eventually(10, "the test's redis-server to answer", || {
            let url = url.clone();
            async move {
                let client = redis::Client::open(url).ok()?;
                let mut connection = client.get_multiplexed_async_connection().await.ok()?;
                redis::cmd("PING")
                    .query_async::<String>(&mut connection)
                    .await
                    .ok()
            }
        })
        .await;
    }
}
