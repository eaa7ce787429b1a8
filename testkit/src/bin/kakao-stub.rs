//! The Kakao stub as a process of its own, for tests written outside Rust (the SDKs' end-to-end
//! tests, the browser test): `kakao-stub 127.0.0.1:PORT`. Tokens are registered with
//! `PUT /_stub/tokens/{token}`; it runs until killed.

use spacecloud_testkit::kakao_stub::KakaoStub;

#[tokio::main]
async fn main() {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_owned());
    let stub = KakaoStub::start_on(&address, true).await;
    println!("{}", stub.base_url);
    std::future::pending::<()>().await;
}
