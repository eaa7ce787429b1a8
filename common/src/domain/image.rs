//! Where an uploaded photo is in the image pipeline.

use super::column::{named_enum, text_column};

/// `Processing` until the worker stored its renditions (`Ready`) or refused it (`Failed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageStatus {
    Processing,
    Ready,
    Failed,
}

impl ImageStatus {
    pub const EVERY: [ImageStatus; 3] = [Self::Processing, Self::Ready, Self::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Processing => "processing",
            Self::Ready => "ready",
            Self::Failed => "failed",
        }
    }
}

named_enum!(ImageStatus, "image status");
text_column!(ImageStatus);
