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
