//! How values are written for people on pages (storage and tokens keep their own forms).

/// A Russian mobile number as people write it: "+79123456701" → "+7 (912) 345-67-01"; anything
/// else is shown as stored.
pub fn phone(stored: &str) -> String {
    let digits = stored.strip_prefix("+7").unwrap_or("");
    if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return stored.to_string();
    }
    format!(
        "+7 ({}) {}-{}-{}",
        &digits[..3],
        &digits[3..6],
        &digits[6..8],
        &digits[8..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mobile_number_is_grouped_the_way_people_write_it() {
        assert_eq!(phone("+79123456701"), "+7 (912) 345-67-01");
        assert_eq!(phone("anna@example.org"), "anna@example.org");
        assert_eq!(phone("+7912"), "+7912");
    }
}
