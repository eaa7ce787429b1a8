//! Refuses request bodies over the configured size with 413. Unlike poem's `SizeLimit`, it
//! lets requests without a body (every GET) through, and bounds chunked bodies too.

use poem::{
    Endpoint, IntoResponse, Middleware, Request, Response, Result,
    error::ReadBodyError,
    http::{StatusCode, header},
};

pub struct BodyLimit {
    max_bytes: usize,
}

impl BodyLimit {
    pub fn new(max_bytes: usize) -> Self {
        Self { max_bytes }
    }
}

impl<E: Endpoint> Middleware<E> for BodyLimit {
    type Output = BodyLimitEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        BodyLimitEndpoint {
            inner,
            max_bytes: self.max_bytes,
        }
    }
}

pub struct BodyLimitEndpoint<E> {
    inner: E,
    max_bytes: usize,
}

impl<E: Endpoint> Endpoint for BodyLimitEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok());
        match declared {
            Some(length) if length > self.max_bytes as u64 => {
                return Err(StatusCode::PAYLOAD_TOO_LARGE.into());
            }
            Some(_) => {}
            None if req.headers().contains_key(header::TRANSFER_ENCODING) => {
                // A chunked body announces no length: read it up to the limit.
                let bytes = req
                    .take_body()
                    .into_bytes_limit(self.max_bytes)
                    .await
                    .map_err(|err| match err {
                        ReadBodyError::PayloadTooLarge => {
                            poem::Error::from_status(StatusCode::PAYLOAD_TOO_LARGE)
                        }
                        other => poem::Error::from(other),
                    })?;
                req.set_body(bytes);
            }
            None => {}
        }
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}
