//! Typed settings, read once at start-up from environment variables. Every variable has a
//! default that works on a developer machine (local MariaDB and Redis); production refuses the
//! defaults of secrets. Each field documents the variable it comes from.

use std::{net::SocketAddr, str::FromStr};

use chrono_tz::Tz;
use secrecy::{ExposeSecret, SecretString};

const DEFAULT_JWT_SECRET: &str = "local-development-jwt-secret-do-not-use-in-production";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEnv {
    Local,
    Test,
    Production,
}

impl FromStr for AppEnv {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "local" | "development" => Ok(Self::Local),
            "test" => Ok(Self::Test),
            "production" => Ok(Self::Production),
            other => Err(format!("`{other}` is not one of local, test, production")),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error(
        "environment variable {name} must be set to a real secret (at least 32 characters) unless APP_ENV is set to local or test"
    )]
    InsecureSecret { name: &'static str },
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// `APP_ENV`: `local` (default), `test` or `production`. Production logs JSON and refuses
    /// default secrets.
    pub app_env: AppEnv,
    /// `BIND_ADDR`: where the API listens (default `127.0.0.1:8080`; port 0 picks a free one).
    pub bind_addr: SocketAddr,
    /// `DATABASE_URL`: MySQL/MariaDB URL; the database is created if missing.
    pub database_url: SecretString,
    /// `DATABASE_MAX_CONNECTIONS`: pool size of each process (default 20).
    pub database_max_connections: u32,
    /// `REDIS_URL`: the job queue and short-lived state.
    pub redis_url: SecretString,
    /// `APP_TIMEZONE`: the business time zone that decides "today" (default `Asia/Seoul`).
    pub timezone: Tz,
    /// `JWT_SECRET`: HMAC key of access tokens.
    pub jwt_secret: SecretString,
    /// `ORDER_HOLD_MINUTES`: how long a `waiting` order holds its slot (default 10).
    pub order_hold_minutes: u32,
    /// `MAX_WAITING_HOLDS`: unpaid holds one user may have at once (default 3).
    pub max_waiting_holds: u32,
    /// `CATALOGUE_POLL_MS`: how often each API process reads the catalogue's outbox without
    /// being woken (default 100; docs/catalogue.md).
    pub catalogue_poll_ms: u64,
    /// `CATALOGUE_MAX_SPACES`: the most live spaces an API process holds in memory (default
    /// 300000, about 0.5 GB; docs/catalogue.md). Past it the process reads MySQL instead and
    /// `/readyz` says so.
    pub catalogue_max_spaces: usize,
    /// `APPROVAL_HOURS`: how long a host has to approve a request to book before the worker
    /// declines it (default 24).
    pub approval_hours: u32,
    /// `SIGNUP_POINTS`: points a new user starts with (default 100000).
    pub signup_points: i64,
    /// `MEDIA_BASE_URL`: public URL prefix of stored images (a CDN in production; default the
    /// API's own `/media`).
    pub media_base_url: String,
    /// `PUBLIC_BASE_URL`: where clients reach this API, for the absolute URLs it hands out
    /// (the hosts' calendar feeds; default `http://127.0.0.1:8080`).
    pub public_base_url: String,
    /// `MAX_JSON_BODY_BYTES`: largest body of every route but the photo uploads (default
    /// 64 KiB).
    pub max_json_body_bytes: usize,
    /// `MAX_UPLOAD_BODY_BYTES`: largest body of a photo upload, accepted only with a valid
    /// access token (default 110 MiB: ten 10 MiB images and the form's fields).
    pub max_upload_body_bytes: usize,
    /// `ACCESS_TOKEN_TTL_SECONDS`: lifetime of an access JWT (default 3600).
    pub access_token_ttl_seconds: u32,
    /// `REFRESH_TOKEN_TTL_DAYS`: lifetime of a refresh token (default 30).
    pub refresh_token_ttl_days: u32,
    /// `REFRESH_REUSE_GRACE_SECONDS`: a refresh token presented again this soon after its use
    /// gets another successor instead of ending the login (two tabs refreshing at once;
    /// default 30).
    pub refresh_reuse_grace_seconds: u32,
    pub kakao: KakaoSettings,
    pub jobs: JobSettings,
    pub storage: StorageSettings,
    /// `RATE_LIMIT_SIGN_IN_PER_MINUTE` (default 20, per client address),
    /// `RATE_LIMIT_BOOKING_PER_MINUTE` (30, per user, orders and payments together) and
    /// `RATE_LIMIT_UPLOADS_PER_MINUTE` (20, per user); 0 turns one off.
    pub rate_limits: crate::rate_limit::RateLimits,
    /// `TRUSTED_PROXIES`: comma-separated addresses of the reverse proxies in front of the API.
    /// Only a request from one of them is believed about its client (`X-Forwarded-For`).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// `CORS_ALLOWED_ORIGINS`: comma-separated browser origins that may call the API (default
    /// the usual local frontend origins). Any other origin gets no CORS headers.
    pub cors_allowed_origins: Vec<String>,
}

/// Where images are stored (`STORAGE_BACKEND`: `local`, the default, or `s3`).
#[derive(Debug, Clone)]
pub enum StorageSettings {
    /// `MEDIA_DIR` (default `./media`), served by the API under `/media/`.
    Local {
        dir: std::path::PathBuf,
    },
    S3(S3Settings),
}

#[derive(Debug, Clone)]
pub struct S3Settings {
    /// `S3_BUCKET`.
    pub bucket: String,
    /// `S3_REGION` (default `ap-northeast-2`).
    pub region: String,
    /// `S3_ENDPOINT`: for MinIO or another S3-compatible server; unset for AWS.
    pub endpoint: Option<String>,
    /// `S3_FORCE_PATH_STYLE`: `true` for MinIO.
    pub force_path_style: bool,
    /// `S3_ACCESS_KEY_ID` / `S3_SECRET_ACCESS_KEY`: static credentials; unset, the AWS default
    /// chain (instance role, environment) is used.
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<SecretString>,
}

#[derive(Debug, Clone)]
pub struct JobSettings {
    /// `QUEUE_PREFIX`: prefix of every Redis key of the job queues (default `spacecloud`), so
    /// several deployments (or tests) can share one Redis.
    pub queue_prefix: String,
    /// `WORKER_CONCURRENCY`: jobs one worker process runs at once per queue (default 8).
    pub concurrency: usize,
    /// `SWEEP_SCHEDULE`: cron schedule, seconds first, of the sweep that expires holds and
    /// re-enqueues lost settlements (default every minute, `0 * * * * *`).
    pub sweep_schedule: String,
    /// `STUCK_PAYMENT_SECONDS`: a `payment_pending` order older than this is settled again
    /// (default 180).
    pub stuck_payment_seconds: u32,
    /// `STUCK_PHOTO_SECONDS`: a photo (of a space or a review) still `processing` this long after
    /// its upload is queued again (default 900).
    pub stuck_photo_seconds: u32,
    /// `OVERDUE_DELETION_SECONDS`: a recorded object deletion still pending this long is queued
    /// again (default 600).
    pub overdue_deletion_seconds: u32,
    /// `JOB_POLL_MS`: how often an idle worker looks for new jobs (default 50).
    pub poll_ms: u64,
    /// `WORKER_HTTP_ADDR`: where a worker process serves `/healthz`, `/readyz` and `/metrics`
    /// (default unset: no HTTP server).
    pub worker_http_addr: Option<SocketAddr>,
}

#[derive(Debug, Clone)]
pub struct KakaoSettings {
    /// `KAKAO_API_BASE`: Kakao's API host (default `https://kapi.kakao.com`).
    pub api_base: String,
    /// `KAKAO_AUTH_BASE`: Kakao's OAuth host (default `https://kauth.kakao.com`).
    pub auth_base: String,
    /// `KAKAO_CLIENT_ID`: the app's REST API key; needed only by the authorization-code flow.
    pub client_id: String,
    /// `KAKAO_CLIENT_SECRET`: optional client secret of the authorization-code flow.
    pub client_secret: Option<SecretString>,
    /// `KAKAO_REDIRECT_URI`: where Kakao sends the browser back (our callback route).
    pub redirect_uri: String,
    /// `KAKAO_TIMEOUT_MS`: the longest we wait for Kakao (default 3000).
    pub timeout_ms: u64,
    /// `KAKAO_APP_ID`: our Kakao app's id; when set, a token Kakao issued to any other app does
    /// not sign in (checked with `/v1/user/access_token_info`).
    pub app_id: Option<u64>,
}

impl Settings {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` instead of the process environment, so tests can build
    /// settings without mutating global state.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let reader = Reader { lookup: &lookup };
        let app_env: AppEnv = reader.parse("APP_ENV", "local")?;
        let jwt_secret = reader.string("JWT_SECRET", DEFAULT_JWT_SECRET);
        // The default key is public (it is in this repository): it may sign tokens only where
        // someone said on purpose that this is a developer's machine or a test.
        let declared_development =
            lookup("APP_ENV").is_some() && matches!(app_env, AppEnv::Local | AppEnv::Test);
        if !declared_development
            && (jwt_secret == DEFAULT_JWT_SECRET || jwt_secret.trim().len() < 32)
        {
            return Err(ConfigError::InsecureSecret { name: "JWT_SECRET" });
        }
        let settings = Self {
            app_env,
            bind_addr: reader.parse("BIND_ADDR", "127.0.0.1:8080")?,
            database_url: reader
                .string("DATABASE_URL", "mysql://root@127.0.0.1:3306/spacecloud")
                .into(),
            database_max_connections: reader.parse("DATABASE_MAX_CONNECTIONS", "20")?,
            redis_url: reader.string("REDIS_URL", "redis://127.0.0.1:6379").into(),
            timezone: reader.parse("APP_TIMEZONE", "Asia/Seoul")?,
            jwt_secret: jwt_secret.into(),
            order_hold_minutes: reader.parse("ORDER_HOLD_MINUTES", "10")?,
            max_waiting_holds: reader.parse("MAX_WAITING_HOLDS", "3")?,
            approval_hours: reader.parse("APPROVAL_HOURS", "24")?,
            catalogue_poll_ms: reader.parse("CATALOGUE_POLL_MS", "100")?,
            catalogue_max_spaces: reader.parse("CATALOGUE_MAX_SPACES", "300000")?,
            signup_points: reader.parse("SIGNUP_POINTS", "100000")?,
            media_base_url: reader
                .string("MEDIA_BASE_URL", "http://127.0.0.1:8080/media")
                .trim_end_matches('/')
                .to_owned(),
            public_base_url: reader
                .string("PUBLIC_BASE_URL", "http://127.0.0.1:8080")
                .trim_end_matches('/')
                .to_owned(),
            max_json_body_bytes: reader.parse("MAX_JSON_BODY_BYTES", "65536")?,
            max_upload_body_bytes: reader.parse("MAX_UPLOAD_BODY_BYTES", "115343360")?,
            access_token_ttl_seconds: reader.parse("ACCESS_TOKEN_TTL_SECONDS", "3600")?,
            refresh_token_ttl_days: reader.parse("REFRESH_TOKEN_TTL_DAYS", "30")?,
            refresh_reuse_grace_seconds: reader.parse("REFRESH_REUSE_GRACE_SECONDS", "30")?,
            rate_limits: crate::rate_limit::RateLimits {
                sign_in_per_minute: reader.parse("RATE_LIMIT_SIGN_IN_PER_MINUTE", "20")?,
                booking_per_minute: reader.parse("RATE_LIMIT_BOOKING_PER_MINUTE", "30")?,
                uploads_per_minute: reader.parse("RATE_LIMIT_UPLOADS_PER_MINUTE", "20")?,
            },
            trusted_proxies: reader
                .string("TRUSTED_PROXIES", "")
                .split(',')
                .map(str::trim)
                .filter(|address| !address.is_empty())
                .map(|address| {
                    address.parse().map_err(|_| ConfigError::Invalid {
                        name: "TRUSTED_PROXIES",
                        reason: format!("`{address}` is not an IP address"),
                    })
                })
                .collect::<Result<_, _>>()?,
            cors_allowed_origins: reader
                .string(
                    "CORS_ALLOWED_ORIGINS",
                    "http://localhost:3000,http://localhost:5173,\
                     http://127.0.0.1:3000,http://127.0.0.1:5173",
                )
                .split(',')
                .map(|origin| origin.trim().trim_end_matches('/').to_owned())
                .filter(|origin| !origin.is_empty())
                .collect(),
            storage: match reader.string("STORAGE_BACKEND", "local").as_str() {
                "local" => StorageSettings::Local {
                    dir: reader.string("MEDIA_DIR", "media").into(),
                },
                "s3" => StorageSettings::S3(S3Settings {
                    bucket: (lookup)("S3_BUCKET")
                        .filter(|bucket| !bucket.is_empty())
                        .ok_or(ConfigError::Invalid {
                            name: "S3_BUCKET",
                            reason: "is required when STORAGE_BACKEND=s3".into(),
                        })?,
                    region: reader.string("S3_REGION", "ap-northeast-2"),
                    endpoint: (lookup)("S3_ENDPOINT").filter(|value| !value.is_empty()),
                    force_path_style: reader.parse("S3_FORCE_PATH_STYLE", "false")?,
                    access_key_id: (lookup)("S3_ACCESS_KEY_ID").filter(|value| !value.is_empty()),
                    secret_access_key: (lookup)("S3_SECRET_ACCESS_KEY")
                        .filter(|value| !value.is_empty())
                        .map(SecretString::from),
                }),
                other => {
                    return Err(ConfigError::Invalid {
                        name: "STORAGE_BACKEND",
                        reason: format!("`{other}` is not one of local, s3"),
                    });
                }
            },
            jobs: JobSettings {
                queue_prefix: reader.string("QUEUE_PREFIX", "spacecloud"),
                concurrency: reader.parse("WORKER_CONCURRENCY", "8")?,
                sweep_schedule: reader.string("SWEEP_SCHEDULE", "0 * * * * *"),
                stuck_payment_seconds: reader.parse("STUCK_PAYMENT_SECONDS", "180")?,
                stuck_photo_seconds: reader.parse("STUCK_PHOTO_SECONDS", "900")?,
                overdue_deletion_seconds: reader.parse("OVERDUE_DELETION_SECONDS", "600")?,
                poll_ms: reader.parse("JOB_POLL_MS", "50")?,
                worker_http_addr: match reader.string("WORKER_HTTP_ADDR", "").as_str() {
                    "" => None,
                    _ => Some(reader.parse("WORKER_HTTP_ADDR", "")?),
                },
            },
            kakao: KakaoSettings {
                api_base: reader
                    .string("KAKAO_API_BASE", "https://kapi.kakao.com")
                    .trim_end_matches('/')
                    .to_owned(),
                auth_base: reader
                    .string("KAKAO_AUTH_BASE", "https://kauth.kakao.com")
                    .trim_end_matches('/')
                    .to_owned(),
                client_id: reader.string("KAKAO_CLIENT_ID", ""),
                client_secret: (lookup)("KAKAO_CLIENT_SECRET")
                    .filter(|secret| !secret.is_empty())
                    .map(SecretString::from),
                redirect_uri: reader.string(
                    "KAKAO_REDIRECT_URI",
                    "http://127.0.0.1:8080/api/v1/auth/kakao/callback",
                ),
                timeout_ms: reader.parse("KAKAO_TIMEOUT_MS", "3000")?,
                app_id: match reader.string("KAKAO_APP_ID", "").as_str() {
                    "" => None,
                    _ => Some(reader.parse("KAKAO_APP_ID", "")?),
                },
            },
        };
        if let Err(err) = cron::Schedule::from_str(&settings.jobs.sweep_schedule) {
            return Err(ConfigError::Invalid {
                name: "SWEEP_SCHEDULE",
                reason: err.to_string(),
            });
        }
        if settings.access_token_ttl_seconds == 0 || settings.refresh_token_ttl_days == 0 {
            return Err(ConfigError::Invalid {
                name: "ACCESS_TOKEN_TTL_SECONDS",
                reason: "token lifetimes must be positive".into(),
            });
        }
        if settings.database_max_connections == 0 {
            return Err(ConfigError::Invalid {
                name: "DATABASE_MAX_CONNECTIONS",
                reason: "must be at least 1".into(),
            });
        }
        if settings.catalogue_poll_ms == 0 {
            return Err(ConfigError::Invalid {
                name: "CATALOGUE_POLL_MS",
                reason: "must be at least 1".into(),
            });
        }
        if settings.approval_hours == 0 {
            return Err(ConfigError::Invalid {
                name: "APPROVAL_HOURS",
                reason: "must be at least 1".into(),
            });
        }
        if settings.signup_points < 0 {
            return Err(ConfigError::Invalid {
                name: "SIGNUP_POINTS",
                reason: "must not be negative".into(),
            });
        }
        Ok(settings)
    }

    /// The database name inside `DATABASE_URL`, which start-up creates when it is missing.
    pub fn database_name(&self) -> Option<String> {
        let url = self.database_url.expose_secret();
        let path = url.split('?').next()?.rsplit_once('/')?.1;
        (!path.is_empty() && !path.contains('@')).then(|| path.to_owned())
    }
}

struct Reader<'a, F: Fn(&str) -> Option<String>> {
    lookup: &'a F,
}

impl<F: Fn(&str) -> Option<String>> Reader<'_, F> {
    fn string(&self, name: &'static str, default: &str) -> String {
        (self.lookup)(name)
            .filter(|value| !value.is_empty())
            .unwrap_or_else(|| default.to_owned())
    }

    fn parse<T>(&self, name: &'static str, default: &str) -> Result<T, ConfigError>
    where
        T: FromStr,
        T::Err: std::fmt::Display,
    {
        self.string(name, default)
            .parse()
            .map_err(|err: T::Err| ConfigError::Invalid {
                name,
                reason: err.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_work_on_a_declared_developer_machine() {
        let settings = settings(&[("APP_ENV", "local")]).unwrap();
        assert_eq!(settings.app_env, AppEnv::Local);
        assert_eq!(settings.timezone, chrono_tz::Asia::Seoul);
        assert_eq!(settings.database_name().as_deref(), Some("spacecloud"));
        assert_eq!(settings.order_hold_minutes, 10);
        assert_eq!(settings.approval_hours, 24);
        assert_eq!(settings.signup_points, 100_000);
    }

    #[test]
    fn production_refuses_the_default_jwt_secret_and_names_it() {
        let err = settings(&[("APP_ENV", "production")]).unwrap_err();
        assert!(err.to_string().contains("JWT_SECRET"), "{err}");
        let err = settings(&[("APP_ENV", "production"), ("JWT_SECRET", "short")]).unwrap_err();
        assert!(err.to_string().contains("JWT_SECRET"), "{err}");
        let ok = settings(&[
            ("APP_ENV", "production"),
            ("JWT_SECRET", "a-real-secret-that-is-long-enough-for-hs256"),
        ]);
        assert!(ok.is_ok());
    }

    #[test]
    fn the_public_default_jwt_secret_needs_a_declared_local_or_test_environment() {
        for vars in [&[][..], &[("JWT_SECRET", "short")][..]] {
            let err = settings(vars).unwrap_err();
            assert!(err.to_string().contains("JWT_SECRET"), "{err}");
        }
        assert!(settings(&[("APP_ENV", "test")]).is_ok());
        let real = "a-real-secret-that-is-long-enough-for-hs256";
        assert!(settings(&[("JWT_SECRET", real)]).is_ok());
    }

    #[test]
    fn a_malformed_variable_is_named() {
        let err = settings(&[("APP_ENV", "test"), ("APP_TIMEZONE", "Mars/Olympus")]).unwrap_err();
        assert!(err.to_string().contains("APP_TIMEZONE"), "{err}");
        let err = settings(&[("APP_ENV", "test"), ("BIND_ADDR", "nowhere")]).unwrap_err();
        assert!(err.to_string().contains("BIND_ADDR"), "{err}");
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let settings = settings(&[("JWT_SECRET", "super-secret-value-1234567890-abcdef")]).unwrap();
        assert!(!format!("{settings:?}").contains("super-secret-value"));
    }
}
