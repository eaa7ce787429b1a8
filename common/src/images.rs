//! Photos: the cheap checks the API runs on an upload (format by content, dimensions from the
//! header, truncation) and the decode, orientation and resizing the worker does. Both sides
//! refuse decompression bombs: the API from the header's claimed size, the worker again through
//! the decoder's allocation limits.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, imageops::FilterType};

/// Largest side we accept; a 12-megapixel photo is about 4000 × 3000.
pub const MAX_SIDE: u32 = 12_000;
/// Largest pixel count we accept (a 50-megapixel camera).
pub const MAX_PIXELS: u64 = 50_000_000;
/// Largest upload accepted per file.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
pub const WEB_SIDE: u32 = 1600;
pub const THUMB_SIDE: u32 = 400;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Jpeg,
    Png,
    Webp,
}

impl ImageKind {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
        }
    }

    fn format(self) -> ImageFormat {
        match self {
            Self::Jpeg => ImageFormat::Jpeg,
            Self::Png => ImageFormat::Png,
            Self::Webp => ImageFormat::WebP,
        }
    }
}

/// Why an upload is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("the file is larger than 10 MiB")]
    TooLarge,
    #[error("the file is not a JPEG, PNG or WebP image")]
    NotAnImage,
    #[error("the image is damaged or truncated")]
    Damaged,
    #[error("the image is larger than {MAX_SIDE} px a side or {MAX_PIXELS} pixels")]
    TooManyPixels,
}

/// Judges an upload by its bytes alone, reading only the header: no pixels are decoded.
pub fn sniff(bytes: &[u8]) -> Result<ImageKind, Rejection> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Rejection::TooLarge);
    }
    let kind = if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        ImageKind::Jpeg
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        ImageKind::Png
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        ImageKind::Webp
    } else {
        return Err(Rejection::NotAnImage);
    };
    let complete = match kind {
        // A JPEG ends with its EOI marker; cameras may pad after it, so look near the end.
        ImageKind::Jpeg => bytes
            .windows(2)
            .rev()
            .take(4096)
            .any(|pair| pair == [0xFF, 0xD9]),
        ImageKind::Png => bytes.len() >= 12 && &bytes[bytes.len() - 8..bytes.len() - 4] == b"IEND",
        ImageKind::Webp => {
            let declared = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
            declared + 8 <= bytes.len()
        }
    };
    if !complete {
        return Err(Rejection::Damaged);
    }
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), kind.format())
        .into_dimensions()
        .map_err(|_| Rejection::Damaged)?;
    check_size(width, height)?;
    Ok(kind)
}

fn check_size(width: u32, height: u32) -> Result<(), Rejection> {
    if width == 0 || height == 0 {
        return Err(Rejection::Damaged);
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Rejection::TooManyPixels);
    }
    Ok(())
}

/// A decoded photo, upright, with its web-sized and thumbnail JPEGs.
pub struct Processed {
    pub kind: ImageKind,
    pub width: u32,
    pub height: u32,
    pub web_jpeg: Vec<u8>,
    pub thumbnail_jpeg: Vec<u8>,
}

/// Decodes under allocation limits, applies EXIF orientation and renders both sizes. A
/// failure here is permanent: the same bytes will fail the same way.
pub fn process(bytes: &[u8]) -> Result<Processed, Rejection> {
    let kind = sniff(bytes)?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4 + 64 * 1024 * 1024);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.format());
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| Rejection::Damaged)?;
    let orientation = decoder.orientation().ok();
    let (width, height) = decoder.dimensions();
    check_size(width, height)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(|err| match err {
        image::ImageError::Limits(_) => Rejection::TooManyPixels,
        _ => Rejection::Damaged,
    })?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    let image = DynamicImage::ImageRgb8(image.into_rgb8());
    let web = fit(&image, WEB_SIDE);
    let thumbnail = fit(&web, THUMB_SIDE);
    Ok(Processed {
        kind,
        width: image.width(),
        height: image.height(),
        web_jpeg: jpeg(&web, 82)?,
        thumbnail_jpeg: jpeg(&thumbnail, 80)?,
    })
}

/// Scales down so the longest side is at most `side`; never scales up.
fn fit(image: &DynamicImage, side: u32) -> DynamicImage {
    if image.width().max(image.height()) <= side {
        return image.clone();
    }
    image.resize(side, side, FilterType::Triangle)
}

fn jpeg(image: &DynamicImage, quality: u8) -> Result<Vec<u8>, Rejection> {
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    image
        .write_with_encoder(encoder)
        .map_err(|_| Rejection::Damaged)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        DynamicImage::new_rgb8(width, height)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    fn jpeg_bytes(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        DynamicImage::new_rgb8(width, height)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg)
            .unwrap();
        out
    }

    /// A phone's photo carries EXIF with GPS coordinates; the public renditions carry none.
    #[test]
    fn the_renditions_carry_no_exif() {
        let plain = jpeg_bytes(64, 48);
        // An APP1 Exif segment right after SOI: a little-endian TIFF header whose one IFD
        // holds a GPS pointer and a marker string standing for the coordinates.
        let mut tiff = b"II*\0\x08\0\0\0".to_vec();
        tiff.extend_from_slice(&1u16.to_le_bytes());
        tiff.extend_from_slice(&0x8825u16.to_le_bytes()); // GPSInfo
        tiff.extend_from_slice(&4u16.to_le_bytes()); // LONG
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&26u32.to_le_bytes());
        tiff.extend_from_slice(&0u32.to_le_bytes());
        tiff.extend_from_slice(b"GPS-37.5665N-126.9780E");
        let mut segment = b"Exif\0\0".to_vec();
        segment.extend_from_slice(&tiff);
        let mut with_exif = plain[..2].to_vec();
        with_exif.extend_from_slice(&[0xFF, 0xE1]);
        with_exif.extend_from_slice(&((segment.len() + 2) as u16).to_be_bytes());
        with_exif.extend_from_slice(&segment);
        with_exif.extend_from_slice(&plain[2..]);
        let processed = process(&with_exif).expect("a JPEG with EXIF is a valid photo");
        for rendition in [&processed.web_jpeg, &processed.thumbnail_jpeg] {
            assert!(!contains(rendition, b"Exif"));
            assert!(!contains(rendition, b"GPS-37.5665N"));
        }
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack
            .windows(needle.len())
            .any(|window| window == needle)
    }

    #[test]
    fn formats_are_judged_by_content() {
        assert_eq!(sniff(&png(4, 3)), Ok(ImageKind::Png));
        assert_eq!(sniff(&jpeg_bytes(4, 3)), Ok(ImageKind::Jpeg));
        assert_eq!(
            sniff(b"hello, I am a text file named photo.jpg"),
            Err(Rejection::NotAnImage)
        );
    }

    #[test]
    fn truncated_files_are_damaged() {
        let jpeg = jpeg_bytes(64, 48);
        assert_eq!(sniff(&jpeg[..jpeg.len() / 2]), Err(Rejection::Damaged));
        let png = png(64, 48);
        assert_eq!(sniff(&png[..png.len() - 10]), Err(Rejection::Damaged));
    }

    /// A PNG header claiming 60000 × 60000 is refused from the header, without allocating.
    #[test]
    fn a_claimed_giant_is_refused() {
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&60_000u32.to_be_bytes());
        assert!(matches!(
            sniff(&bomb),
            Err(Rejection::TooManyPixels | Rejection::Damaged)
        ));
        assert!(process(&bomb).is_err());
    }

    #[test]
    fn processing_fits_both_sizes() {
        let processed = process(&jpeg_bytes(2000, 1000)).unwrap();
        assert_eq!((processed.width, processed.height), (2000, 1000));
        let web = image::load_from_memory(&processed.web_jpeg).unwrap();
        assert_eq!((web.width(), web.height()), (1600, 800));
        let thumb = image::load_from_memory(&processed.thumbnail_jpeg).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (400, 200));
    }
}
