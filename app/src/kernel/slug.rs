//! Slugs: the readable, URL-safe names of products and categories (`linen-shirt`).
//! A [`Slug`] that exists is valid; every slug that enters the app is parsed into one.

use serde::{Deserialize, Serialize};
use std::fmt;

pub const MAX_SLUG_CHARS: usize = 100;

/// Lowercase words of letters and digits joined by single hyphens, at most 100 long.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    /// The slug as typed, when it follows the rule (no trimming or lowercasing: a URL with
    /// another spelling is another address).
    pub fn parse(text: &str) -> Result<Slug, SlugError> {
        if is_valid_slug(text) {
            Ok(Slug(text.to_owned()))
        } else {
            Err(SlugError)
        }
    }

    /// The slug a name suggests: lowercase words joined by hyphens ("Linen Shirt!" →
    /// "linen-shirt"); `None` when the name has no letters or digits.
    pub fn from_name(name: &str) -> Option<Slug> {
        Slug::parse(&slug_from(name)).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What staff are told when a slug does not follow the rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlugError;

impl fmt::Display for SlugError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "Use lowercase letters and digits joined by single hyphens (e.g. linen-shirt), up to 100.",
        )
    }
}

impl std::error::Error for SlugError {}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Slug {
    type Error = SlugError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Slug::parse(&text)
    }
}

impl From<Slug> for String {
    fn from(slug: Slug) -> String {
        slug.0
    }
}

/// Slugs are lowercase words of letters and digits joined by single hyphens.
pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= MAX_SLUG_CHARS
        && slug.split('-').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Lowercase words joined by hyphens, from a name ("Linen Shirt!" → "linen-shirt"), cut
/// to the longest slug allowed.
pub fn slug_from(name: &str) -> String {
    let mut slug = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let mut cut: String = slug.chars().take(MAX_SLUG_CHARS).collect();
    while cut.ends_with('-') {
        cut.pop();
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_words_joined_by_hyphens() {
        assert!(is_valid_slug("mens-shirts-2"));
        for bad in ["", "-a", "a-", "a--b", "A", "a b", "a/b", "ü"] {
            assert!(!is_valid_slug(bad), "{bad:?}");
        }
        assert!(!is_valid_slug(&"a".repeat(MAX_SLUG_CHARS + 1)));
    }

    #[test]
    fn a_slug_parses_only_when_it_follows_the_rule() {
        assert_eq!(
            Slug::parse("linen-shirt-2").unwrap().as_str(),
            "linen-shirt-2"
        );
        for bad in [
            "",
            "Linen",
            "linen--shirt",
            "-linen",
            "linen-",
            "lin en",
            "ü",
        ] {
            assert_eq!(Slug::parse(bad), Err(SlugError), "{bad:?}");
        }
        assert!(Slug::parse(&"a".repeat(MAX_SLUG_CHARS + 1)).is_err());
    }

    #[test]
    fn a_name_suggests_its_slug() {
        assert_eq!(
            Slug::from_name("Linen Shirt!").unwrap().as_str(),
            "linen-shirt"
        );
        assert_eq!(Slug::from_name("¡¿?"), None);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_slug_in_json_is_checked_when_read() {
        let read: Result<Slug, _> = serde_json::from_str("\"Not A Slug\"");
        assert!(read.is_err());
    }
}
