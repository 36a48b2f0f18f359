//! The previous builds' WASM and JS files, kept servable for a week after a deploy. A tab
//! opened before the deploy still runs the old bundle and fetches its lazily loaded
//! chunks by their old hashed names when the shopper moves on; without the archive those
//! requests would 404 and the page would stop reacting.
//!
//! At start, `stoa serve` copies the current build's hashed files into the archive beside
//! the site root (`target/site` → `target/site-archive/pkg`) and deletes archived files
//! that have not been part of a started build for [`KEPT_FOR`]. `/pkg/…` answers from
//! the current build first, then from the archive.

use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How long a file stays servable after the last start of a build that had it.
pub const KEPT_FOR: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// Where the archived files of the site at `site_root` live.
pub fn archive_dir(site_root: &Path, pkg_dir: &str) -> PathBuf {
    let name = site_root
        .file_name()
        .map_or_else(|| "site".into(), |name| name.to_string_lossy().into_owned());
    site_root
        .with_file_name(format!("{name}-archive"))
        .join(pkg_dir)
}

/// Copies every file of `pkg_dir` into `archive` (marking it as current today) and
/// deletes archived files older than `kept_for`. Returns how many files were deleted.
pub fn archive_current_build(
    pkg_dir: &Path,
    archive: &Path,
    kept_for: Duration,
) -> io::Result<usize> {
    std::fs::create_dir_all(archive)?;
    for entry in std::fs::read_dir(pkg_dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            let target = archive.join(entry.file_name());
            std::fs::copy(entry.path(), &target)?;
            std::fs::File::options()
                .write(true)
                .open(&target)?
                .set_modified(SystemTime::now())?;
        }
    }
    let oldest_kept = SystemTime::now()
        .checked_sub(kept_for)
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let mut deleted = 0;
    for entry in std::fs::read_dir(archive)? {
        let entry = entry?;
        let metadata = entry.metadata()?;
        if metadata.is_file() && metadata.modified()? < oldest_kept {
            std::fs::remove_file(entry.path())?;
            deleted += 1;
        }
    }
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::{archive_current_build, archive_dir};
    use std::path::Path;
    use std::time::{Duration, SystemTime};

    #[test]
    fn the_archive_sits_beside_the_site_root() {
        assert_eq!(
            archive_dir(Path::new("/srv/stoa/target/site"), "pkg"),
            Path::new("/srv/stoa/target/site-archive/pkg")
        );
    }

    #[test]
    fn files_of_earlier_builds_stay_until_they_are_older_than_the_period() {
        let root = std::env::temp_dir().join(format!("stoa-assets-{}", std::process::id()));
        let pkg = root.join("pkg");
        let archive = root.join("archive");
        std::fs::create_dir_all(&pkg).unwrap();
        std::fs::write(pkg.join("stoa.first.js"), "first").unwrap();
        archive_current_build(&pkg, &archive, Duration::from_secs(3600)).unwrap();

        // The next build replaces the first one's files.
        std::fs::remove_file(pkg.join("stoa.first.js")).unwrap();
        std::fs::write(pkg.join("stoa.second.js"), "second").unwrap();
        assert_eq!(
            archive_current_build(&pkg, &archive, Duration::from_secs(3600)).unwrap(),
            0
        );
        assert!(archive.join("stoa.first.js").exists());
        assert!(archive.join("stoa.second.js").exists());

        // Long after, only the build that is still started is kept.
        let long_ago = SystemTime::now() - Duration::from_secs(7200);
        std::fs::File::options()
            .write(true)
            .open(archive.join("stoa.first.js"))
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        assert_eq!(
            archive_current_build(&pkg, &archive, Duration::from_secs(3600)).unwrap(),
            1
        );
        assert!(!archive.join("stoa.first.js").exists());
        assert!(archive.join("stoa.second.js").exists());
        std::fs::remove_dir_all(&root).unwrap();
    }
}
