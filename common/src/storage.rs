//! Object storage behind one interface: S3 (or MinIO) in production, a local directory by
//! default. Keys are relative paths such as `spaces/12/<uuid>/thumb.jpg`; the public URL of a
//! key is `MEDIA_BASE_URL/<key>`.

use std::path::{Component, Path, PathBuf};

use aws_sdk_s3::{config::Region, primitives::ByteStream};
use secrecy::ExposeSecret;

use crate::config::{S3Settings, StorageSettings};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("storage key `{0}` is not a plain relative path")]
    BadKey(String),
    #[error("storage unavailable: {0}")]
    Unavailable(String),
}

#[derive(Clone, Debug)]
pub enum Storage {
    Local(PathBuf),
    S3 {
        client: aws_sdk_s3::Client,
        bucket: String,
    },
}

impl Storage {
    pub async fn from_settings(settings: &StorageSettings) -> Self {
        match settings {
            StorageSettings::Local { dir } => Self::Local(dir.clone()),
            StorageSettings::S3(s3) => Self::S3 {
                client: s3_client(s3).await,
                bucket: s3.bucket.clone(),
            },
        }
    }

    pub async fn put(
        &self,
        key: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<(), StorageError> {
        match self {
            Self::Local(dir) => {
                let path = local_path(dir, key)?;
                if let Some(parent) = path.parent() {
                    tokio::fs::create_dir_all(parent)
                        .await
                        .map_err(|err| StorageError::Unavailable(err.kind().to_string()))?;
                }
                // Write then rename, so a reader never sees half a file.
                let partial = path.with_extension("partial");
                tokio::fs::write(&partial, bytes)
                    .await
                    .map_err(|err| StorageError::Unavailable(err.kind().to_string()))?;
                tokio::fs::rename(&partial, &path)
                    .await
                    .map_err(|err| StorageError::Unavailable(err.kind().to_string()))
            }
            Self::S3 { client, bucket } => client
                .put_object()
                .bucket(bucket)
                .key(key)
                .content_type(content_type)
                .body(ByteStream::from(bytes))
                .send()
                .await
                .map(|_| ())
                .map_err(|err| StorageError::Unavailable(sdk_reason(&err))),
        }
    }

    /// Deletes an object; deleting one that is already gone succeeds.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self {
            Self::Local(dir) => match tokio::fs::remove_file(local_path(dir, key)?).await {
                Ok(()) => Ok(()),
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(err) => Err(StorageError::Unavailable(err.kind().to_string())),
            },
            Self::S3 { client, bucket } => client
                .delete_object()
                .bucket(bucket)
                .key(key)
                .send()
                .await
                .map(|_| ())
                .map_err(|err| StorageError::Unavailable(sdk_reason(&err))),
        }
    }
}

async fn s3_client(settings: &S3Settings) -> aws_sdk_s3::Client {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(Region::new(settings.region.clone()));
    if let (Some(key), Some(secret)) = (&settings.access_key_id, &settings.secret_access_key) {
        loader = loader.credentials_provider(aws_sdk_s3::config::Credentials::new(
            key,
            secret.expose_secret(),
            None,
            None,
            "spacecloud-settings",
        ));
    }
    if let Some(endpoint) = &settings.endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    let shared = loader.load().await;
    let config = aws_sdk_s3::config::Builder::from(&shared)
        .force_path_style(settings.force_path_style)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// The SDK's error without request details (which may carry signed URLs).
fn sdk_reason<E: std::error::Error>(err: &aws_sdk_s3::error::SdkError<E>) -> String {
    match err {
        aws_sdk_s3::error::SdkError::ServiceError(service) => {
            format!("service error {}", service.raw().status().as_u16())
        }
        aws_sdk_s3::error::SdkError::TimeoutError(_) => "timed out".into(),
        aws_sdk_s3::error::SdkError::DispatchFailure(_) => "connection failed".into(),
        _ => "request failed".into(),
    }
}

fn local_path(dir: &Path, key: &str) -> Result<PathBuf, StorageError> {
    let relative = Path::new(key);
    let plain = relative
        .components()
        .all(|component| matches!(component, Component::Normal(_)));
    if key.is_empty() || !plain {
        return Err(StorageError::BadKey(key.to_owned()));
    }
    Ok(dir.join(relative))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_escape_the_media_directory() {
        let dir = Path::new("/srv/media");
        assert!(local_path(dir, "spaces/1/a/thumb.jpg").is_ok());
        for bad in ["", "../etc/passwd", "/etc/passwd", "spaces/../../x"] {
            assert!(local_path(dir, bad).is_err(), "{bad}");
        }
    }
}
