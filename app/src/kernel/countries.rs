//! Countries we ship to, with the shapes their postal codes take.

/// `9` stands for a digit, `A` for a letter; anything else must appear as written.
pub struct Country {
    pub code: &'static str,
    pub name: &'static str,
    postal_patterns: &'static [&'static str],
    pub postal_example: &'static str,
}

pub const COUNTRIES: &[Country] = &[
    Country {
        code: "AT",
        name: "Austria",
        postal_patterns: &["9999"],
        postal_example: "1010",
    },
    Country {
        code: "AU",
        name: "Australia",
        postal_patterns: &["9999"],
        postal_example: "2000",
    },
    Country {
        code: "BE",
        name: "Belgium",
        postal_patterns: &["9999"],
        postal_example: "1000",
    },
    Country {
        code: "CA",
        name: "Canada",
        postal_patterns: &["A9A 9A9", "A9A9A9"],
        postal_example: "K1A 0B1",
    },
    Country {
        code: "CH",
        name: "Switzerland",
        postal_patterns: &["9999"],
        postal_example: "8001",
    },
    Country {
        code: "DE",
        name: "Germany",
        postal_patterns: &["99999"],
        postal_example: "10115",
    },
    Country {
        code: "DK",
        name: "Denmark",
        postal_patterns: &["9999"],
        postal_example: "1050",
    },
    Country {
        code: "ES",
        name: "Spain",
        postal_patterns: &["99999"],
        postal_example: "28001",
    },
    Country {
        code: "FI",
        name: "Finland",
        postal_patterns: &["99999"],
        postal_example: "00100",
    },
    Country {
        code: "FR",
        name: "France",
        postal_patterns: &["99999"],
        postal_example: "75001",
    },
    Country {
        code: "GB",
        name: "United Kingdom",
        postal_patterns: &[
            "A9 9AA", "A99 9AA", "AA9 9AA", "AA99 9AA", "A9A 9AA", "AA9A 9AA", "A99AA", "A999AA",
            "AA99AA", "AA999AA", "A9A9AA", "AA9A9AA",
        ],
        postal_example: "SW1A 1AA",
    },
    Country {
        code: "GR",
        name: "Greece",
        postal_patterns: &["999 99", "99999"],
        postal_example: "105 57",
    },
    Country {
        code: "IE",
        name: "Ireland",
        postal_patterns: &[
            "A99 AAAA", "A99 A9AA", "A99 AA9A", "A99 AAA9", "A99 A99A", "A99 A9A9", "A99 AA99",
            "A99 A999", "A99 9AAA", "A99 9A9A", "A99 9AA9", "A99 99AA", "A99 99A9", "A99 9A99",
            "A99 999A", "A99 9999",
        ],
        postal_example: "D02 X285",
    },
    Country {
        code: "IT",
        name: "Italy",
        postal_patterns: &["99999"],
        postal_example: "00118",
    },
    Country {
        code: "JP",
        name: "Japan",
        postal_patterns: &["999-9999", "9999999"],
        postal_example: "100-0001",
    },
    Country {
        code: "NL",
        name: "Netherlands",
        postal_patterns: &["9999 AA", "9999AA"],
        postal_example: "1012 AB",
    },
    Country {
        code: "NO",
        name: "Norway",
        postal_patterns: &["9999"],
        postal_example: "0150",
    },
    Country {
        code: "NZ",
        name: "New Zealand",
        postal_patterns: &["9999"],
        postal_example: "6011",
    },
    Country {
        code: "PL",
        name: "Poland",
        postal_patterns: &["99-999"],
        postal_example: "00-950",
    },
    Country {
        code: "PT",
        name: "Portugal",
        postal_patterns: &["9999-999"],
        postal_example: "1000-001",
    },
    Country {
        code: "SE",
        name: "Sweden",
        postal_patterns: &["999 99", "99999"],
        postal_example: "111 22",
    },
    Country {
        code: "US",
        name: "United States",
        postal_patterns: &["99999", "99999-9999"],
        postal_example: "94105",
    },
];

pub fn country(code: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|c| c.code == code)
}

/// The countries a browser's `Accept-Language` names (`sv-SE,en-US;q=0.8` → Sweden, then
/// the US), most preferred first; bare languages (`de`) name none.
pub fn countries_of_languages(accept_language: &str) -> Vec<&'static Country> {
    let mut tags: Vec<(u16, usize, &str)> = accept_language
        .split(',')
        .take(20)
        .enumerate()
        .filter_map(|(position, part)| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            let weight =
                pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1000), |q| {
                        q.parse::<f32>()
                            .ok()
                            .filter(|q| (0.0..=1.0).contains(q))
                            // Weights have at most three decimals: 0.8 → 800.
                            .map(|q| (q * 1000.0).round() as u16)
                    })?;
            (weight > 0).then_some((weight, position, tag))
        })
        .collect();
    tags.sort_by_key(|(weight, position, _)| (std::cmp::Reverse(*weight), *position));
    let mut found: Vec<&'static Country> = Vec::new();
    for (_, _, tag) in tags {
        let region = tag.split(['-', '_']).skip(1).find(|p| p.len() == 2);
        if let Some(known) = region.and_then(|r| country(&r.to_ascii_uppercase())) {
            if !found.iter().any(|c| c.code == known.code) {
                found.push(known);
            }
        }
    }
    found
}

impl Country {
    /// The postal code in its usual form (trimmed, upper-case) when it has a valid shape.
    pub fn normalise_postal_code(&self, text: &str) -> Option<String> {
        let code = text.trim().to_uppercase();
        let fits = |pattern: &str| {
            pattern.len() == code.len()
                && pattern.chars().zip(code.chars()).all(|(p, c)| match p {
                    '9' => c.is_ascii_digit(),
                    'A' => c.is_ascii_uppercase(),
                    other => other == c,
                })
        };
        self.postal_patterns.iter().any(|p| fits(p)).then_some(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postal_codes_follow_each_countrys_shape() {
        let us = country("US").unwrap();
        assert_eq!(us.normalise_postal_code(" 94105 "), Some("94105".into()));
        assert_eq!(
            us.normalise_postal_code("94105-1234"),
            Some("94105-1234".into())
        );
        assert_eq!(us.normalise_postal_code("9410"), None);
        assert_eq!(
            country("GB").unwrap().normalise_postal_code("sw1a 1aa"),
            Some("SW1A 1AA".into())
        );
        assert_eq!(
            country("NL").unwrap().normalise_postal_code("1012 ab"),
            Some("1012 AB".into())
        );
        assert_eq!(country("DE").unwrap().normalise_postal_code("1011"), None);
        assert_eq!(
            country("CA").unwrap().normalise_postal_code("<script>"),
            None
        );
    }

    #[test]
    fn every_example_is_valid_and_codes_are_unique() {
        for c in COUNTRIES {
            assert!(
                c.normalise_postal_code(c.postal_example).is_some(),
                "{}",
                c.code
            );
            assert_eq!(COUNTRIES.iter().filter(|o| o.code == c.code).count(), 1);
        }
        assert!(country("XX").is_none());
    }

    #[test]
    fn a_browsers_languages_name_countries_by_their_region_most_preferred_first() {
        let codes = |header: &str| -> Vec<&str> {
            countries_of_languages(header)
                .iter()
                .map(|c| c.code)
                .collect()
        };
        assert_eq!(codes("en-US,en;q=0.9"), ["US"]);
        assert_eq!(codes("de, sv-se;q=0.5, en-GB;q=0.8"), ["GB", "SE"]);
        assert_eq!(
            codes("zh-Hant-TW, fr-FR;q=0"),
            Vec::<&str>::new(),
            "TW unknown, q=0 refused"
        );
        assert_eq!(codes("de"), Vec::<&str>::new());
        assert_eq!(codes(""), Vec::<&str>::new());
        assert_eq!(codes("en-US;q=abc,\u{0}"), Vec::<&str>::new());
    }
}
