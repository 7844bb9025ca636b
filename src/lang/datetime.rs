//! One date-time format for every page: «2 декабря 2026, 16:38 МСК» / "2 December 2026, 16:38 MSK".
//! Times are shown in Moscow time, the zone the state services show (a person's own zone is not
//! known to vhod); the zone's name is part of the text.

use super::{Lang, Tr};

/// UTC+3, no daylight saving since 2014.
const MSK_OFFSET: i64 = 3 * 3600;

const RU_MONTHS: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Tr {
    /// Unix seconds as the pages show a moment: «2 декабря 2026, 16:38 МСК».
    pub fn datetime(&self, unix: i64) -> String {
        let (year, month, day, hour, minute, _) = crate::clock::utc_parts(unix + MSK_OFFSET);
        let index = usize::try_from(month - 1).unwrap_or(0).min(11);
        let (name, zone) = match self.lang {
            Lang::Ru => (RU_MONTHS[index], "МСК"),
            Lang::En => (EN_MONTHS[index], "MSK"),
        };
        format!("{day} {name} {year}, {hour:02}:{minute:02} {zone}")
    }

    /// Only the date: «2 декабря 2026».
    pub fn date(&self, unix: i64) -> String {
        let (year, month, day, ..) = crate::clock::utc_parts(unix + MSK_OFFSET);
        let index = usize::try_from(month - 1).unwrap_or(0).min(11);
        let name = match self.lang {
            Lang::Ru => RU_MONTHS[index],
            Lang::En => EN_MONTHS[index],
        };
        format!("{day} {name} {year}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moment_reads_the_same_way_on_every_page_in_moscow_time() {
        // 2026-12-02 13:38 UTC
        let t = 1_796_218_680;
        assert_eq!(Tr::new(Lang::Ru).datetime(t), "2 декабря 2026, 16:38 МСК");
        assert_eq!(Tr::new(Lang::En).datetime(t), "2 December 2026, 16:38 MSK");
        assert_eq!(Tr::new(Lang::Ru).date(t), "2 декабря 2026");
        // Midnight in Moscow is still the previous day in UTC.
        assert_eq!(
            Tr::new(Lang::Ru).datetime(1_709_164_800 - MSK_OFFSET),
            "29 февраля 2024, 00:00 МСК"
        );
        assert_eq!(Tr::new(Lang::En).datetime(0), "1 January 1970, 03:00 MSK");
    }
}
