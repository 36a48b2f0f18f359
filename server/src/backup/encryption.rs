//! Backups encrypted with age (X25519): the server needs only the recipient (public key)
//! to write them; a restore needs the identity file (the secret key), which the owner
//! keeps off the machine. Plaintext never touches the disk while backing up: the tool's
//! output is hashed and encrypted as it streams into the file.

use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

pub use age::x25519::{Identity, Recipient};

/// What a manifest says about a file encrypted to `recipient`.
pub const AGE_X25519: &str = "age-x25519";

pub fn parse_recipient(text: &str) -> Result<Recipient, String> {
    Recipient::from_str(text.trim()).map_err(|_| {
        format!("`{}` is not an age recipient (a public key starting with age1…; make one with: stoa backup new-key --out FILE)", text.trim())
    })
}

/// The identities in an age identity file (the format of `age-keygen` and `stoa backup
/// new-key`: one AGE-SECRET-KEY-1… per line, `#` comments).
pub fn read_identity_file(path: &Path) -> Result<Vec<Identity>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the identity file {}: {e}", path.display()))?;
    let identities: Vec<Identity> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            Identity::from_str(line).map_err(|_| {
                format!(
                    "{} holds a line that is not an age secret key (AGE-SECRET-KEY-1…)",
                    path.display()
                )
            })
        })
        .collect::<Result<_, _>>()?;
    if identities.is_empty() {
        return Err(format!("{} holds no age secret key", path.display()));
    }
    Ok(identities)
}

/// Writes a new identity file readable only by its owner and returns its recipient.
pub fn new_identity_file(path: &Path) -> Result<Recipient, String> {
    let identity = Identity::generate();
    let recipient = identity.to_public();
    let text = format!(
        "# created: {}\n# public key: {recipient}\n{}\n",
        chrono::Utc::now().to_rfc3339(),
        age::secrecy::ExposeSecret::expose_secret(&identity.to_string())
    );
    let mut file = private_file(path)?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(recipient)
}

/// A new file that only its owner may read (it holds a backup or a key).
fn private_file(path: &Path) -> Result<std::fs::File, String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))
}

/// Passes everything written through sha256 on its way to `inner`.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(bytes)?;
        self.hash.update(&bytes[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Runs `command` and streams its standard output into the new file `out`, encrypted to
/// `recipient` when one is given. Returns the sha256 of the plaintext. Blocking: call it
/// from `spawn_blocking`. On failure the partial file is removed.
pub fn write_command_output(
    mut command: std::process::Command,
    what: &str,
    out: &Path,
    recipient: Option<&Recipient>,
) -> Result<String, String> {
    let written = (|| {
        let file = std::io::BufWriter::new(private_file(out)?);
        let mut child = command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {what}: {e} (install the PostgreSQL client tools)"))?;
        let mut stderr = child.stderr.take().expect("stderr is piped");
        let errors = std::thread::spawn(move || {
            let mut text = String::new();
            stderr.read_to_string(&mut text).ok();
            text
        });
        let mut stdout = child.stdout.take().expect("stdout is piped");
        let failed_writing = |e: std::io::Error| format!("writing {} failed: {e}", out.display());
        let plaintext_hash = match recipient {
            Some(recipient) => {
                let encryptor = age::Encryptor::with_recipients(std::iter::once(
                    recipient as &dyn age::Recipient,
                ))
                .map_err(|e| format!("cannot encrypt: {e}"))?;
                let sealed = encryptor.wrap_output(file).map_err(failed_writing)?;
                let mut hashing = Hashing {
                    inner: sealed,
                    hash: Sha256::new(),
                };
                std::io::copy(&mut stdout, &mut hashing).map_err(failed_writing)?;
                let Hashing { inner, hash } = hashing;
                inner
                    .finish()
                    .and_then(|mut file| file.flush())
                    .map_err(failed_writing)?;
                hash
            }
            None => {
                let mut hashing = Hashing {
                    inner: file,
                    hash: Sha256::new(),
                };
                std::io::copy(&mut stdout, &mut hashing).map_err(failed_writing)?;
                hashing.inner.flush().map_err(failed_writing)?;
                hashing.hash
            }
        };
        let status = child
            .wait()
            .map_err(|e| format!("{what} did not finish: {e}"))?;
        let errors = errors.join().unwrap_or_default();
        if !status.success() {
            return Err(format!("{what} failed: {}", errors.trim()));
        }
        Ok(app::kernel::encoding::hex(&plaintext_hash.finalize()))
    })();
    if written.is_err() {
        std::fs::remove_file(out).ok();
    }
    written
}

/// A decrypted copy of an encrypted backup file, in a folder only the owner can read,
/// removed when dropped.
pub struct Decrypted {
    dir: PathBuf,
    pub path: PathBuf,
}

impl Drop for Decrypted {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

/// Decrypts `file` with `identities` into a private temporary folder. Blocking.
pub fn decrypt_to_temporary(file: &Path, identities: &[Identity]) -> Result<Decrypted, String> {
    let dir = std::env::temp_dir().join(format!(
        "stoa-restore-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(&dir)
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let decrypted = Decrypted {
        path: dir.join(file.file_name().unwrap_or_default()),
        dir,
    };
    let input =
        std::fs::File::open(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let decryptor = age::Decryptor::new_buffered(std::io::BufReader::new(input))
        .map_err(|e| format!("{} is not an age-encrypted file: {e}", file.display()))?;
    let mut plaintext = decryptor
        .decrypt(identities.iter().map(|i| i as &dyn age::Identity))
        .map_err(|e| {
            format!(
                "cannot decrypt {}: {e} (is it the identity file whose public key the manifest names?)",
                file.display()
            )
        })?;
    let mut out = std::io::BufWriter::new(private_file(&decrypted.path)?);
    std::io::copy(&mut plaintext, &mut out)
        .and_then(|_| out.flush())
        .map_err(|e| {
            format!(
                "decrypting {} failed: {e} (the file is damaged)",
                file.display()
            )
        })?;
    Ok(decrypted)
}
