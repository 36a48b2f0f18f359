//! Product image uploads: `POST /admin/products/{id}/images`, a plain multipart form, so
//! it works without JavaScript. The file is recognised by its content (PNG, JPEG or WebP,
//! never by its name), decoded within size limits, and written again by the server as a
//! display image (at most 1600 px wide) and a thumbnail (480 px): metadata such as a
//! photo's location is not carried over. Files are named by content hash and served
//! under `/media/uploads/` as immutable.

use crate::state::AppState;
use app::accounts::auth::staff_actor;
use app::accounts::model::Role;
use app::kernel::context::Caller;
use app::kernel::error::AppError;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use image::{DynamicImage, ImageFormat, ImageReader};
use sha2::{Digest, Sha256};
use std::io::Cursor;

pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;
/// The upload route's body limit: the image plus the form around it.
pub const MAX_UPLOAD_BODY_BYTES: usize = MAX_IMAGE_BYTES + 64 * 1024;
const DISPLAY_WIDTH: u32 = 1600;
const THUMBNAIL_WIDTH: u32 = 480;
/// Larger pictures are refused before decoding: a small file can claim a huge canvas.
const MAX_SIDE: u32 = 10_000;

/// The two files written for an upload, as names inside the media directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredImage {
    pub display: String,
    pub thumbnail: String,
}

fn unusable(message: &str) -> AppError {
    AppError::InvalidFields(vec![app::kernel::error::FieldError::new("file", message)])
}

/// Checks and stores an uploaded image; see the module documentation.
pub fn store_image(dir: &std::path::Path, bytes: &[u8]) -> Result<StoredImage, AppError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(unusable("The image is larger than 5 MB."));
    }
    let format = match image::guess_format(bytes) {
        Ok(format @ (ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP)) => format,
        _ => return Err(unusable("Upload a PNG, JPEG or WebP image.")),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let picture = reader.decode().map_err(|_| {
        unusable("The file could not be read as an image; it may be damaged or too large.")
    })?;
    let hash = app::kernel::encoding::hex(&Sha256::digest(bytes))[..32].to_owned();
    std::fs::create_dir_all(dir).map_err(internal)?;
    let display = write_scaled(dir, &picture, DISPLAY_WIDTH, &hash)?;
    let thumbnail = write_scaled(dir, &picture, THUMBNAIL_WIDTH, &format!("{hash}-thumb"))?;
    Ok(StoredImage { display, thumbnail })
}

fn internal(error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "storing an uploaded image failed");
    AppError::Internal
}

/// Writes the picture at most `width` wide: JPEG when it is opaque, PNG when it has
/// transparency. Returns the file name.
fn write_scaled(
    dir: &std::path::Path,
    picture: &DynamicImage,
    width: u32,
    stem: &str,
) -> Result<String, AppError> {
    let scaled = if picture.width() > width {
        picture.resize(width, u32::MAX, image::imageops::FilterType::Triangle)
    } else {
        picture.clone()
    };
    let (name, format, image) = if scaled.color().has_alpha() {
        (
            format!("{stem}.png"),
            ImageFormat::Png,
            DynamicImage::ImageRgba8(scaled.to_rgba8()),
        )
    } else {
        (
            format!("{stem}.jpg"),
            ImageFormat::Jpeg,
            DynamicImage::ImageRgb8(scaled.to_rgb8()),
        )
    };
    let path = dir.join(&name);
    // Written under a temporary name, then renamed: a reader never sees half a file.
    let partial = dir.join(format!(".{name}.{}", uuid::Uuid::new_v4().simple()));
    image.save_with_format(&partial, format).map_err(internal)?;
    std::fs::rename(&partial, &path).map_err(internal)?;
    Ok(name)
}

/// `POST /admin/products/{id}/images`: fields `file` and `alt_text`. Answers with a
/// redirect back to the editor, which shows what happened.
pub async fn upload_product_image(
    State(state): State<AppState>,
    caller: Caller,
    Path(product_id): Path<i64>,
    multipart: Multipart,
) -> Response {
    let editor = format!("/admin/products/{product_id}");
    let result = async {
        let actor = staff_actor(&caller, &state.server.pool, Role::Staff).await?;
        let (bytes, alt_text) = read_upload(multipart).await?;
        app::catalog::manage::editor::check_alt_text(&alt_text)?;
        let dir = state.media_dir.clone();
        let stored = tokio::task::spawn_blocking(move || store_image(&dir, &bytes))
            .await
            .map_err(internal)??;
        app::catalog::manage::editor::add_image(
            &state.server.pool,
            &actor,
            product_id,
            &format!("/media/uploads/{}", stored.display),
            &format!("/media/uploads/{}", stored.thumbnail),
            &alt_text,
        )
        .await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(&format!("{editor}?image=added")).into_response(),
        Err(AppError::Unauthorized(_) | AppError::Forbidden(_)) => (
            StatusCode::FORBIDDEN,
            "Your account is not allowed to do this.",
        )
            .into_response(),
        Err(error) => {
            let message = match &error {
                AppError::InvalidFields(fields) => fields
                    .iter()
                    .map(|f| f.message.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                other => other.to_string(),
            };
            Redirect::to(&format!(
                "{editor}?image_error={}",
                app::kernel::encoding::percent_encode(&message)
            ))
            .into_response()
        }
    }
}

async fn read_upload(mut multipart: Multipart) -> Result<(Vec<u8>, String), AppError> {
    let mut bytes = None;
    let mut alt_text = String::new();
    let unreadable = |_| AppError::invalid("The upload could not be read; try again.");
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("file") => {
                let mut data = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                    if data.len() + chunk.len() > MAX_IMAGE_BYTES {
                        return Err(unusable("The image is larger than 5 MB."));
                    }
                    data.extend_from_slice(&chunk);
                }
                bytes = Some(data);
            }
            Some("alt_text") => alt_text = field.text().await.map_err(unreadable)?,
            _ => {}
        }
    }
    match bytes {
        Some(bytes) if !bytes.is_empty() => Ok((bytes, alt_text)),
        _ => Err(unusable("Choose an image file to upload.")),
    }
}

/// `POST /admin/products/{id}/images`, with bodies up to 5 MB.
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route(
        "/admin/products/{id}/images",
        axum::routing::post(upload_product_image).layer(
            tower_http::limit::RequestBodyLimitLayer::new(MAX_UPLOAD_BODY_BYTES),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = DynamicImage::new_rgb8(width, height);
        let mut out = Cursor::new(Vec::new());
        picture.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn images_are_recognised_by_content_and_stored_with_a_thumbnail() {
        let dir =
            std::env::temp_dir().join(format!("stoa-media-{}", uuid::Uuid::new_v4().simple()));
        let stored = store_image(&dir, &png(2000, 1000)).unwrap();
        assert!(stored.display.ends_with(".jpg") && stored.thumbnail.ends_with("-thumb.jpg"));
        let thumb = image::open(dir.join(&stored.thumbnail)).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (480, 240));
        let display = image::open(dir.join(&stored.display)).unwrap();
        assert_eq!(display.width(), 1600);

        let error = store_image(&dir, b"<svg xmlns='http://www.w3.org/2000/svg'/>").unwrap_err();
        assert!(error.to_string().contains("PNG, JPEG or WebP"), "{error}");
        let mut damaged = png(10, 10);
        damaged.truncate(40);
        assert!(store_image(&dir, &damaged)
            .unwrap_err()
            .to_string()
            .contains("could not be read"));
        let too_big = vec![0u8; MAX_IMAGE_BYTES + 1];
        assert!(store_image(&dir, &too_big)
            .unwrap_err()
            .to_string()
            .contains("5 MB"));
        std::fs::remove_dir_all(&dir).ok();
    }
}
