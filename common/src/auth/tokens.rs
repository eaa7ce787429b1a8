//! Access tokens are HS256 JWTs with the algorithm pinned (a token naming any other algorithm,
//! `none` included, is refused). Refresh tokens are 256 random bits shown to the client once;
//! only their SHA-256 is stored, so a database leak yields no usable token.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// Who issues access tokens and who accepts them: a token minted for another service that
/// happens to share the secret is refused.
pub const ISSUER: &str = "spacecloud";
pub const AUDIENCE: &str = "spacecloud-api";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccessClaims {
    /// The user id, as a decimal string (RFC 7519 wants a string).
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    /// The login (refresh-token family) the token belongs to: a logout or a detected reuse
    /// of its refresh token ends it, and with it every access token of that login.
    pub sid: String,
}

impl AccessClaims {
    pub fn user_id(&self) -> Option<u64> {
        self.sub.parse().ok()
    }

    pub fn session(&self) -> Option<uuid::Uuid> {
        uuid::Uuid::try_parse(&self.sid).ok()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("the access token has expired")]
    Expired,
    #[error("the access token is not valid")]
    Invalid,
}

/// The signing and verifying keys of access tokens, with their lifetime.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_seconds: i64,
}

impl JwtKeys {
    pub fn new(secret: &SecretString, ttl_seconds: u32) -> Self {
        let secret = secret.expose_secret().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.validate_exp = true;
        validation.set_required_spec_claims(&["exp", "sub", "iat", "iss", "aud"]);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_seconds: i64::from(ttl_seconds),
        }
    }

    pub fn ttl_seconds(&self) -> i64 {
        self.ttl_seconds
    }

    /// An access token of `user_id` for the login `session` (its refresh-token family).
    pub fn issue(&self, user_id: u64, session: uuid::Uuid, now: DateTime<Utc>) -> String {
        let claims = AccessClaims {
            sub: user_id.to_string(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            iat: now.timestamp(),
            exp: now.timestamp() + self.ttl_seconds,
            jti: uuid::Uuid::new_v4().to_string(),
            sid: session.simple().to_string(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing of plain claims cannot fail")
    }

    pub fn verify(&self, token: &str) -> Result<AccessClaims, TokenError> {
        jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|err| match err.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::RefreshToken;

    fn keys() -> JwtKeys {
        JwtKeys::new(
            &SecretString::from("a-test-secret-of-enough-length-1234"),
            60,
        )
    }

    #[test]
    fn a_token_round_trips() {
        let keys = keys();
        let token = keys.issue(42, uuid::Uuid::new_v4(), Utc::now());
        let claims = keys.verify(&token).unwrap();
        assert_eq!(claims.user_id(), Some(42));
        assert!(!claims.jti.is_empty());
    }

    #[test]
    fn an_expired_token_is_refused() {
        let keys = keys();
        let token = keys.issue(
            42,
            uuid::Uuid::new_v4(),
            Utc::now() - chrono::Duration::seconds(120),
        );
        assert_eq!(keys.verify(&token), Err(TokenError::Expired));
    }

    #[test]
    fn another_key_or_algorithm_is_refused() {
        let token = keys().issue(42, uuid::Uuid::new_v4(), Utc::now());
        let other = JwtKeys::new(
            &SecretString::from("another-secret-of-enough-length-99"),
            60,
        );
        assert_eq!(other.verify(&token), Err(TokenError::Invalid));

        let claims = AccessClaims {
            sub: "42".into(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: Utc::now().timestamp(),
            exp: Utc::now().timestamp() + 60,
            jti: "x".into(),
            sid: uuid::Uuid::new_v4().simple().to_string(),
        };
        let secret = b"a-test-secret-of-enough-length-1234";
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &claims,
            &EncodingKey::from_secret(secret),
        )
        .unwrap();
        assert_eq!(keys().verify(&hs512), Err(TokenError::Invalid));
    }

    #[test]
    fn a_token_for_another_issuer_or_audience_or_without_them_is_refused() {
        let secret = b"a-test-secret-of-enough-length-1234";
        let sign = |claims: &serde_json::Value| {
            jsonwebtoken::encode(
                &Header::new(Algorithm::HS256),
                claims,
                &EncodingKey::from_secret(secret),
            )
            .unwrap()
        };
        let now = Utc::now().timestamp();
        let good = serde_json::json!({
            "sub": "42", "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 60,
            "jti": "x", "sid": uuid::Uuid::new_v4().simple().to_string(),
        });
        assert!(keys().verify(&sign(&good)).is_ok());
        for (claim, value) in [
            ("iss", Some("someone-else")),
            ("aud", Some("another-api")),
            ("iss", None),
            ("aud", None),
            ("sid", None),
        ] {
            let mut claims = good.clone();
            match value {
                Some(value) => claims[claim] = value.into(),
                None => {
                    claims.as_object_mut().unwrap().remove(claim);
                }
            }
            assert_eq!(
                keys().verify(&sign(&claims)),
                Err(TokenError::Invalid),
                "{claim} = {value:?}"
            );
        }
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let first = RefreshToken::generate();
        let second = RefreshToken::generate();
        assert_ne!(first.token, second.token);
        assert_eq!(RefreshToken::hash_of(&first.token), first.hash);
        assert!(first.token.len() >= 43);
    }
}
