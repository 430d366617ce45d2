//! Helm's rule for release names.

/// Helm's release name rule: at most 53 characters of DNS-1123 labels joined
/// by dots (Helm's `^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`),
/// checked by hand because compiling that regex costs more than the render of a
/// small chart.
pub fn valid_release_name(name: &str) -> bool {
    let label_ok = |l: &str| {
        let b = l.as_bytes();
        let alnum = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        b.first().is_some_and(alnum)
            && b.last().is_some_and(alnum)
            && b.iter().all(|c| alnum(c) || *c == b'-')
    };
    name.len() <= 53 && name.split('.').all(label_ok)
}

#[cfg(test)]
mod tests {
    use super::valid_release_name;

    #[test]
    fn release_names_follow_helms_rule() {
        for ok in ["a", "my-release", "r1.b2", "0", "a-b.c-d", &"a".repeat(53)] {
            assert!(valid_release_name(ok), "{ok}");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "A",
            "a..b",
            ".a",
            "a.",
            "a_b",
            "a.-b",
            "é",
            &"a".repeat(54),
        ] {
            assert!(!valid_release_name(bad), "{bad}");
        }
    }
}
