//! A real S3-protocol server (s3s-fs over a temporary directory) on loopback, and a client for
//! tests to look at what the worker stored.

use aws_sdk_s3::config::{Credentials, Region};
use hyper_util::{
    rt::{TokioExecutor, TokioIo},
    server::conn::auto,
};

pub const ACCESS_KEY: &str = "test-access-key";
pub const SECRET_KEY: &str = "test-secret-key-0123456789";
pub const BUCKET: &str = "spacecloud-test";

pub struct S3Server {
    pub endpoint: String,
    pub client: aws_sdk_s3::Client,
    dir: tempfile::TempDir,
    address: std::net::SocketAddr,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Serves the S3 protocol over `dir` on `listener`; aborting the task closes every connection.
fn serve(dir: &std::path::Path, listener: tokio::net::TcpListener) -> tokio::task::JoinHandle<()> {
    let fs = s3s_fs::FileSystem::new(dir).expect("s3s-fs over the directory");
    let mut builder = s3s::service::S3ServiceBuilder::new(fs);
    builder.set_auth(s3s::auth::SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
    let service = builder.build();
    tokio::spawn(async move {
        let mut connections = tokio::task::JoinSet::new();
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let service = service.clone();
            connections.spawn(async move {
                let _ = auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}

impl S3Server {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let endpoint = format!("http://{address}");
        let server = Some(serve(dir.path(), listener));
        let config = aws_sdk_s3::config::Builder::new()
            .behavior_version_latest()
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "test"))
            .endpoint_url(&endpoint)
            .force_path_style(true)
            .build();
        let client = aws_sdk_s3::Client::from_conf(config);
        client
            .create_bucket()
            .bucket(BUCKET)
            .send()
            .await
            .expect("creating the bucket");
        Self {
            endpoint,
            client,
            dir,
            address,
            server,
        }
    }

    /// Takes the server down: new and open connections fail until `restart`.
    pub fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }

    /// Brings it back on the same address with the same contents.
    pub async fn restart(&mut self) {
        let listener = tokio::net::TcpListener::bind(self.address).await.unwrap();
        self.server = Some(serve(self.dir.path(), listener));
    }

    /// The object's content type and bytes, if it exists.
    pub async fn object(&self, key: &str) -> Option<(String, Vec<u8>)> {
        let object = self
            .client
            .get_object()
            .bucket(BUCKET)
            .key(key)
            .send()
            .await
            .ok()?;
        let content_type = object.content_type().unwrap_or_default().to_owned();
        let bytes = object.body.collect().await.ok()?.into_bytes().to_vec();
        Some((content_type, bytes))
    }

    pub async fn object_count(&self) -> usize {
        self.client
            .list_objects_v2()
            .bucket(BUCKET)
            .send()
            .await
            .map(|listing| listing.contents().len())
            .unwrap_or_default()
    }
}
