//! Where an uploaded photo is in the image pipeline.

use super::column::{named_enum, text_column};

/// Where a photo is in processing: `processing` until the worker stored its renditions, then
/// `ready`, or `failed` (with a reason the host reads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
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
