//! Personal names as entered on the registration form.

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("name is empty")]
    Empty,
    #[error("name has characters that are not letters")]
    BadChars,
    #[error("name is too long")]
    TooLong,
}

/// Trims, collapses inner spaces and checks letters (Cyrillic or Latin), spaces, hyphens, apostrophes.
pub fn normalise_name(input: &str) -> Result<String, NameError> {
    let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.chars().count() > 100 {
        return Err(NameError::TooLong);
    }
    if !name
        .chars()
        .all(|c| c.is_alphabetic() || " -'’.".contains(c))
        || !name.chars().any(char::is_alphabetic)
    {
        return Err(NameError::BadChars);
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_checked() {
        assert_eq!(
            normalise_name("  Римский-Корсаков ").unwrap(),
            "Римский-Корсаков"
        );
        assert_eq!(normalise_name("Анна  Мария").unwrap(), "Анна Мария");
        assert_eq!(normalise_name("   "), Err(NameError::Empty));
        assert_eq!(normalise_name("Иван1"), Err(NameError::BadChars));
        assert_eq!(normalise_name("<script>"), Err(NameError::BadChars));
    }
}
