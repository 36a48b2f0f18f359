//! Copies of backups off the machine: to a directory (a mounted disk or network share) or
//! to an S3-compatible bucket (AWS S3, MinIO, Backblaze B2, Cloudflare R2, …). A backup's
//! dump and images' archive go first and its manifest last, so a manifest that can be
//! listed always has its files beside it. The copy keeps every backup: expire old ones
//! with the bucket's lifecycle rules or the disk's own retention.

use super::{file_name, manifest_path, media_archive_path, read_manifest};
use crate::outbound::{http_client, HttpClient};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use rusty_s3::S3Action;
use std::path::{Path, PathBuf};
use std::time::Duration;

const MANIFEST_SUFFIX: &str = ".manifest.json";
const SIGNATURE_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// Where backups are copied to (STOA_BACKUP_COPY_TO).
#[derive(Clone, Debug)]
pub enum Offsite {
    Directory(PathBuf),
    Bucket(Box<Bucket>),
}

#[derive(Clone)]
pub struct Bucket {
    bucket: rusty_s3::Bucket,
    credentials: rusty_s3::Credentials,
    /// Key prefix inside the bucket, empty or ending with `/`.
    prefix: String,
}

impl std::fmt::Debug for Bucket {
    // Never the secret key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bucket")
            .field("url", &self.bucket.base_url().as_str())
            .field("prefix", &self.prefix)
            .finish()
    }
}

/// A backup found at the off-site location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OffsiteBackup {
    /// The dump's file name, e.g. `stoa-20261130-020000.000.dump`.
    pub name: String,
    /// When its manifest was written there (RFC 3339 for buckets, local time for folders).
    pub modified: String,
}

impl Offsite {
    /// Reads STOA_BACKUP_COPY_TO and, for `s3://bucket/prefix`, the bucket's settings:
    /// STOA_BACKUP_S3_ENDPOINT (default AWS in STOA_BACKUP_S3_REGION), the region (default
    /// us-east-1), and the key pair STOA_BACKUP_S3_ACCESS_KEY_ID /
    /// STOA_BACKUP_S3_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).
    pub fn from_settings(
        copy_to: &str,
        get: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
        let Some(location) = copy_to.strip_prefix("s3://") else {
            let dir = PathBuf::from(copy_to);
            if !dir.is_absolute() {
                return Err(format!(
                    "`{copy_to}` is neither an absolute folder (/mnt/offsite/stoa) nor a bucket (s3://bucket/prefix)"
                ));
            }
            return Ok(Self::Directory(dir));
        };
        let (name, prefix) = location.split_once('/').unwrap_or((location, ""));
        if name.is_empty() {
            return Err(format!("`{copy_to}` names no bucket (s3://bucket/prefix)"));
        }
        let prefix = match prefix.trim_matches('/') {
            "" => String::new(),
            prefix => format!("{prefix}/"),
        };
        let region = get("STOA_BACKUP_S3_REGION").unwrap_or_else(|| "us-east-1".to_owned());
        let (endpoint, style) = match get("STOA_BACKUP_S3_ENDPOINT") {
            Some(endpoint) => (endpoint, rusty_s3::UrlStyle::Path),
            None => (
                format!("https://s3.{region}.amazonaws.com"),
                rusty_s3::UrlStyle::VirtualHost,
            ),
        };
        let endpoint_url = endpoint
            .parse()
            .map_err(|_| format!("STOA_BACKUP_S3_ENDPOINT `{endpoint}` is not a URL"))?;
        let bucket = rusty_s3::Bucket::new(endpoint_url, style, name.to_owned(), region)
            .map_err(|e| format!("STOA_BACKUP_S3_ENDPOINT `{endpoint}`: {e}"))?;
        let key = get("STOA_BACKUP_S3_ACCESS_KEY_ID").or_else(|| get("AWS_ACCESS_KEY_ID"));
        let secret =
            get("STOA_BACKUP_S3_SECRET_ACCESS_KEY").or_else(|| get("AWS_SECRET_ACCESS_KEY"));
        let (Some(key), Some(secret)) = (key, secret) else {
            return Err(
                "copying to a bucket needs STOA_BACKUP_S3_ACCESS_KEY_ID and STOA_BACKUP_S3_SECRET_ACCESS_KEY"
                    .to_owned(),
            );
        };
        Ok(Self::Bucket(Box::new(Bucket {
            bucket,
            credentials: rusty_s3::Credentials::new(key, secret),
            prefix,
        })))
    }

    /// Where copies go, for messages (never a secret).
    pub fn describe(&self) -> String {
        match self {
            Self::Directory(dir) => dir.display().to_string(),
            Self::Bucket(bucket) => format!("s3://{}/{}", bucket.bucket.name(), bucket.prefix),
        }
    }

    /// Copies the backup `dump` (its dump, images' archive and manifest) off the machine.
    pub async fn copy(&self, dump: &Path) -> Result<(), String> {
        let manifest = read_manifest(dump).await?;
        let mut files = vec![dump.to_owned()];
        if manifest.media.is_some() {
            files.push(media_archive_path(dump));
        }
        files.push(manifest_path(dump));
        match self {
            Self::Directory(dir) => {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                for file in files {
                    copy_into_folder(&file, dir).await?;
                }
            }
            Self::Bucket(bucket) => {
                let http = http_client();
                for file in files {
                    bucket.upload(&http, &file).await?;
                }
            }
        }
        Ok(())
    }

    /// The backups at the off-site location, oldest first.
    pub async fn list(&self) -> Result<Vec<OffsiteBackup>, String> {
        let mut found = match self {
            Self::Directory(dir) => list_folder(dir)?,
            Self::Bucket(bucket) => bucket.list(&http_client()).await?,
        };
        found.sort_by(|a, b| (&a.modified, &a.name).cmp(&(&b.modified, &b.name)));
        Ok(found)
    }

    /// Downloads the backup `name` (or the newest one) into `to`, and returns the dump's
    /// path there, ready for `stoa restore`.
    pub async fn fetch(&self, name: Option<&str>, to: &Path) -> Result<PathBuf, String> {
        let name = match name {
            Some(name) => name.to_owned(),
            None => {
                self.list()
                    .await?
                    .pop()
                    .ok_or_else(|| format!("{} holds no backup", self.describe()))?
                    .name
            }
        };
        if name.contains('/') || name.contains("..") {
            return Err(format!("`{name}` is not a backup's file name"));
        }
        tokio::fs::create_dir_all(to)
            .await
            .map_err(|e| format!("cannot create {}: {e}", to.display()))?;
        let dump = to.join(&name);
        self.download(&format!("{name}{MANIFEST_SUFFIX}"), &manifest_path(&dump))
            .await?;
        let manifest = read_manifest(&dump).await?;
        self.download(&name, &dump).await?;
        if manifest.media.is_some() {
            let archive = media_archive_path(&dump);
            self.download(&file_name(&archive), &archive).await?;
        }
        Ok(dump)
    }

    async fn download(&self, name: &str, to: &Path) -> Result<(), String> {
        match self {
            Self::Directory(dir) => tokio::fs::copy(dir.join(name), to)
                .await
                .map(|_| ())
                .map_err(|e| format!("cannot copy {} from {}: {e}", name, dir.display())),
            Self::Bucket(bucket) => bucket.download(&http_client(), name, to).await,
        }
    }
}

/// Copies `file` into `dir` under a temporary name, then renames it: a reader of the
/// folder never sees half a file.
async fn copy_into_folder(file: &Path, dir: &Path) -> Result<(), String> {
    let name = file_name(file);
    let partial = dir.join(format!(".{name}.partial"));
    tokio::fs::copy(file, &partial)
        .await
        .map_err(|e| format!("cannot copy {} to {}: {e}", file.display(), dir.display()))?;
    tokio::fs::rename(&partial, dir.join(&name))
        .await
        .map_err(|e| format!("cannot rename {}: {e}", partial.display()))
}

fn list_folder(dir: &Path) -> Result<Vec<OffsiteBackup>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    Ok(entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let dump = name.strip_suffix(MANIFEST_SUFFIX)?.to_owned();
            let modified = entry.metadata().ok()?.modified().ok()?;
            Some(OffsiteBackup {
                name: dump,
                modified: chrono::DateTime::<chrono::Utc>::from(modified).to_rfc3339(),
            })
        })
        .collect())
}

impl Bucket {
    fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    async fn send(
        &self,
        http: &HttpClient,
        method: http::Method,
        url: url::Url,
        body: Bytes,
    ) -> Result<hyper::Response<hyper::body::Incoming>, String> {
        let mut request = http::Request::builder()
            .method(method.clone())
            .uri(url.as_str());
        if method == http::Method::PUT {
            // S3 servers want the length even of an empty body, which hyper leaves out.
            request = request.header(http::header::CONTENT_LENGTH, body.len());
        }
        let request = request.body(Full::new(body)).map_err(|e| e.to_string())?;
        let response = http
            .request(request)
            .await
            .map_err(|e| format!("{} is unreachable: {e}", self.bucket.base_url()))?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&body);
        Err(format!(
            "the bucket answered {status}: {}",
            text.chars().take(300).collect::<String>()
        ))
    }

    async fn upload(&self, http: &HttpClient, file: &Path) -> Result<(), String> {
        let key = self.key(&file_name(file));
        let bytes = tokio::fs::read(file)
            .await
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let url = self
            .bucket
            .put_object(Some(&self.credentials), &key)
            .sign(SIGNATURE_LIFETIME);
        self.send(http, http::Method::PUT, url, Bytes::from(bytes))
            .await
            .map(|_| ())
            .map_err(|e| format!("uploading {key}: {e}"))
    }

    async fn list(&self, http: &HttpClient) -> Result<Vec<OffsiteBackup>, String> {
        let mut found = Vec::new();
        let mut continuation: Option<String> = None;
        loop {
            let mut action = self.bucket.list_objects_v2(Some(&self.credentials));
            action.with_prefix(self.prefix.as_str());
            if let Some(token) = &continuation {
                action.with_continuation_token(token.as_str());
            }
            let url = action.sign(SIGNATURE_LIFETIME);
            let response = self
                .send(http, http::Method::GET, url, Bytes::new())
                .await
                .map_err(|e| format!("listing the bucket: {e}"))?;
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| format!("reading the bucket's listing: {e}"))?
                .to_bytes();
            let body = std::str::from_utf8(&body)
                .map_err(|_| "the bucket's listing is not UTF-8".to_owned())?;
            let page = rusty_s3::actions::ListObjectsV2::parse_response(body)
                .map_err(|e| format!("the bucket's listing is not understood: {e}"))?;
            found.extend(page.contents.into_iter().filter_map(|object| {
                let name = object.key.strip_prefix(&self.prefix)?;
                (!name.contains('/')).then_some(())?;
                Some(OffsiteBackup {
                    name: name.strip_suffix(MANIFEST_SUFFIX)?.to_owned(),
                    modified: object.last_modified.unwrap_or_default(),
                })
            }));
            match page.next_continuation_token {
                Some(token) => continuation = Some(token),
                None => return Ok(found),
            }
        }
    }

    async fn download(&self, http: &HttpClient, name: &str, to: &Path) -> Result<(), String> {
        use tokio::io::AsyncWriteExt;
        let key = self.key(name);
        let url = self
            .bucket
            .get_object(Some(&self.credentials), &key)
            .sign(SIGNATURE_LIFETIME);
        let response = self
            .send(http, http::Method::GET, url, Bytes::new())
            .await
            .map_err(|e| format!("downloading {key}: {e}"))?;
        let failed = |e: std::io::Error| format!("writing {} failed: {e}", to.display());
        let mut file = tokio::fs::File::create(to).await.map_err(failed)?;
        let mut body = response.into_body();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| format!("downloading {key}: {e}"))?;
            if let Some(data) = frame.data_ref() {
                file.write_all(data).await.map_err(failed)?;
            }
        }
        file.flush().await.map_err(failed)
    }
}
