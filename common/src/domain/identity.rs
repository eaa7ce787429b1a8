//! Who a user is to us: the Kakao profile we keep, and the refresh tokens of their logins.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// What we keep of a Kakao user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KakaoProfile {
    pub kakao_id: i64,
    pub nickname: Option<String>,
    pub email: Option<String>,
    pub profile_image_url: Option<String>,
}

/// A refresh token as the client sees it, and the hash we keep of it.
pub struct RefreshToken {
    pub token: String,
    pub hash: [u8; 32],
}

impl RefreshToken {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token = URL_SAFE_NO_PAD.encode(bytes);
        let hash = Self::hash_of(&token);
        Self { token, hash }
    }

    pub fn hash_of(token: &str) -> [u8; 32] {
        Sha256::digest(token.as_bytes()).into()
    }
}
