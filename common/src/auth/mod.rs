//! Who the caller is: access JWTs, opaque refresh tokens with rotation and theft detection, and
//! the Kakao client that vouches for a user's identity at login.

pub mod kakao;
pub mod sessions;
pub mod tokens;

pub use kakao::{KakaoClient, KakaoError, KakaoProfile};
pub use tokens::{AccessClaims, JwtKeys, RefreshToken, TokenError};
