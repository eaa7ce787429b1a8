//! Who the caller is: access JWTs, opaque refresh tokens with rotation and theft detection, and
//! the Kakao client that vouches for a user's identity at login.

pub mod kakao;
pub mod sessions;
pub mod tokens;

pub use crate::domain::{KakaoProfile, RefreshToken};
pub use kakao::{KakaoClient, KakaoError};
pub use tokens::{AccessClaims, JwtKeys, TokenError};
